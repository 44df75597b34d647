import { closeSync, fstatSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync, constants } from "node:fs";
import { join } from "node:path";
import type { RwEvent } from "../domain/types.ts";

/** What the cache knows about one event shard, to bring the state forward by reading only new lines. */
export interface ShardMark { oid: string; lines: number; last_id: string }

/**
 * The index's journal: the events committed since its base, as a file that grows by one line per
 * transaction (`<ref>.v7.journal.jsonl`):
 *   {"v":<CACHE_VERSION>,"ref":…,"base":<base tip>}             the header
 *   {"parent":<tip>,"tip":<tip>,"shards":{…},"events":[…]}  one line per commit
 * A line's `shards` holds only the marks that changed. A reader follows the chain from the base:
 * a line applies only when its parent is the tip reached so far, so a duplicate (two processes
 * saving the same step), a line of another history or a torn line is skipped, never folded.
 * Measured at 10,000 tasks in a long-lived store: rewriting the whole journal per transaction
 * (JSON of up to 200 events, a new file and a rename) was ~2 ms of a claim; a new file costs
 * ~0.4-0.9 ms of kernel time alone on the benchmark machine, an append to an open one ~2 µs.
 */
export interface CacheJournal {
  base: string;
  events: RwEvent[];
  /** The journal file as this process last saw it: appending is safe while it still has this size. */
  file?: JournalFileState | undefined;
  /**
   * The base on disk holds no view index or ready order (written by an older rw or without them),
   * or the journal's events lost them: a writer that has both writes a new base.
   */
  stale?: boolean | undefined;
  /** The base file's inode when this process read it: a stale base since replaced (renewed by another writer) is not renewed again. */
  baseIno?: number | undefined;
  /** The base file's size: how long a journal may grow before a writer folds it into a new base (journalBound). */
  baseBytes?: number | undefined;
}

/** `ino` and `size` tell the file this process saw from one another process replaced (rename) or appended to. */
export interface JournalFileState { tip: string; ino: number; size: number; events: number; shards: Record<string, ShardMark> }

interface Header { v: number; ref: string; base: string }
interface Step { parent: string; tip: string; shards: Record<string, ShardMark>; events: RwEvent[] }

export interface JournalRead { tip: string; shards: Record<string, ShardMark>; events: RwEvent[]; file: JournalFileState }

