import type { RwEvent } from "../domain/types.ts";
import { git } from "./git.ts";
import { taskPath } from "./layout.ts";
import { readAllEvents } from "./snapshot.ts";
import type { Store } from "./store.ts";

/** A commit on the state ref that touched a task file, with the events its trailers name. */
export interface TaskCommit {
  commit: string;
  author: string;
  ts: string;
  subject: string;
  event_ids: string[];
}

/** One line of a task's history: an event (with the commit that recorded it, when known) or a commit with no event. */
export interface HistoryEntry {
  ts: string;
  actor: string;
  type: string;
  commit?: string;
  event?: RwEvent;
  subject?: string;
}

/** Events about a task: its own, and agent tool calls made while working on it. */
export function isAbout(e: RwEvent, id: string): boolean {
  return e.task === id || (e.data as { task?: unknown }).task === id;
}

/** `git log <ref> -- tasks/<id>.md tasks/<a>/<b>/<id>.md` (both forms of layout 3), with the `Rewind-Event` trailers of each commit. */
export async function taskCommits(store: Store, id: string, tip: string): Promise<TaskCommit[]> {
  const fmt = "%H%x1f%an%x1f%aI%x1f%s%x1f%(trailers:key=Rewind-Event,valueonly,separator=%x2c)%x1e";
  const r = await git(["log", `--format=${fmt}`, tip, "--", taskPath(id, false), taskPath(id, true)], { cwd: store.repo.worktree ?? store.repo.gitDir });
  if (r.code !== 0) return [];
  const out: TaskCommit[] = [];
  for (const rec of r.stdout.split("\x1e")) {
    const [commit, author, ts, subject, trailers] = rec.replace(/^\n/, "").split("\x1f");
    if (!commit || !ts) continue;
    const event_ids = (trailers ?? "").split(",").map((t) => t.trim().split(" ")[0] ?? "").filter((s) => s !== "");
    out.push({ commit, author: author ?? "", ts: new Date(ts).toISOString(), subject: subject ?? "", event_ids });
  }
  return out.reverse();
}

/**
 * A task's history: its events (including `agent.tool_called` on it) joined with the commits
 * that touched its file; a commit no event explains (a hand-made commit) is listed on its own.
 */
export async function taskHistory(store: Store, id: string): Promise<HistoryEntry[]> {
  const snap = await store.snapshot();
  const [{ events }, commits] = await Promise.all([readAllEvents(store.source, snap.root), taskCommits(store, id, snap.tip)]);
  const commitOf = new Map<string, string>();
  for (const c of commits) for (const e of c.event_ids) commitOf.set(e, c.commit);
  const entries: HistoryEntry[] = [];
  const explained = new Set<string>();
  for (const e of events) {
    if (!isAbout(e, id)) continue;
    const commit = commitOf.get(e.id);
    if (commit) explained.add(commit);
    entries.push({ ts: e.ts, actor: e.actor, type: e.type, ...(commit ? { commit } : {}), event: e });
  }
  for (const c of commits) {
    if (explained.has(c.commit)) continue;
    entries.push({ ts: c.ts, actor: c.author, type: "commit", commit: c.commit, subject: c.subject });
  }
  return entries.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
}

/** One line per entry: what happened, in words (shared by `rw history` and the MCP tool). */
export function describeEntry(x: HistoryEntry): string {
  if (!x.event) return `commit ${x.commit?.slice(0, 10) ?? ""} ${x.subject ?? ""}`.trim();
  const d = x.event.data;
  if (x.type === "agent.tool_called") {
    const parts = [summary(d.tool ?? "?"), d.args ? summary(d.args) : "", d.result ? `-> ${summary(d.result)}` : ""];
    return parts.filter(Boolean).join(" ");
  }
  const parts: string[] = [];
  const prev = d.prev as Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(d)) {
    if (k === "prev" || k === "body") continue;
    const text = summary(v);
    parts.push(prev && k in prev ? `${k}: ${JSON.stringify(prev[k])} -> ${text}` : `${k}: ${text}`);
  }
  if ("body" in d) parts.push("body changed");
  return parts.join(", ");
}

function summary(v: unknown): string {
  const text = typeof v === "string" ? v : JSON.stringify(v);
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}
