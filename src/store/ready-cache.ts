import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Counts } from "../domain/counts.ts";
import { lazyRecord, sortedPositions } from "../domain/lazy-record.ts";
import { isSpecial, readyInOrder, type ReadyMemo } from "../domain/ready-memo.ts";
import { readyItem, readyItemJson } from "../domain/ready.ts";
import { lookup, recordMap, type Initiative, type State, type Task } from "../domain/types.ts";
import { packStrings, packUints, unpackStrings, unpackUints } from "../format/packed.ts";
import { atomicWrite, headerLine } from "./cache-journal.ts";
import { CACHE_VERSION } from "./state-cache.ts";

/*
 * The ready view of one tip, beside the index: every task that could be ready there (open or in
 * progress, every dependency closed) in `rw ready` order with its unblock count, the few fields
 * readiness still depends on (lease, defer date, initiative and phase) and those `rw ready`
 * prints, plus the tasks waiting for review. A `rw ready` at the same tip reads this instead of
 * decoding the whole state and ranking 10,000 tasks; leases and defer dates are still checked
 * against the clock on every call. Written by the first unfiltered `rw ready` after a write, and
 * by a one-shot writer that started from a view and could carry its order (a chain of
 * `rw claim --next`); a pure cache: wrong version, ref or tip, or unreadable, and it is ignored.
 *
 * The file: one line of JSON (the header: the order's IDs, unblock counts and special positions,
 * packed), then one line per candidate: the task as `rw ready --json` prints it, a tab, and the
 * rest of its row. Only the rows a command looks at are parsed: `rw ready --json` copies the
 * printed part of every candidate that is ready by its place alone (issue 17: at 100,000 tasks
 * parsing the whole view as one JSON document was most of the command), `rw ready -n 10`
 * parses ten, and a writer's `claim --next` reads the header only.
 */

/** id, title, priority, type, labels, created_at, status, assignee, lease_until, defer_until, initiative, phase, unblocks */
type Row = [string, string, number, string, string[], string, Task["status"], string | null, string | null, string | null, string | null, number | null, number];

interface Header {
  v: number;
  ref: string;
  tip: string;
  /** Initiatives as far as readiness reads them (status, phase statuses). */
  initiatives: Array<[string, Initiative["status"], Array<[number, string]>]>;
  review: Array<{ id: string; title: string; priority: number; updated_at: string }>;
  /** Packed (format/packed.ts): the order's IDs, their unblock counts, the positions of the special ones, each line's and its printed part's length, the IDs' sorted positions. */
  order: string | string[];
  counts: string;
  special: string;
  lines: string;
  printed: string;
  by_id: string;
}

/** What `rw ready` needs of a tip: a state holding only the candidates, their order and counts, the review list. */
export interface ReadyView {
  state: State;
  memo: ReadyMemo;
  review: Array<{ id: string; title: string; priority: number; updated_at: string }>;
  /** The ready tasks at `now` in order, as `rw ready --json` prints each (the first `limit`), and how many are ready. */
  printed(now: string, limit: number): { total: number; tasks: Buffer[] };
}

/*
 * A writer whose events kept the order (a claim: the task stays a candidate, in progress) saves
 * only a patch beside the view (`.ready.patch.json`): the rows that changed since the view's tip,
 * plus the small lists. Rewriting the whole view (~0.5 MB at 10,000 tasks) was ~10 ms of every
 * one-shot `rw claim --next`. A patch applies only to the view of the tip it names.
 */
interface PatchFile { v: number; ref: string; base: string; tip: string; rows: Row[]; initiatives: Header["initiatives"]; review: Header["review"] }

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

/** Only what readiness and `rw ready` read: a candidate has no open dependency left to list. */
function taskOf(row: Row): Task {
  const [id, title, priority, type, labels, created_at, status, assignee, lease_until, defer_until, initiative, phase] = row;
  const t = { id, title, priority, type, labels, deps: [], gates: [], created_at, updated_at: created_at, status, body: "", retry_count: 0, notes: [] } as unknown as Task;
  if (assignee !== null) t.assignee = assignee;
  if (lease_until !== null) t.lease_until = lease_until;
  if (defer_until !== null) t.defer_until = defer_until;
  if (initiative !== null) t.initiative = initiative;
  if (phase !== null) t.phase = phase;
  return t;
}