/** Reads the journal for `base` (with its marks `baseShards`); undefined when absent, of another base, version or ref. */
export function readJournal(path: string, version: number, ref: string, base: string, baseShards: Record<string, ShardMark>): JournalRead | undefined {
  let buf: Buffer;
  let ino: number;
  try {
    const fd = openSync(path, "r");
    try {
      ino = fstatSync(fd).ino;
      buf = readFileSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  const first = headerLine<Header>(buf);
  if (!first) return undefined;
  const { header } = first;
  let { nl } = first;
  if (header.v !== version || header.ref !== ref || header.base !== base) return undefined;
  let tip = base;
  let shards = baseShards;
  const events: RwEvent[] = [];
  for (let start = nl + 1; start < buf.length; start = nl + 1) {
    nl = buf.indexOf(10, start);
    if (nl < 0) break; // a line still being written (or torn): not part of the journal
    let step: Step;
    try {
      step = JSON.parse(buf.toString("utf8", start, nl)) as Step;
    } catch {
      continue;
    }
    if (step.parent !== tip || typeof step.tip !== "string" || !Array.isArray(step.events)) continue;
    tip = step.tip;
    shards = { ...shards, ...step.shards };
    events.push(...step.events);
  }
  return { tip, shards, events, file: { tip, ino, size: buf.length, events: events.length, shards } };
}

/** The header line of a new journal for `base`. */
export function journalHeader(version: number, ref: string, base: string): string {
  return `${JSON.stringify({ v: version, ref, base } satisfies Header)}\n`;
}

/** A longer journal is always folded into a new base: reading it would cost more than parsing the base. */
export const MAX_JOURNAL_EVENTS = 200;
/** Events any journal may hold: below this a new base costs more than every command folding them. */
const MIN_JOURNAL_EVENTS = 32;

/**
 * How many events the journal may hold before a writer folds them into a new base. Every
 * command folds the whole journal onto the base (and carries the ready order and view index
 * over the tasks it changed), so a long journal taxes every read and write until a base is
 * written; writing one costs about its size. Measured at 10,000 tasks (a 4.3 MB base): the 130
 * events of one batch commit added ~50 ms of CPU to every `rw claim` (~0.4 ms per event), while a
 * new base is ~15-25 ms once. So the bound grows with the base: one event per 40 KB of it,
 * between 32 and 200 (10,000 tasks: ~108; 100,000 tasks: 200, where a base is ~44 MB). Not
 * lower: a long-lived store (daemon, `rw run`) writes the base that often, and at one event per
 * 80 KB its claims/s fell ~12%; a claim's own event costs a reader far less than a create's.
 */
export function journalBound(baseBytes: number | undefined): number {
  return Math.min(MAX_JOURNAL_EVENTS, Math.max(MIN_JOURNAL_EVENTS, Math.round((baseBytes ?? 0) / 40_000)));
}


/** The inode of a file just written (the journal after a rewrite), 0 when unknown. */
export function inodeOf(path: string): number {
  return statSync(path, { throwIfNoEntry: false })?.ino ?? 0;
}

/** One step's line: the events and changed shard marks from `from` (a tip with its marks) to `tip`. */
export function journalLine(parent: string, fromShards: Record<string, ShardMark>, tip: string, shards: Record<string, ShardMark>, events: RwEvent[]): string {
  const changed: Record<string, ShardMark> = {};
  for (const name in shards) if (fromShards[name]?.oid !== shards[name]!.oid) changed[name] = shards[name]!;
  return `${JSON.stringify({ parent, tip, shards: changed, events } satisfies Step)}\n`;
}

/**
 * Appends `line` when the file is the one this process saw (same inode, same size: nobody else
 * appended or replaced it since); returns the new size, or undefined when the caller must rewrite it.
 * NOTE: one write with O_APPEND, so a concurrent appender's line is never interleaved with ours.
 */
export function appendJournal(path: string, ino: number, size: number, line: string): number | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_APPEND);
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    if (st.ino !== ino || st.size !== size) return undefined;
    const data = Buffer.from(line);
    writeSync(fd, data);
    return size + data.length;
  } finally {
    closeSync(fd);
  }
}

/** Synchronous for the reason given in objects.ts: thread-pool hops cost more than these writes. */
export function atomicWrite(path: string, data: string | Buffer): void {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, data);
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** The first line of a cache file parsed as its JSON header, and where the line ends; undefined when there is none. */
export function headerLine<T>(buf: Buffer): { header: T; nl: number } | undefined {
  const nl = buf.indexOf(10);
  if (nl < 0) return undefined;
  try {
    const header = JSON.parse(buf.toString("utf8", 0, nl)) as T;
    return typeof header === "object" && header !== null ? { header, nl } : undefined;
  } catch {
    return undefined;
  }
}

/** An index of another version is never read again: its files (50 MB at 100,000 tasks) are removed when a base of this one is written. */
export function removeOtherVersions(dir: string, ref: string, version: number): void {
  const name = ref.replace(/[^A-Za-z0-9._-]/g, "_");
  try {
    for (const f of readdirSync(join(dir, "cache"))) {
      const m = /^(.*)\.v(\d+)\.(base|journal\.jsonl|journal\.json|ready\.json|ready\.patch\.json)$/.exec(f);
      if (m && m[1] === name && Number(m[2]) !== version) rmSync(join(dir, "cache", f), { force: true });
    }
  } catch {
    // a cache: what is left only takes room
  }
}
