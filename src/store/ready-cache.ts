import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ReadyMemo } from "../domain/ready-memo.ts";
import { recordMap, type Initiative, type State, type Task } from "../domain/types.ts";
import { atomicWrite, CACHE_VERSION } from "./state-cache.ts";

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

const path = (dir: string, ref: string): string => join(dir, "cache", `${ref.replace(/[^A-Za-z0-9._-]/g, "_")}.v${CACHE_VERSION}.ready.json`);

/** Saves the ready view of `tip`; `review`: its tasks waiting for review, when the caller has them apart (else found by a scan). */
export function writeReadyView(dir: string, ref: string, tip: string, state: State, order: readonly string[], counts: Map<string, number>, reviewTasks?: Iterable<Task>): void {
  const rows: Row[] = [];
  for (const id of order) {
    const t = state.tasks[id];
    if (!t) continue;
    rows.push([t.id, t.title, t.priority, t.type, t.labels, t.created_at, t.status, t.assignee ?? null, t.lease_until ?? null, t.defer_until ?? null, t.initiative ?? null, t.phase ?? null, counts.get(id) ?? 0]);
  }
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
  const file: ReadyFile = { v: CACHE_VERSION, ref, tip, initiatives, review, order: rows };
  atomicWrite(path(dir, ref), JSON.stringify(file));
}

function readFile(dir: string, ref: string, tip: string): ReadyFile | undefined {
  let file: ReadyFile;
  try {
    file = JSON.parse(readFileSync(path(dir, ref), "utf8")) as ReadyFile;
  } catch {
    return undefined;
  }
  return file.v === CACHE_VERSION && file.ref === ref && file.tip === tip && Array.isArray(file.order) ? file : undefined;
}

/**
 * The ready order and unblock counts saved for `tip`, as a ready memo for a writer (what a
 * long-lived store would have kept): `rw claim --next` then ranks nothing and STATE.md's ready
 * list walks the order.
 */
export function readReadyMemo(dir: string, ref: string, tip: string): ReadyMemo | undefined {
  const file = readFile(dir, ref, tip);
  if (!file) return undefined;
  const counts = new Map<string, number>();
  const order: string[] = [];
  for (const row of file.order) {
    counts.set(row[0], row[12]);
    order.push(row[0]);
  }
  return { counts, order, uses: 2 };
}

/** The ready view saved for `tip`, or undefined (none, another tip, another version, unreadable). */
export function readReadyView(dir: string, ref: string, tip: string): ReadyView | undefined {
  const file = readFile(dir, ref, tip);
  if (!file) return undefined;
  const tasks = recordMap<Task>();
  const counts = new Map<string, number>();
  const order: string[] = [];
  for (const [id, title, priority, type, labels, created_at, status, assignee, lease_until, defer_until, initiative, phase, unblocks] of file.order) {
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
  return { state, memo: { counts, order, uses: 2 }, review: file.review };
}