/** A row's printed part (what `rw ready --json` shows of a task ready by its place) and the rest, as the line keeps them. */
function lineOf(row: Row): { printed: string; line: string } {
  const printed = JSON.stringify(readyItemJson({ task: taskOf(row), unblocks: row[12] }));
  return { printed, line: `${printed}\t${JSON.stringify(row.slice(6, 12))}\n` };
}

function smallLists(state: State, reviewTasks?: Iterable<Task>): { initiatives: Header["initiatives"]; review: Header["review"] } {
  const initiatives: Header["initiatives"] = [];
  for (const id in state.initiatives) {
    const i = state.initiatives[id]!;
    initiatives.push([i.id, i.status, i.phases.map((p) => [p.n, p.status])]);
  }
  const review: Header["review"] = [];
  const inReview = function* (): Iterable<Task> {
    for (const id in state.tasks) if (state.tasks[id]!.status === "review") yield state.tasks[id]!;
  };
  for (const t of reviewTasks ?? inReview()) review.push({ id: t.id, title: t.title, priority: t.priority, updated_at: t.updated_at });
  return { initiatives, review };
}

/** Saves the ready view of `tip`; `review`: its tasks waiting for review, when the caller has them apart (else found by a scan). */
export function writeReadyView(dir: string, ref: string, tip: string, state: State, order: readonly string[], counts: Counts, reviewTasks?: Iterable<Task>): void {
  const ids: string[] = [];
  const unblocks: number[] = [];
  const special: number[] = [];
  const lines: string[] = [];
  const lineLen: number[] = [];
  const printedLen: number[] = [];
  for (const id of order) {
    const t = state.tasks[id];
    if (!t) continue;
    const row = rowOf(t, counts);
    const { printed, line } = lineOf(row);
    if (isSpecial(t)) special.push(ids.length);
    ids.push(id);
    unblocks.push(row[12]);
    lines.push(line);
    lineLen.push(Buffer.byteLength(line));
    printedLen.push(Buffer.byteLength(printed));
  }
  const header: Header = {
    v: CACHE_VERSION, ref, tip, ...smallLists(state, reviewTasks), order: packStrings(ids), counts: packUints(unblocks), special: packUints(special),
    lines: packUints(lineLen), printed: packUints(printedLen), by_id: packUints(sortedPositions(ids)),
  };
  atomicWrite(path(dir, ref), `${JSON.stringify(header)}\n${lines.join("")}`);
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

/** A view file as read: its header, the order, and where each line (and its printed part) lies. */
interface ViewFile { header: Header; ids: string[]; counts: Uint32Array; special: Uint32Array; byId: Uint32Array | undefined; buf: Buffer; lineAt: Float64Array; printed: Uint32Array }

function readView(file: string, ref: string): ViewFile | undefined {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch {
    return undefined;
  }
  const first = headerLine<Header>(buf);
  if (!first) return undefined;
  const { header, nl } = first;
  if (header.v !== CACHE_VERSION || header.ref !== ref || typeof header.tip !== "string" || !Array.isArray(header.review) || !Array.isArray(header.initiatives)) return undefined;
  const ids = unpackStrings(header.order);
  const counts = unpackUints(header.counts);
  const special = unpackUints(header.special);
  const lines = unpackUints(header.lines);
  const printed = unpackUints(header.printed);
  const n = ids?.length ?? -1;
  if (!ids || counts?.length !== n || !special || lines?.length !== n || printed?.length !== n || special.some((p) => p >= n)) return undefined;
  const lineAt = new Float64Array(n + 1);
  let off = nl + 1;
  for (let i = 0; i < n; i++) {
    lineAt[i] = off;
    if (printed[i]! >= lines[i]!) return undefined;
    off += lines[i]!;
  }
  lineAt[n] = off;
  if (off !== buf.length) return undefined; // truncated or padded: not a file we wrote
  return { header, ids, counts, special, byId: unpackUints(header.by_id), buf, lineAt, printed };
}

/** Row `i` of a view file (undefined when its line does not parse: the view is then not used). */
function rowAt(f: ViewFile, i: number): Row | undefined {
  try {
    const start = f.lineAt[i]!;
    const cut = start + f.printed[i]!;
    if (f.buf[cut] !== 0x09 || f.buf[f.lineAt[i + 1]! - 1] !== 0x0a) return undefined;
    const shown = JSON.parse(f.buf.toString("utf8", start, cut)) as { id: string; title: string; priority: number; type: string; labels: string[]; unblocks: number; created_at: string };
    const rest = JSON.parse(f.buf.toString("utf8", cut + 1, f.lineAt[i + 1]! - 1)) as unknown[];
    if (shown.id !== f.ids[i] || !Array.isArray(rest) || rest.length !== 6) return undefined;
    return [shown.id, shown.title, shown.priority, shown.type, shown.labels, shown.created_at, ...rest, shown.unblocks] as Row;
  } catch {
    return undefined;
  }
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}

/** The view of `tip`: the saved view, and the patch's rows (by ID) and small lists when the view is of the tip before. */
function readFile(dir: string, ref: string, tip: string): { file: ViewFile; base: string; patched: Map<string, Row>; initiatives: Header["initiatives"]; review: Header["review"] } | undefined {
  const file = readView(path(dir, ref), ref);
  if (!file) return undefined;
  const { header } = file;
  if (header.tip === tip) return { file, base: tip, patched: new Map(), initiatives: header.initiatives, review: header.review };
  const patch = readJson<PatchFile>(patchPath(dir, ref));
  if (!patch || patch.v !== CACHE_VERSION || patch.ref !== ref || patch.tip !== tip || patch.base !== header.tip || !Array.isArray(patch.rows)) return undefined;
  const inView = new Set(file.ids);
  if (!patch.rows.every((r) => inView.has(r[0]))) return undefined; // not a patch of this view
  return { file, base: header.tip, patched: new Map(patch.rows.map((r) => [r[0], r])), initiatives: patch.initiatives, review: patch.review };
}

function countsOf(file: ViewFile, patched: ReadonlyMap<string, Row>): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < file.ids.length; i++) counts.set(file.ids[i]!, file.counts[i]!);
  for (const [id, row] of patched) counts.set(id, row[12]);
  return counts;
}

