import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { RwError } from "../domain/errors.ts";
import { lazyRecord, rawEntry, sortedPositions } from "../domain/lazy-record.ts";
import { LISTED_WITHOUT, TASK_KEYS, taskJson } from "../domain/task-json.ts";
import { emptyState, recordKeys, recordMap, type RwEvent, type State, type Task } from "../domain/types.ts";
import { RESOLUTION_TYPES } from "../domain/fold.ts";
import type { ReadyMemo } from "../domain/ready-memo.ts";
import { BaseFile } from "./base-file.ts";
import { mayHoldKey } from "../format/secrets.ts";
import { packStrings, packUints, unpackStrings, unpackUints } from "../format/packed.ts";
import { ViewIndex, type SavedViewIndex } from "../views/view-index.ts";
import { once, positions, restoredReady, savedReady, type Derived, type SavedReady } from "./cache-derived.ts";
import { appendJournal, atomicWrite, inodeOf, journalBound, journalHeader, journalLine, readJournal, removeOtherVersions, type CacheJournal, type ShardMark } from "./cache-journal.ts";

export type { CacheJournal, ShardMark } from "./cache-journal.ts";
export { once, type Derived } from "./cache-derived.ts";

/**
 * The index: the folded state at some tip of the ref. Two files, both pure caches:
 * - the base (`<ref>.v7.base`): the whole state at one tip, rewritten rarely;
 * - the journal (`<ref>.v7.journal.jsonl`, cache-journal.ts): the events committed since that
 *   base, one line appended per transaction, so a write does not re-serialise 10,000 tasks.
 * state(tip) = fold(journal.events, base.state) for the journal of that base.
 */
export interface CacheFile {
  v: typeof CACHE_VERSION;
  ref: string;
  tip: string;
  shards: Record<string, ShardMark>;
  state: State;
  /** Set when `state` came from a base plus journal events: lets the next write append to them. */
  journal?: CacheJournal;
  /**
   * Written: the writer's view index of `state` (views/view-index.ts), saved in a new base (else
   * one is built from the state), and its ready order and unblock counts (domain/ready-memo.ts).
   */
  index?: ViewIndex | undefined;
  readyMemo?: ReadyMemo | undefined;
  /**
   * Read: the same, restored from the base and carried over the journal's events, on first call
   * (a command that only shows a task never builds them); empty when they could not be.
   */
  derived?: () => Derived;
}

/** Folds journal events onto a base state; what the base derived from it is carried (lazily) as far as it can be. */
export type CacheFold = (events: RwEvent[], state: State, derived: () => Derived) => { state: State; derived: () => Derived };

/** Bump when State's shape, fold semantics or this encoding change: an old cache is then rebuilt, never misread. */
export const CACHE_VERSION = 7;

const stem = (dir: string, ref: string): string => join(dir, "cache", `${ref.replace(/[^A-Za-z0-9._-]/g, "_")}.v${CACHE_VERSION}`);
const basePath = (dir: string, ref: string): string => `${stem(dir, ref)}.base`;
// Before the journal was appended to, a `.journal.json` was rewritten whole: no longer read (a pure cache).
const journalPath = (dir: string, ref: string): string => `${stem(dir, ref)}.journal.jsonl`;

/*
 * Base encoding, chosen by measurement. One line of JSON (the header: the rest of the state, the
 * task IDs in key order, each task's entry and tail byte lengths and its notes' share of the
 * tail), "\n", then the entries as one JSON array `[t0,t1,...]`, then the tails (each task's body
 * as raw UTF-8, no escape processing, and its notes as JSON) back to back. An entry is the task
 * without body and notes exactly as `rw list --json` prints it (domain/task-json.ts), so a list
 * copies the bytes of the tasks it prints (views/list-json.ts). A task is decoded when first read
 * (lazy-record.ts): its entry is one slice of the array. At 100,000 tasks the v5 header (every
 * tuple) took 300-400 ms to parse, plus as much in garbage collection, before `rw show` looked at
 * its one task. A scan of every task parses the whole array at once (one JSON.parse is cheaper
 * than 10,000). The key order is listed in the header, so a base written with another is rebuilt.
 */
