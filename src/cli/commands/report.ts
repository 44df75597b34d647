import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname, homedir, release, type as osType, userInfo, arch } from "node:os";
import { join, resolve } from "node:path";
import { anonymise, redactConfigText, type Identity } from "../../domain/anonymise.ts";
import { RwError } from "../../domain/errors.ts";
import type { RwEvent, Session, State } from "../../domain/types.ts";
import { lookup } from "../../domain/types.ts";
import { git } from "../../store/git.ts";
import { packageVersion } from "../../store/package-root.ts";
import { rwDir } from "../../store/repo.ts";
import { readAllEvents } from "../../store/snapshot.ts";
import type { Store } from "../../store/store.ts";
import { jsonArg, one } from "../args.ts";
import { defineRw } from "../command.ts";
import { printJson } from "../output.ts";
import { withSnapshot } from "../read.ts";

const EVENTS_SHOWN = 300;
const TRANSCRIPT_LINES = 200;

export default defineRw({
  meta: { name: "report", description: "Write one anonymised diagnostic file for a bug report: versions, redacted config, doctor, the last session's events and transcripts" },
  args: {
    session: { type: "string", description: "this session instead of the latest (an ID from rw status or STATE.md)" },
    full: { type: "boolean", description: "every event and whole transcripts (default: the last 300 events, the last 200 lines of each transcript)" },
    out: { type: "string", alias: "o", description: "write here instead of .git/rewind/reports/" },
    ...jsonArg,
  },
  examples: ["rw report", "rw report --session 01JD8X… --full", "rw report -o /tmp/rw-report.md"],
  async run({ args }) {
    await withSnapshot(async (snap, store, ctx) => {
      const now = ctx.now();
      const { events } = await readAllEvents(store.source, snap.root);
      const session = pickSession(snap.state, one(args.session));
      const full = Boolean(args.full);
      const sections = [
        `# rw diagnostic report`,
        "",
        `Generated ${now.toISOString()} by \`rw report${full ? " --full" : ""}\`. Paths under the home folder, the user's names and`,
        "secrets are replaced; read it before you attach it anyway.",
        "",
        "## Versions",
        "",
        ...(await versions()),
        "",
        ...(await repository(store, snap.state, events.length, snap.tip)),
        ...configSection(store),
        ...(await doctorSection(store, full)),
        ...sessionSection(store, snap.state, events, session, full),
      ];
      const who = await identity(store);
      const { redact, secretValues } = await import("../../agents/redact.ts");
      const text = redact(anonymise(`${sections.join("\n")}\n`, who), secretValues(ctx.env));
      const path = one(args.out) !== undefined ? resolve(ctx.cwd, one(args.out)!) : join(rwDir(store.repo), "reports", `rw-report-${now.toISOString().replace(/[:.]/g, "-")}.md`);
      try {
        mkdirSync(join(path, ".."), { recursive: true });
        writeFileSync(path, text, { mode: 0o600 });
      } catch (err) {
        throw new RwError("invalid_input", `cannot write the report to ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      if (args.json) return printJson(ctx, { path, bytes: Buffer.byteLength(text), session: session?.id ?? null });
      ctx.stdout(`${path}\n`);
      ctx.stderr(`rw: wrote ${Buffer.byteLength(text)} bytes${session ? ` (session ${session.id})` : " (no agent session recorded yet)"}; attach this file to your bug report\n`);
    });
  },
});

function pickSession(state: State, wanted: string | undefined): Session | undefined {
  const all = Object.values(state.sessions).sort((a, b) => (a.started_at < b.started_at ? -1 : a.started_at > b.started_at ? 1 : a.id < b.id ? -1 : 1));
  if (wanted === undefined) return all[all.length - 1];
  const exact = lookup(state.sessions, wanted);
  if (exact) return exact;
  const matches = all.filter((s) => s.id.toLowerCase().startsWith(wanted.toLowerCase()));
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) throw new RwError("usage", `session ID ${JSON.stringify(wanted)} is ambiguous: ${matches.map((s) => s.id).join(", ")}`);
  throw new RwError("not_found", `no session ${JSON.stringify(wanted)}`, { hint: all.length > 0 ? `the latest is ${all[all.length - 1]!.id}` : "no agent session has been recorded (rw run records them)" });
}

async function versions(): Promise<string[]> {
  const gitVersion = await git(["--version"], { cwd: process.cwd() }).then((r) => r.stdout.trim(), () => "git: not found");
  return [`- rw ${packageVersion()}`, `- node ${process.version}`, `- ${gitVersion}`, `- os ${osType()} ${release()} (${arch()})`];
}

async function repository(store: Store, state: State, events: number, tip: string): Promise<string[]> {
  const shallow = await git(["rev-parse", "--is-shallow-repository"], { cwd: store.repo.gitDir }).then((r) => r.stdout.trim(), () => "unknown");
  const counts: Record<string, number> = {};
  for (const t of Object.values(state.tasks)) counts[t.status] = (counts[t.status] ?? 0) + 1;
  return [
    "## Repository", "",
    `- state ref ${store.ref} at ${tip.slice(0, 12)}: ${events} events, ${Object.keys(state.tasks).length} tasks (${Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(", ") || "none"}), ${Object.keys(state.initiatives).length} initiatives, ${Object.keys(state.sessions).length} sessions`,
    `- bare: ${store.repo.worktree === undefined}; linked worktree: ${store.repo.worktree !== store.repo.mainWorktree}; shallow: ${shallow}; object format ${store.repo.objectFormat}`,
    "",
  ];
}

function configSection(store: Store): string[] {
  const out = ["## Configuration", ""];
  if (store.configFile === undefined) return [...out, "No .rewind/config.toml: the defaults apply.", ""];
  let text: string;
  try {
    text = readFileSync(store.configFile, "utf8");
  } catch (err) {
    return [...out, `${store.configFile} could not be read: ${(err as NodeJS.ErrnoException).code ?? "error"}`, ""];
  }
  return [...out, `${store.configFile} (values of secret-named keys replaced):`, "", "```toml", redactConfigText(text.trimEnd(), secretKey, "[REDACTED]"), "```", ""];
}

const secretKey = (k: string): boolean => /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL)/i.test(k);

async function doctorSection(store: Store, full: boolean): Promise<string[]> {
  const { runDoctor } = await import("../../store/doctor.ts");
  try {
    const r = await runDoctor(store);
    const problems = r.problems.map((p) => ({ ...p, ...(p.diff && !full ? { diff: p.diff.slice(0, 20) } : {}) }));
    return ["## rw doctor", "", "```json", JSON.stringify({ ...r, problems }, null, 2), "```", ""];
  } catch (err) {
    return ["## rw doctor", "", `rw doctor failed: ${err instanceof Error ? err.message : String(err)}`, ""];
  }
}

function sessionSection(store: Store, state: State, events: readonly RwEvent[], s: Session | undefined, full: boolean): string[] {
  if (!s) return ["## Last session", "", "No agent session recorded yet (`rw run` records them). The last events:", "", "```jsonl", ...events.slice(-50).map((e) => JSON.stringify(e)), "```", ""];
  const end = s.ended_at ?? "\uffff";
  const inSession = events.filter((e) => e.data.session === s.id || (e.ts >= s.started_at && e.ts <= end));
  const shown = full ? inSession : inSession.slice(-EVENTS_SHOWN);
  const tasks = [...new Set([...s.tasks, ...inSession.flatMap((e) => (e.task ? [e.task] : []))])].filter((id) => lookup(state.tasks, id));
  const out = [
    `## Session ${s.id}`, "",
    `- by ${s.actor}, started ${s.started_at}${s.ended_at ? `, ended ${s.ended_at} (${s.outcome ?? "ended"})` : ", still running or interrupted"}; tasks: ${tasks.join(", ") || "none"}`,
    "", `### Events (${shown.length} of ${inSession.length})`, "", "```jsonl", ...shown.map((e) => JSON.stringify(e)), "```", "",
  ];
  for (const id of tasks) {
    let text: string;
    try {
      text = readFileSync(join(rwDir(store.repo), "logs", `${id}.log`), "utf8");
    } catch {
      continue;
    }
    const lines = text.trimEnd().split("\n");
    const kept = full ? lines : lines.slice(-TRANSCRIPT_LINES);
    out.push(`### Transcript of ${id} (${kept.length} of ${lines.length} lines)`, "", "```text", ...kept.map((l) => l.replaceAll("```", "'''")), "```", "");
  }
  return out;
}

async function identity(store: Store): Promise<Identity> {
  const names: Identity["names"] = [];
  try {
    names.push([userInfo().username, "<user>"]);
  } catch {
    // no passwd entry (containers): nothing to replace
  }
  const cfg = await git(["config", "--get-regexp", "^user\\.(name|email)$"], { cwd: store.repo.worktree ?? store.repo.gitDir }).then((r) => r.stdout, () => "");
  for (const line of cfg.split("\n").filter(Boolean)) {
    const value = line.slice(line.indexOf(" ") + 1);
    names.push([value, line.startsWith("user.email") ? "<email>" : "<user>"]);
  }
  names.push([hostname(), "<host>"]);
  return { home: homedir(), names };
}
