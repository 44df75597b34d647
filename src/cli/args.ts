import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { RwError } from "../domain/errors.ts";
import { bodyText, namedActor } from "../domain/text.ts";
import { gitIdentity } from "../store/git-identity.ts";
import { storeSecrets } from "../store/redact-events.ts";
import { Store, type Actor } from "../store/store.ts";
import { context, type Context } from "./context.ts";

/** Arguments every command shares. */
export const jsonArg = { json: { type: "boolean", description: "print JSON ({\"v\": 1, ...})" } } as const;
export const actorArg = {
  actor: { type: "string", description: "who is acting (default: $RW_ACTOR, else git user.name)", valueHint: "name" },
} as const;

/** A repeatable or comma-separated option as a list: `--label a --label b` or `--label a,b`. */
export function list(value: unknown): string[] {
  return all(value).flatMap((v) => v.split(",")).map((s) => s.trim()).filter((s) => s !== "");
}

/**
 * Every value of a repeatable option, as given. main.ts merges the values of an option given
 * more than once back into the parsed args (citty alone keeps the last; see repeatedOptions).
 */
export function all(value: unknown): string[] {
  if (value === undefined || value === null || value === false) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** A repeatable option kept whole (commands may contain commas): `--gate "a" --gate "b"`. */
export function repeated(value: unknown): string[] {
  return all(value).filter((s) => s.trim() !== "");
}

/** The last value of an option given more than once. */
export function one(value: unknown): string | undefined {
  const last: unknown = Array.isArray(value) ? value[value.length - 1] : value;
  if (typeof last === "string") return last;
  if (typeof last === "number" || typeof last === "boolean") return String(last);
  return undefined;
}

export function int(value: unknown, what: string): number | undefined {
  const text = one(value);
  if (text === undefined) return undefined;
  if (!/^-?\d+$/.test(text)) throw new RwError("usage", `${what} must be a whole number, got ${JSON.stringify(text)}`);
  return Number(text);
}

/**
 * Opens the repository. Unless told not to, first records edits made in the working mirror
 * `.rewind/` (when it exists and no daemon is doing it), so commands never act on a stale
 * state: the daemon is a convenience, not a requirement.
 */
export async function openStore(ctx: Context = context(), opts: { sync?: boolean } = {}): Promise<Store> {
  const store = await Store.open(ctx);
  for (const s of storeSecrets(store)) if (ctx.secrets && !ctx.secrets.includes(s)) ctx.secrets.push(s);
  if (opts.sync !== false && store.repo.mainWorktree && existsSync(join(store.repo.mainWorktree, ".rewind", "tasks"))) {
    const { syncBeforeCommand } = await import("./presync.ts");
    await syncBeforeCommand(store, () => resolveActor(store, undefined));
  }
  return store;
}

/** --actor, else $RW_ACTOR, else the git user: the name that authors the state commit. */
export async function resolveActor(store: Store, flag: unknown): Promise<Actor> {
  const ctx = store.ctx;
  const named = one(flag) ?? ctx.env.RW_ACTOR;
  const user = await gitIdentity(store.repo);
  const gitName = user.name;
  const name = (named ?? gitName ?? "").trim();
  if (name === "") {
    throw new RwError("usage", "no actor: rw does not know who is acting", { hint: "pass --actor NAME, set RW_ACTOR, or `git config user.name \"Your Name\"`" });
  }
  return namedActor(name, named === undefined || named === gitName ? user.email : undefined);
}

// Shared with the MCP server, so it lives below cli/.
export { namedActor };

export { bodyText };

/** --body TEXT, --body-file FILE (or - for stdin), or text piped into stdin. */
export async function readBody(ctx: Context, args: { body?: unknown; "body-file"?: unknown }, allowPipe: boolean): Promise<string | undefined> {
  const text = one(args.body);
  const file = one(args["body-file"]);
  if (text !== undefined && file !== undefined) throw new RwError("usage", "give --body or --body-file, not both");
  if (text !== undefined) return bodyText(text);
  if (file === "-") return ctx.readStdin();
  if (file !== undefined) {
    try {
      return readFileSync(resolve(ctx.cwd, file), "utf8");
    } catch (err) {
      throw new RwError("invalid_input", `cannot read --body-file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  if (allowPipe && ctx.stdinHasData()) return ctx.readStdin();
  return undefined;
}

/**
 * Every value of each string option given more than once, keyed by its name and aliases.
 * NOTE: citty parses with node's util.parseArgs without `multiple`, so `--label a --label b`
 * would reach the command as "b" alone; main.ts merges these lists back into the parsed args.
 */
export function repeatedOptions(defs: Record<string, { type?: string; alias?: string | string[] }>, rest: string[]): Record<string, string[]> {
  const nameOf = new Map<string, string>();
  for (const [name, def] of Object.entries(defs)) {
    if (def.type !== "string") continue;
    nameOf.set(name, name);
    for (const a of Array.isArray(def.alias) ? def.alias : def.alias ? [def.alias] : []) nameOf.set(a, name);
  }
  const values = new Map<string, string[]>();
  for (let i = 0; i < rest.length; i++) {
    const token = rest[i]!;
    if (token === "--") break;
    const long = /^--([^=]+)(?:=(.*))?$/s.exec(token);
    const short = long ? null : /^-([^-])(.*)$/s.exec(token);
    const key = long?.[1] ?? short?.[1];
    const name = key === undefined ? undefined : nameOf.get(key);
    if (name === undefined) continue;
    let value = long ? long[2] : short![2] === "" ? undefined : short![2];
    if (value === undefined) {
      const next = rest[i + 1];
      if (next === undefined || (next.startsWith("-") && next !== "-")) continue;
      value = next;
      i++;
    }
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  const out: Record<string, string[]> = {};
  for (const [name, list] of values) {
    if (list.length < 2) continue;
    for (const [key, main] of nameOf) if (main === name) out[key] = list;
  }
  return out;
}

type ArgDefs = Record<string, { type?: string; alias?: string | string[]; description?: string }>;

/**
 * The positional arguments in `rest` as the parser will see them: tokens that are not options
 * or the values of string options (`--title x`, `-p 1`), and everything after `--`.
 */
export function positionalTokens(defs: ArgDefs, rest: string[]): string[] {
  const takesValue = new Set<string>();
  for (const [name, def] of Object.entries(defs)) {
    if (def.type !== "string") continue;
    takesValue.add(name);
    for (const a of Array.isArray(def.alias) ? def.alias : def.alias ? [def.alias] : []) takesValue.add(a);
  }
  const out: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const token = rest[i]!;
    if (token === "--") {
      out.push(...rest.slice(i + 1));
      break;
    }
    const isOption = token.startsWith("-") && token !== "-" && !/^-\d/.test(token);
    if (!isOption) {
      out.push(token);
      continue;
    }
    const long = token.startsWith("--");
    const name = long ? token.slice(2).split("=")[0]! : token.slice(1);
    const inline = long ? token.includes("=") : name.length > 1;
    const next = rest[i + 1];
    const needs = long ? takesValue.has(name) : takesValue.has(name[name.length - 1]!) && name.length === 1;
    if (needs && !inline && next !== undefined && !(next.startsWith("-") && next !== "-")) i++;
  }
  return out;
}

/** Refuses positional arguments beyond those the command defines (`rw create Two words` used to create "Two"). */
export function checkPositionals(defs: ArgDefs, rest: string[], path: string): void {
  const names = Object.entries(defs).filter(([, d]) => d.type === "positional").map(([n]) => n);
  const given = positionalTokens(defs, rest);
  if (given.length <= names.length) return;
  const extra = given.slice(names.length);
  const last = names[names.length - 1];
  if (last === undefined) {
    throw new RwError("usage", `rw ${path} takes no arguments, got ${extra.map((e) => JSON.stringify(e)).join(" ")}`, { hint: `see \`rw ${path} --help\`` });
  }
  const isId = /(^|_)id$|^dep$|^remote$|^path$|^file$/.test(last);
  if (isId) {
    const what = (defs[last]?.description ?? last).replace(/\s*\(.*$/, "");
    throw new RwError("usage", `rw ${path} takes one ${what}, got ${extra.length + 1}: ${given.slice(names.length - 1).join(" ")}`, {
      hint: `run \`rw ${path}\` once for each; see \`rw ${path} --help\``,
    });
  }
  const words = given.slice(names.length - 1).join(" ");
  throw new RwError("usage", `rw ${path} takes one ${last}, got ${extra.length + 1} words: ${words}`, {
    hint: `if they belong together, quote them: rw ${path} ${names.length > 1 ? `${given.slice(0, names.length - 1).join(" ")} ` : ""}${JSON.stringify(words)}`,
  });
}
