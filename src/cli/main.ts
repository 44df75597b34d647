#!/usr/bin/env node
import type { CommandDef } from "citty";
import { RwError } from "../domain/errors.ts";
import { redact, redactDeep } from "../format/secrets.ts";
import { didYouMean } from "../domain/suggest.ts";
import { commands } from "./commands/index.ts";
import type { RwCommandDef } from "./command.ts";
import { flushOutput, processContext, setContext, type Context } from "./context.ts";
import { errorText } from "./output.ts";
import { packageVersion } from "../store/package-root.ts";

const ROOT_HELP_ORDER = [
  "init", "create", "show", "list", "edit", "dep", "note", "ready", "claim", "heartbeat", "release", "done", "fail",
  "block", "unblock", "cancel", "reopen", "history", "initiative", "decide", "decisions", "plan", "run", "logs", "agent", "config", "budget", "daemon", "doctor", "sync", "demo",
];

const version = packageVersion;

async function rootHelp(ctx: Context): Promise<void> {
  const names = [...ROOT_HELP_ORDER, ...Object.keys(commands).filter((n) => !ROOT_HELP_ORDER.includes(n))];
  const rows: string[] = [];
  for (const name of names) {
    const cmd = await commands[name]!();
    const meta = typeof cmd.meta === "function" ? await cmd.meta() : await cmd.meta;
    rows.push(`  ${name.padEnd(11)} ${meta?.description ?? ""}`);
  }
  ctx.stdout(
    [
      `rw ${version()} — a git-native orchestrator for autonomous coding agents`,
      "",
      "Usage: rw <command> [options]      (rw <command> --help for details)",
      "",
      "Commands:",
      ...rows,
      "",
      "Exit codes: 0 ok, 1 error, 2 usage or invalid input, 3 refused by the state (not claimable, lost a race), 4 not found.",
      "",
    ].join("\n"),
  );
}

async function usage(ctx: Context, cmd: RwCommandDef, parent: CommandDef): Promise<string> {
  const { renderUsage } = await import("citty");
  const text = await renderUsage(cmd as CommandDef, parent);
  const examples = cmd.examples && cmd.examples.length > 0 ? `\nExamples:\n${cmd.examples.map((e) => `  ${e}`).join("\n")}\n` : "";
  // citty colours its usage text; plain text when output is not a terminal or NO_COLOR is set.
  const out = `${text}\n${examples}`;
  return ctx.color ? out : stripAnsi(out);
}

/** Refuses options the command does not define, instead of silently ignoring a typo. */
async function checkFlags(cmd: CommandDef, rest: string[], path: string): Promise<void> {
  const defs = ((typeof cmd.args === "function" ? await cmd.args() : await cmd.args) ?? {});
  const known = new Set<string>(["help", "h"]);
  const longNames: string[] = [];
  for (const [name, def] of Object.entries(defs)) {
    if (def.type === "positional") continue;
    known.add(name);
    longNames.push(name);
    const alias = (def as { alias?: string | string[] }).alias;
    for (const a of Array.isArray(alias) ? alias : alias ? [alias] : []) known.add(a);
    if (def.type === "boolean") known.add(`no-${name}`);
  }
  for (const token of rest) {
    if (token === "--") break;
    const m = /^--?([^=]+)/.exec(token);
    if (!m || /^-\d/.test(token) || token === "-") continue;
    const names = token.startsWith("--") ? [m[1]!] : [...m[1]!];
    for (const n of names) {
      if (known.has(n)) continue;
      const dash = token.startsWith("--") ? "--" : "-";
      const guess = dash === "--" ? didYouMean(n, longNames, (s) => `--${s}`) : "";
      throw new RwError("usage", `unknown option ${dash}${n} for rw ${path}${guess}`, { hint: `see \`rw ${path} --help\``, data: { option: `${dash}${n}` } });
    }
  }
}

