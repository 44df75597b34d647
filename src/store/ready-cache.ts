import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Counts } from "../domain/counts.ts";
import type { ReadyMemo } from "../domain/ready-memo.ts";
import { recordMap, type Initiative, type State, type Task } from "../domain/types.ts";
import { atomicWrite } from "./cache-journal.ts";
import { CACHE_VERSION } from "./state-cache.ts";

/*
 * The ready view of one tip, beside the index: every task that could be ready there (open or in
 * progress, every dependency closed) in `rw ready` order with its unblock count, the few fields
 * readiness still depends on (lease, defer date, initiative and phase) and those `rw ready`
 * prints, plus the tasks waiting for review. A `rw ready` at the same tip reads this (~100 KB
 * per 1,000 candidates) instead of decoding the whole state and ranking 10,000 tasks; leases and
 * defer dates are still checked against the clock on every call. Written by the first
 * unfiltered `rw ready` after a write, and by a one-shot writer that started from a view and
 * could carry its order (a chain of `rw claim --next`); a pure cache: wrong version, ref or tip,
 * or unreadable, and it is ignored.
 */

/** id, title, priority, type, labels, created_at, status, assignee, lease_until, defer_until, initiative, phase, unblocks */
type Row = [string, string, number, string, string[], string, Task["status"], string | null, string | null, string | null, string | null, number | null, number];

interface ReadyFile {
  v: number;
  ref: string;
  tip: string;
  /** Initiatives as far as readiness reads them (status, phase statuses). */
  initiatives: Array<[string, Initiative["status"], Array<[number, string]>]>;
  review: Array<{ id: string; title: string; priority: number; updated_at: string }>;
  order: Row[];
}

/** What `rw ready` needs of a tip: a state holding only the candidates, their order and counts, the review list. */
export interface ReadyView {
  state: State;
  memo: ReadyMemo;
  review: Array<{ id: string; title: string; priority: number; updated_at: string }>;
}

/*
 * A writer whose events kept the order (a claim: the task stays a candidate, in progress) saves
 * only a patch beside the view (`.ready.patch.json`): the rows that changed since the view's tip,
 * plus the small lists. Rewriting the whole view (~0.5 MB of JSON at 10,000 tasks) was ~10 ms of
 * every one-shot `rw claim --next`. A patch applies only to the view of the tip it names.
 */
interface PatchFile { v: number; ref: string; base: string; tip: string; rows: Row[]; initiatives: ReadyFile["initiatives"]; review: ReadyFile["review"] }

/** The view a writer read: its tip, its order (by identity: kept while the writer's memo keeps it) and the rows patched so far. */
export interface ReadyViewRef { base: string; order: readonly string[]; rows: Row[] }

