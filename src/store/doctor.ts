import { fold } from "../domain/fold.ts";
import { emptyState, type RwEvent, type State } from "../domain/types.ts";
import { LAYOUT_VERSION, layoutOf, renderAll } from "./layout.ts";
import { parseTree } from "./objects.ts";
import { foldCarrying, readAllEvents, saveSnapshot } from "./snapshot.ts";
import { readCache, type CacheFile } from "./state-cache.ts";
import { renderViews } from "../views/index.ts";
import { potentialOrder, readyFromMemo } from "../domain/ready-memo.ts";
import { readyPage } from "../domain/ready.ts";
import type { Store } from "./store.ts";
import { git } from "./git.ts";
import { listTree } from "./tree-write.ts";

export interface FileProblem { path: string; problem: "missing" | "unexpected" | "differs"; diff?: string[] }

export interface DoctorReport {
  ok: boolean;
  tip: string;
  events: number;
  tasks: number;
  files_checked: number;
  problems: FileProblem[];
  log_problems: string[];
  /** `git fsck`-level problems in rw's own commits on the ref (a NUL in a header makes remotes with receive.fsckObjects refuse every push). */
  commit_problems: string[];
  commits_checked: number;
  /** Files outside rw's layout (someone else's, e.g. added with git plumbing): listed, never a failure. */
  foreign: string[];
  index: "ok" | "rebuilt" | "absent";
}

/** The paths rw owns on the state ref: any of these that the events do not render is a problem. */
const OWNED_FILES = new Set(["README.md", "STATE.md", "BOARD.md", "PROBLEMS.md", "LAYOUT"]);
const OWNED_DIRS = ["tasks/", "events/", "initiatives/"];

export function isOwnedPath(path: string): boolean {
  return OWNED_FILES.has(path) || OWNED_DIRS.some((d) => path.startsWith(d));
}

/**
 * Replays the whole log from empty and checks every file on the tip is byte-for-byte what the
 * events render; checks the log itself (duplicate IDs, order) and the cached index. Files outside
 * rw's layout are someone else's (the ref is a plain branch anyone can commit to): rw keeps them
 * on every commit and doctor lists them as foreign instead of failing.
 */
export async function runDoctor(store: Store): Promise<DoctorReport> {
  const snap = await store.snapshot();
  const rootObj = await store.cat.read(snap.tree);
  const root = rootObj ? parseTree(rootObj.data, store.oidBytes) : [];
  const { events, shards } = await readAllEvents(store.source, root);
  const log_problems = checkLog(events);
  const state = fold(events, emptyState());
  // Checked against the layout the tip says it has (LAYOUT): a repository from before shard rolling stays valid.
  const layout = layoutOf(root, (data) => store.writer.hash("blob", data));
  const expected = renderAll(state, events, layout ?? LAYOUT_VERSION);
  const actual = await listTree(store.cat, snap.tree, store.oidBytes);
  const problems: FileProblem[] = [];
  for (const [path, text] of expected) {
    const oid = actual.get(path);
    if (oid === undefined) problems.push({ path, problem: "missing" });
    else if (oid !== store.writer.hash("blob", Buffer.from(text))) {
      const got = (await store.cat.read(oid))?.data.toString("utf8") ?? "";
      problems.push({ path, problem: "differs", diff: lineDiff(text, got) });
    }
  }
  const foreign: string[] = [];
  for (const path of actual.keys()) {
    if (expected.has(path)) continue;
    if (isOwnedPath(path)) problems.push({ path, problem: "unexpected" });
    else foreign.push(path);
  }

  const commits = await checkCommits(store, snap.tip);
  let index: DoctorReport["index"] = "absent";
  const cache = await readCache(store.source.cacheDir, store.ref, foldCarrying);
  // The index holds the state and the view index: both must be what the log gives.
  if (cache && cache.tip === snap.tip) index = canonical(cache.state) === canonical(state) && sameViews(cache, state) ? "ok" : "rebuilt";
  if (index !== "ok" && problems.length === 0) await saveSnapshot(store.source, { ...snap, state, shards, journal: undefined });
  return {
    ok: problems.length === 0 && log_problems.length === 0 && commits.problems.length === 0,
    tip: snap.tip, events: events.length, tasks: Object.keys(state.tasks).length, files_checked: expected.size, problems, log_problems,
    commit_problems: commits.problems, commits_checked: commits.checked, foreign: foreign.sort(), index,
  };
}