async function run(ctx: Context, argv: string[]): Promise<void> {
  const first = argv[0];
  if (first === undefined || first === "--help" || first === "-h" || first === "help") return rootHelp(ctx);
  if (first === "--version" || first === "-v") return ctx.stdout(`${version()}\n`);
  const load = commands[first];
  if (!load) throw new RwError("usage", `unknown command ${JSON.stringify(first)}${didYouMean(first, Object.keys(commands), (c) => `rw ${c}`)}`, { hint: "run `rw --help` for the list of commands" });
  let cmd = (await load()) as RwCommandDef;
  let parent: CommandDef = { meta: { name: "rw" } };
  let rest = argv.slice(1);
  let path = first;
  for (;;) {
    const subs = typeof cmd.subCommands === "function" ? await cmd.subCommands() : await cmd.subCommands;
    const next = rest[0];
    if (!subs || next === undefined || next.startsWith("-") || !subs[next]) break;
    const sub = subs[next];
    parent = cmd;
    cmd = (typeof sub === "function" ? await sub() : await sub) as RwCommandDef;
    rest = rest.slice(1);
    path = `${path} ${next}`;
  }
  if (rest.includes("--help") || rest.includes("-h")) return ctx.stdout(await usage(ctx, cmd, parent));
  const subs = typeof cmd.subCommands === "function" ? await cmd.subCommands() : await cmd.subCommands;
  if (subs && !cmd.run) {
    throw new RwError("usage", rest[0] ? `unknown sub-command ${JSON.stringify(rest[0])} for rw ${path}${didYouMean(rest[0], Object.keys(subs), (c) => `rw ${path} ${c}`)}` : `rw ${path} needs a sub-command: ${Object.keys(subs).join(", ")}`, { hint: `see \`rw ${path} --help\`` });
  }
  await checkFlags(cmd, rest, path);
  // Loaded here, not at the top: `rw --version` and `rw --help` need neither the store nor citty's runner.
  const [{ checkPositionals, repeatedOptions }, { runCommand }] = await Promise.all([import("./args.ts"), import("citty")]);
  const defs = (typeof cmd.args === "function" ? await cmd.args() : await cmd.args) ?? {};
  checkPositionals(defs, rest, path);
  const multi = repeatedOptions(defs, rest);
  const run = cmd.run;
  const merged: CommandDef = Object.keys(multi).length === 0 || !run ? cmd : { ...cmd, run: async (c) => { const args: typeof c.args = Object.assign({}, c.args, multi); await run({ ...c, args }); } };
  await runCommand(merged, { rawArgs: rest });
}

// eslint-disable-next-line no-control-regex -- removing citty's colour codes is the point
const ANSI = /\u001b\[[0-9;]*m/g;
const stripAnsi = (s: string): string => s.replace(ANSI, "");

/** The only place that turns errors into messages and exit codes (DESIGN §10). */
function report(ctx: Context, err: unknown, argv: string[]): number {
  let code = 1;
  let message: string;
  let hint: string | undefined;
  let kind = "internal";
  if (err instanceof RwError) {
    code = err.exitCode;
    message = err.message;
    hint = err.hint;
    kind = err.code;
  } else if (err instanceof Error && err.name === "CLIError") {
    code = 2;
    kind = "usage";
    message = stripAnsi(err.message);
    hint = `see \`rw ${argv[0] ?? ""} --help\``;
  } else {
    message = err instanceof Error ? err.message : String(err);
    if (ctx.env.RW_DEBUG && err instanceof Error && err.stack) message = err.stack;
  }
  // An error can quote a provider's answer or a config line: keys and `api_key = …` shapes go.
  message = redact(message, ctx.secrets);
  hint = hint === undefined ? undefined : redact(hint, ctx.secrets);
  if (argv.includes("--json")) {
    const data = err instanceof RwError ? redactDeep(err.data, ctx.secrets ?? []) : {};
    ctx.stdout(`${JSON.stringify({ v: 1, error: { code: kind, message, ...(hint ? { hint } : {}), ...(Object.keys(data).length ? { data } : {}) } })}\n`);
  }
  ctx.stderr(errorText(message, hint));
  return code;
}

const ctx = processContext();
setContext(ctx);
const argv = process.argv.slice(2);
/**
 * Exits once stdout and stderr are flushed. NOTE: when stdout is a pipe, writes can still be
 * queued at this point; exiting at once cut `--json` output after ~200 KB (measured with
 * `rw sync --json` pulling 2,000 events).
 */
function exit(code: number): void {
  flushOutput(() => process.exit(code));
}

run(ctx, argv).then(
  () => exit(ctx.exitCode ?? 0),
  (err: unknown) => exit(report(ctx, err, argv)),
);