/** Whether two ready orders list the same tasks in the same places (a patch of the view keeps its order). */
export function sameOrder(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Rows patched into a view before it is written whole again. */
const MAX_PATCH_ROWS = 256;

const stem = (dir: string, ref: string): string => join(dir, "cache", `${ref.replace(/[^A-Za-z0-9._-]/g, "_")}.v${CACHE_VERSION}.ready`);
const path = (dir: string, ref: string): string => `${stem(dir, ref)}.json`;
const patchPath = (dir: string, ref: string): string => `${stem(dir, ref)}.patch.json`;

const rowOf = (t: Task, counts: Counts): Row => [
  t.id, t.title, t.priority, t.type, t.labels, t.created_at, t.status, t.assignee ?? null, t.lease_until ?? null, t.defer_until ?? null, t.initiative ?? null, t.phase ?? null, counts.get(t.id) ?? 0,
];

function smallLists(state: State, reviewTasks?: Iterable<Task>): { initiatives: ReadyFile["initiatives"]; review: ReadyFile["review"] } {
  const initiatives: ReadyFile["initiatives"] = [];
  for (const id in state.initiatives) {
    const i = state.initiatives[id]!;
    initiatives.push([i.id, i.status, i.phases.map((p) => [p.n, p.status])]);
  }
  const review: ReadyFile["review"] = [];
  const inReview = function* (): Iterable<Task> {
    for (const id in state.tasks) if (state.tasks[id]!.status === "review") yield state.tasks[id]!;
  };
  for (const t of reviewTasks ?? inReview()) review.push({ id: t.id, title: t.title, priority: t.priority, updated_at: t.updated_at });
  return { initiatives, review };
}

/** Saves the ready view of `tip`; `review`: its tasks waiting for review, when the caller has them apart (else found by a scan). */
export function writeReadyView(dir: string, ref: string, tip: string, state: State, order: readonly string[], counts: Counts, reviewTasks?: Iterable<Task>): void {
  const rows: Row[] = [];
  for (const id of order) {
    const t = state.tasks[id];
    if (t) rows.push(rowOf(t, counts));
  }
  const file: ReadyFile = { v: CACHE_VERSION, ref, tip, ...smallLists(state, reviewTasks), order: rows };
  atomicWrite(path(dir, ref), JSON.stringify(file));
}

/**
 * Saves the view of `tip` as a patch of `view` (the view this writer started from, whose order
 * its events kept): the rows of `changed` tasks in that order, with those patched before.
 */
export function writeReadyPatch(dir: string, ref: string, view: ReadyViewRef, tip: string, state: State, changed: Iterable<string>, counts: Counts, reviewTasks?: Iterable<Task>): void {
  const rows = new Map(view.rows.map((r) => [r[0], r]));
  for (const id of changed) {
    const t = state.tasks[id];
    if (t && (rows.has(id) || view.order.includes(id))) rows.set(id, rowOf(t, counts));
  }
  if (rows.size > MAX_PATCH_ROWS) return writeReadyView(dir, ref, tip, state, view.order, counts, reviewTasks);
  const file: PatchFile = { v: CACHE_VERSION, ref, base: view.base, tip, rows: [...rows.values()], ...smallLists(state, reviewTasks) };
  atomicWrite(patchPath(dir, ref), JSON.stringify(file));
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}

/** The view of `tip` (the saved view, or the saved view with its patch applied) and the rows patched. */
function readFile(dir: string, ref: string, tip: string): { file: ReadyFile; base: string; patched: Row[] } | undefined {
  const file = readJson<ReadyFile>(path(dir, ref));
  if (!file || file.v !== CACHE_VERSION || file.ref !== ref || !Array.isArray(file.order)) return undefined;
  if (file.tip === tip) return { file, base: tip, patched: [] };
  const patch = readJson<PatchFile>(patchPath(dir, ref));
  if (!patch || patch.v !== CACHE_VERSION || patch.ref !== ref || patch.tip !== tip || patch.base !== file.tip || !Array.isArray(patch.rows)) return undefined;
  const at = new Map(file.order.map((r, i) => [r[0], i]));
  for (const row of patch.rows) {
    const i = at.get(row[0]);
    if (i === undefined) return undefined; // not a patch of this view
    file.order[i] = row;
  }
  return { file: { ...file, tip, initiatives: patch.initiatives, review: patch.review }, base: file.tip, patched: patch.rows };
}

/**
 * The ready order and unblock counts saved for `tip`, as a ready memo for a writer (what a
 * long-lived store would have kept): `rw claim --next` then ranks nothing and STATE.md's ready
 * list walks the order. `view`: what a patch of the next tip's view builds on.
 */
export function readReadyMemo(dir: string, ref: string, tip: string): { memo: ReadyMemo; view: ReadyViewRef } | undefined {
  const read = readFile(dir, ref, tip);
  if (!read) return undefined;
  const counts = new Map<string, number>();
  const order: string[] = [];
  for (const row of read.file.order) {
    counts.set(row[0], row[12]);
    order.push(row[0]);
  }
  return { memo: { counts, order, uses: 2 }, view: { base: read.base, order, rows: read.patched } };
}

/** The ready view saved for `tip`, or undefined (none, another tip, another version, unreadable). */
export function readReadyView(dir: string, ref: string, tip: string): ReadyView | undefined {
  const file = readFile(dir, ref, tip)?.file;
  if (!file) return undefined;
  const tasks = recordMap<Task>();
  const counts = new Map<string, number>();
  const order: string[] = [];
  // The candidates whose readiness depends on more than their place (ReadyMemo.special): a page then stops at its last row.
  const special = new Set<string>();
  for (const [id, title, priority, type, labels, created_at, status, assignee, lease_until, defer_until, initiative, phase, unblocks] of file.order) {
    if (status === "in_progress" || defer_until !== null || initiative !== null) special.add(id);
    // Only what readiness and `rw ready` read: a candidate has no open dependency left to list.
    const t = { id, title, priority, type, labels, deps: [], gates: [], created_at, updated_at: created_at, status, body: "", retry_count: 0, notes: [] } as Task;
    if (assignee !== null) t.assignee = assignee;
    if (lease_until !== null) t.lease_until = lease_until;
    if (defer_until !== null) t.defer_until = defer_until;
    if (initiative !== null) t.initiative = initiative;
    if (phase !== null) t.phase = phase;
    tasks[id] = t;
    counts.set(id, unblocks);
    order.push(id);
  }
  const initiatives = recordMap<Initiative>();
  for (const [id, status, phases] of file.initiatives) {
    initiatives[id] = { id, status, phases: phases.map(([n, s]) => ({ n, status: s, title: "" })) } as unknown as Initiative;
  }
  const state = { tasks, initiatives } as unknown as State;
  return { state, memo: { counts, order, uses: 2, special }, review: file.review };
}