/**
 * The checks `git fsck` makes on a commit object, for every commit on the state ref: headers in
 * order (tree, parents, author, committer), well-formed identities and dates, no NUL anywhere
 * (nulInHeader / nulInCommit). Only rw's ref: the user's own history is not rw's to judge.
 */
async function checkCommits(store: Store, tip: string): Promise<{ checked: number; problems: string[] }> {
  const r = await git(["rev-list", tip], { cwd: store.repo.gitDir });
  const oids = r.stdout.split("\n").filter(Boolean);
  const problems: string[] = [];
  const reads = oids.map((oid) => store.cat.read(oid));
  for (let i = 0; i < oids.length; i++) {
    const obj = await reads[i]!;
    const oid = oids[i]!.slice(0, 12);
    if (!obj) {
      problems.push(`commit ${oid}: missing (run \`rw doctor --repair\`)`);
      continue;
    }
    for (const p of commitProblems(obj.data)) if (problems.length < 50) problems.push(`commit ${oid}: ${p}`);
  }
  return { checked: oids.length, problems };
}

const IDENT = /^[^<>\n]* <[^<>\n]*> \d{1,12} [+-]\d{4}$/;

export function commitProblems(data: Buffer): string[] {
  const out: string[] = [];
  const end = data.indexOf("\n\n");
  const header = (end < 0 ? data : data.subarray(0, end)).toString("utf8");
  if (header.includes("\0")) out.push("NUL in a header (git fsck: nulInHeader)");
  else if (end >= 0 && data.subarray(end).includes(0)) out.push("NUL in the message (git fsck: nulInCommit)");
  const lines = header.split("\n");
  let i = 0;
  if (!/^tree [0-9a-f]{40,64}$/.test(lines[i] ?? "")) out.push("no tree line first (git fsck: missingTree)");
  else i++;
  while (/^parent /.test(lines[i] ?? "")) {
    if (!/^parent [0-9a-f]{40,64}$/.test(lines[i]!)) out.push("bad parent line (git fsck: badParentSha1)");
    i++;
  }
  for (const field of ["author", "committer"]) {
    const line = lines[i] ?? "";
    if (!line.startsWith(`${field} `)) out.push(`no ${field} line (git fsck: missing${field[0]!.toUpperCase()}${field.slice(1)})`);
    else {
      if (!IDENT.test(line.slice(field.length + 1).replaceAll("\0", ""))) out.push(`malformed ${field} "${line.slice(0, 80).replace(/[^\x20-\x7e]/g, "?")}" (git fsck: bad${field === "author" ? "Name" : "Email"} / badDate)`);
      i++;
    }
  }
  return out;
}

function checkLog(events: RwEvent[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const e of events) {
    if (seen.has(e.id)) out.push(`event ${e.id} appears more than once`);
    seen.add(e.id);
  }
  return out;
}

/** JSON with sorted keys, so two states compare equal regardless of key insertion order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
}

/** A short diff: the differing lines, expected (-) against found (+), at most 20. */
function lineDiff(expected: string, actual: string): string[] {
  const a = expected.split("\n");
  const b = actual.split("\n");
  const out: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length) && out.length < 20; i++) {
    if (a[i] === b[i]) continue;
    if (a[i] !== undefined) out.push(`-${i + 1}: ${a[i]}`);
    if (b[i] !== undefined) out.push(`+${i + 1}: ${b[i]}`);
  }
  return out;
}

/**
 * Whether the index's view index and ready order (when it has them) are the log's: the same
 * STATE.md and BOARD.md, the same candidates in the same order with the same unblock counts.
 */
function sameViews(cache: CacheFile, state: State): boolean {
  const { index, readyMemo: memo } = cache.derived?.() ?? {};
  if (memo?.order) {
    const counts = new Map<string, number>();
    const order = potentialOrder(state, counts);
    if (order.join() !== memo.order.join() || order.some((id) => counts.get(id) !== memo.counts.get(id))) return false;
    if (readyFromMemo(cache.state, state.last_ts, 10, memo)?.total !== readyPage(state, state.last_ts, 10).total) return false;
  }
  if (!index) return true;
  const fresh = renderViews(state);
  const kept = renderViews(cache.state, { index });
  return fresh["STATE.md"] === kept["STATE.md"] && fresh["BOARD.md"] === kept["BOARD.md"];
}