/**
 * The ready order and unblock counts saved for `tip`, as a ready memo for a writer (what a
 * long-lived store would have kept): `rw claim --next` then ranks nothing and STATE.md's ready
 * list walks the order. `view`: what a patch of the next tip's view builds on.
 */
export function readReadyMemo(dir: string, ref: string, tip: string): { memo: ReadyMemo; view: ReadyViewRef } | undefined {
  const read = readFile(dir, ref, tip);
  if (!read) return undefined;
  const order = read.file.ids;
  return { memo: { counts: countsOf(read.file, read.patched), order, uses: 2 }, view: { base: read.base, order, rows: [...read.patched.values()] } };
}

/** The ready view saved for `tip`, or undefined (none, another tip, another version, unreadable). */
export function readReadyView(dir: string, ref: string, tip: string): ReadyView | undefined {
  const read = readFile(dir, ref, tip);
  if (!read) return undefined;
  const { file, patched } = read;
  const { ids } = file;
  const bad = (): never => {
    throw new Error(`unreadable ready view ${path(dir, ref)}`);
  };
  const tasks = lazyRecord<Task>(ids, (i) => taskOf(patched.get(ids[i]!) ?? rowAt(file, i) ?? bad()), undefined, undefined, file.byId);
  // The candidates whose readiness depends on more than their place (ReadyMemo.special): a page then stops at its last row.
  const special = new Set<string>();
  for (const p of file.special) if (!patched.has(ids[p]!)) special.add(ids[p]!);
  for (const [id, row] of patched) if (isSpecial(taskOf(row))) special.add(id);
  const initiatives = recordMap<Initiative>();
  for (const [id, status, phases] of read.initiatives) {
    initiatives[id] = { id, status, phases: phases.map(([n, s]) => ({ n, status: s, title: "" })) } as unknown as Initiative;
  }
  const state = { tasks, initiatives } as unknown as State;
  let memo: ReadyMemo | undefined;
  return {
    state,
    review: read.review,
    get memo() {
      return (memo ??= { counts: countsOf(file, patched), order: ids, uses: 2, special });
    },
    printed(now, limit) {
      const out: Buffer[] = [];
      let total = 0;
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i]!;
        if (!special.has(id) && !patched.has(id)) {
          // Open, not deferred, in no initiative, and in the order: ready by its place.
          total++;
          if (out.length < limit) out.push(file.buf.subarray(file.lineAt[i], file.lineAt[i]! + file.printed[i]!));
          continue;
        }
        const t = lookup(tasks, id)!;
        if (!readyInOrder(state, t, now)) continue;
        total++;
        if (out.length >= limit) continue;
        out.push(Buffer.from(JSON.stringify(readyItemJson(readyItem(t, patched.get(id)?.[12] ?? file.counts[i]!)))));
      }
      return { total, tasks: out };
    },
  };
}