interface BaseHeader {
  v: number;
  ref: string;
  tip: string;
  shards: Record<string, ShardMark>;
  last_ts: string;
  event_count: number;
  /** The rest of State (initiatives, decisions, sessions, ...): few records, kept as plain JSON. */
  rest: Record<string, unknown>;
  fields: string[];
  /** Task IDs in the order of state.tasks' keys; each one's entry and tail byte lengths, and the notes' bytes at the tail's end. */
  ids: string | string[];
  /** Packed (format/packed.ts). */
  rows: string;
  /** The positions of the tasks whose entry has the start of a key shape (Entry.keyish). */
  keyish: string;
  /** The positions of `ids` in sorted order (lazy-record.ts searches them instead of building a Map). */
  by_id?: string;
  tails: string;
  notes: string;
  /** The view index of this state, by position in `ids` (absent in a base written without one). */
  view?: SavedViewIndex;
  /** The ready order of this state (absent when the writer had none). */
  ready?: SavedReady;
}

/**
 * A task's entry (its list JSON) and tail (body, then notes as JSON: the last `notes` bytes);
 * `keyish`: the entry has the start of a key shape (format/secrets.ts mayHoldKey), so a list
 * that copies it must scan its output.
 */
interface Entry { row: Buffer; tail: Buffer; notes: number; keyish: boolean }
const COMMA = Buffer.from(",");

function encodeTask(task: Task): Entry {
  const body = Buffer.from(task.body);
  const notes = task.notes.length > 0 ? Buffer.from(JSON.stringify(task.notes)) : Buffer.alloc(0);
  const row = Buffer.from(JSON.stringify(taskJson(task, LISTED_WITHOUT)));
  return { row, tail: Buffer.concat([body, notes]), notes: notes.length, keyish: mayHoldKey(row) };
}

function taskOf(entry: Record<string, unknown>, buf: Buffer, off: number, end: number, notesLen: number): Task {
  if (typeof entry.id !== "string" || notesLen > end - off) throw new Error("index entry does not match its length");
  entry.body = buf.toString("utf8", off, end - notesLen);
  entry.notes = notesLen > 0 ? JSON.parse(buf.toString("utf8", end - notesLen, end)) : [];
  return entry as unknown as Task;
}

function encodeBase(ref: string, tip: string, shards: Record<string, ShardMark>, state: State, derived: Derived): { data: Buffer; stale: boolean } {
  const rows: Buffer[] = [];
  const tails: Buffer[] = [];
  const notes: number[] = [];
  const keyish: number[] = [];
  const ids: string[] = [];
  for (const id of recordKeys(state.tasks)) {
    // A task nobody decoded since the last base is copied as it was (same fields, same bytes).
    const entry = (rawEntry(state.tasks, id) as Entry | undefined) ?? encodeTask(state.tasks[id]!);
    ids.push(id);
    rows.push(entry.row);
    tails.push(entry.tail);
    notes.push(entry.notes);
    if (entry.keyish) keyish.push(ids.length - 1);
  }
  const { tasks: _tasks, last_ts, event_count, ...rest } = state;
  const at = positions(ids);
  const view = (derived.index?.bind(state) ?? ViewIndex.build(state)).save(ids, at);
  const ready = savedReady(derived.readyMemo, at);
  const header: BaseHeader = {
    v: CACHE_VERSION, ref, tip, shards, last_ts, event_count, rest, fields: [...TASK_KEYS], ids: packStrings(ids),
    rows: packUints(rows.map((r) => r.length)), tails: packUints(tails.map((t) => t.length)), notes: packUints(notes), by_id: packUints(sortedPositions(ids)), keyish: packUints(keyish), ...(view ? { view } : {}), ...(ready ? { ready } : {}),
  };
  const array = rows.flatMap((r, i) => (i === 0 ? [r] : [COMMA, r]));
  return { data: Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n[`), ...array, Buffer.from("]"), ...tails]), stale: !view || !ready };
}

/**
 * A task entry that does not decode (the file was damaged after it was written whole: lengths
 * are checked when it is read, contents only when a task is). The base is removed, so the next
 * command rebuilds it from the ref, and this one stops with a message rather than a parse error.
 */
function damaged(file: string): RwError {
  rmSync(file, { force: true });
  return new RwError("corrupt", `rw's index was damaged on disk (${file}); it has been removed`, {
    hint: "run the command again: the index is a pure cache, rebuilt from the state ref",
  });
}

function guarded<T>(file: string, decode: () => T): T {
  try {
    return decode();
  } catch {
    throw damaged(file);
  }
}

function decodeBase(base: BaseFile, nl: number, ref: string, file: string): { tip: string; shards: Record<string, ShardMark>; state: State; derived: () => Derived; complete: boolean } | undefined {
  if (nl < 0) return undefined;
  const { buf } = base;
  const h = JSON.parse(buf.toString("utf8", 0, nl)) as BaseHeader;
  if (h.v !== CACHE_VERSION || h.ref !== ref || typeof h.tip !== "string" || h.fields?.join() !== TASK_KEYS.join()) return undefined;
  const ids = unpackStrings(h.ids);
  const n = ids?.length;
  const rowLen = unpackUints(h.rows);
  const tailLen = unpackUints(h.tails);
  const notesLen = unpackUints(h.notes);
  const keyishAt = unpackUints(h.keyish);
  if (!ids || !rowLen || !tailLen || !notesLen || !keyishAt || rowLen.length !== n || tailLen.length !== n || notesLen.length !== n) return undefined;
  const keyish = new Uint8Array(n);
  for (const p of keyishAt) {
    if (p >= n) return undefined;
    keyish[p] = 1;
  }
  // rowAt[i]: where entry i starts in the array (after "[" and one "," per earlier tuple); tailAt[i] likewise.
  const rowAt = new Float64Array(n + 1);
  const tailAt = new Float64Array(n + 1);
  const arrayStart = nl + 1;
  let off = arrayStart + 1;
  for (let i = 0; i < n; i++) {
    rowAt[i] = off;
    off += rowLen[i]! + (i < n - 1 ? 1 : 0);
  }
  rowAt[n] = off;
  const arrayEnd = off + 1; // after "]"
  off = arrayEnd;
  for (let i = 0; i < n; i++) {
    tailAt[i] = off;
    off += tailLen[i]!;
  }
  tailAt[n] = off;
  if (off !== base.size) return undefined; // truncated or padded: not a file we wrote
  // The entries now; a task's tail (body and notes) when it is decoded, every tail for a scan or a new base (base-file.ts).
  base.fill(nl + 1, arrayEnd);
  if (buf[arrayStart] !== 0x5b || buf[arrayEnd - 1] !== 0x5d) return undefined;
  const rowEnd = (i: number): number => rowAt[i]! + rowLen[i]!;
  const tailOf = (i: number): void => base.fill(tailAt[i]!, tailAt[i + 1]!);
  const tasks = lazyRecord<Task>(
    ids,
    (i) => guarded(file, () => (tailOf(i), taskOf(JSON.parse(buf.toString("utf8", rowAt[i], rowEnd(i))) as Record<string, unknown>, buf, tailAt[i]!, tailAt[i + 1]!, notesLen[i]!))),
    (i): Entry => (guarded(file, () => base.fillAll(arrayEnd)), { row: buf.subarray(rowAt[i], rowEnd(i)), tail: buf.subarray(tailAt[i], tailAt[i + 1]), notes: notesLen[i]!, keyish: keyish[i] === 1 }),
    () => guarded(file, () => (base.fillAll(arrayEnd), JSON.parse(buf.toString("utf8", arrayStart, arrayEnd)) as Record<string, unknown>[]).map((row, i) => taskOf(row, buf, tailAt[i]!, tailAt[i + 1]!, notesLen[i]!))),
    unpackUints(h.by_id),
  );
  const state: State = { ...emptyState(), ...h.rest, tasks, last_ts: h.last_ts, event_count: h.event_count };
  // Prototype-free maps, as fold makes them (a task called "constructor" is only a key).
  state.initiatives = recordMap(state.initiatives);
  state.sessions = recordMap(state.sessions);
  const derived = once((): Derived => {
    const baseTask = (i: number): Task => guarded(file, () => JSON.parse(buf.toString("utf8", rowAt[i], rowEnd(i))) as Task);
    const index = h.view ? ViewIndex.restore(h.view, ids, tasks, { task: baseTask, bytes: buf, start: rowAt, length: rowLen, keyish }) : undefined;
    return { index, readyMemo: index && restoredReady(h.ready, ids) };
  });
  return { tip: h.tip, shards: h.shards, state, derived, complete: h.view !== undefined && typeof h.ready?.special === "string" };
}

/** `derived`, marking the journal stale when it turns out empty (a base whose saved index did not fit its state). */
function noteStale(derived: () => Derived, journal: CacheJournal): () => Derived {
  return once(() => {
    const d = derived();
    if (!d.index || !d.readyMemo?.order) journal.stale = true;
    return d;
  });
}

/**
 * The cached fold for some tip of `ref`, or undefined when missing, corrupt or of another version.
 * `fold` is passed in so this module stays a codec (the caller owns the domain import).
 */
export async function readCache(dir: string, ref: string, fold: CacheFold): Promise<CacheFile | undefined> {
  const opened = BaseFile.open(basePath(dir, ref));
  if (!opened) return undefined;
  const { ino: baseIno, size: baseBytes } = opened.file;
  try {
    const base = decodeBase(opened.file, opened.headerEnd, ref, basePath(dir, ref));
    if (!base || !base.state.tasks || !base.state.initiatives) return undefined;
    const j = readJournal(journalPath(dir, ref), CACHE_VERSION, ref, base.tip, base.shards);
    // Stale: a writer that has the view index and the ready order should write them into a new
    // base (the base lacks them, or the journal holds an event that drops them: ready-memo.ts).
    const dropsThem = (e: RwEvent): boolean => !e.task || RESOLUTION_TYPES.has(e.type);
    if (!j || j.events.length === 0) {
      const journal: CacheJournal = { base: base.tip, events: [], file: j?.file, stale: !base.complete, baseIno, baseBytes };
      return { v: CACHE_VERSION, ref, tip: base.tip, shards: base.shards, state: base.state, journal, derived: noteStale(base.derived, journal) };
    }
    const { state, derived } = fold(j.events, base.state, base.derived);
    const journal: CacheJournal = { base: base.tip, events: j.events, file: j.file, stale: !base.complete || j.events.some(dropsThem), baseIno, baseBytes };
    return { v: CACHE_VERSION, ref, tip: j.tip, shards: j.shards, state, journal, derived: noteStale(derived, journal) };
  } catch {
    return undefined;
  }
}

/**
 * Saves the state for `cache.tip`: a line appended to the journal when the state is a known base
 * plus a short run of events, else a new base. A whole file is replaced by rename: concurrent
 * writers each leave whole files, and a journal is only ever applied to the base it names.
 */
export async function writeCache(dir: string, cache: CacheFile): Promise<CacheJournal | undefined> {
  const j = cache.journal;
  // A base without a view index or ready order (or whose journal lost them) is replaced as soon
  // as a writer has both: every later command then restores them instead of scanning every task.
  const renew = j?.stale === true && cache.index !== undefined && cache.readyMemo?.order !== undefined;
  // Unless another writer already did (8 racing claims each renewing a 10,000-task base halved the
  // claims/s): nothing is saved then; this store's next save, if it lives on, writes a base.
  // The same for a journal grown past its bound: the racers that read it would each write a base.
  const long = j !== undefined && j.events.length > journalBound(j.baseBytes);
  if ((renew || long) && j.baseIno !== undefined && inodeOf(basePath(dir, cache.ref)) !== j.baseIno) return undefined;
  if (j && j.events.length > 0 && !long && !renew) {
    const path = journalPath(dir, cache.ref);
    const f = j.file;
    if (f?.tip === cache.tip) return j; // already saved (by this process, or the one whose file it read)
    if (f && f.events <= j.events.length) {
      const line = journalLine(f.tip, f.shards, cache.tip, cache.shards, j.events.slice(f.events));
      const size = appendJournal(path, f.ino, f.size, line);
      if (size !== undefined) return { ...j, file: { tip: cache.tip, ino: f.ino, size, events: j.events.length, shards: cache.shards } };
    }
    // No journal file this process can append to: a new one, the whole run of events as one step from the base.
    mkdirSync(join(dir, "cache"), { recursive: true });
    const text = journalHeader(CACHE_VERSION, cache.ref, j.base) + journalLine(j.base, {}, cache.tip, cache.shards, j.events);
    atomicWrite(path, text);
    return { ...j, file: { tip: cache.tip, ino: inodeOf(path), size: Buffer.byteLength(text), events: j.events.length, shards: cache.shards } };
  }
  if (j && j.events.length === 0 && j.base === cache.tip && !renew) return j; // that base is already on disk
  mkdirSync(join(dir, "cache"), { recursive: true });
  const { data, stale } = encodeBase(cache.ref, cache.tip, cache.shards, cache.state, cache);
  atomicWrite(basePath(dir, cache.ref), data);
  rmSync(`${stem(dir, cache.ref)}.journal.json`, { force: true }); // the whole-file journal of earlier versions
  removeOtherVersions(dir, cache.ref, CACHE_VERSION);
  // The new base's journal starts empty (its header only), so the next write appends.
  const header = journalHeader(CACHE_VERSION, cache.ref, cache.tip);
  atomicWrite(journalPath(dir, cache.ref), header);
  const ino = inodeOf(journalPath(dir, cache.ref));
  return { base: cache.tip, events: [], file: { tip: cache.tip, ino, size: Buffer.byteLength(header), events: 0, shards: cache.shards }, stale, baseBytes: data.length };
}
