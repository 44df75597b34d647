import { RwError } from "../domain/errors.ts";
import type { RwEvent } from "../domain/types.ts";

/** One JSONL line per event; keys are already in DESIGN §3 order (see makeEvent). */
export function eventLine(e: RwEvent): string {
  return `${JSON.stringify(e)}\n`;
}

/** The UTC day an event belongs to; layout 1 keeps all of it in one shard, events/<YYYY-MM-DD>.jsonl. */
export function shardOf(e: RwEvent): string {
  return `${e.ts.slice(0, 10)}.jsonl`;
}

/**
 * Layout 2 rolls a day to its next file once the current one holds SHARD_BOUND bytes or more:
 * `<day>.jsonl`, then `<day>_0001.jsonl`, `<day>_0002.jsonl`, ... ("_" sorts after ".", so names
 * sort in log order). A commit then rewrites at most one bounded file, not the whole day.
 */
export const SHARD_BOUND = 256 * 1024;

export function shardName(day: string, index: number): string {
  return index === 0 ? `${day}.jsonl` : `${day}_${String(index).padStart(4, "0")}.jsonl`;
}

/** The day and roll index of a shard file name; undefined for a name rw does not write. */
export function parseShardName(name: string): { day: string; index: number } | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})(?:_(\d{4,}))?\.jsonl$/.exec(name);
  if (!m) return undefined;
  const index = m[2] === undefined ? 0 : Number(m[2]);
  return index === 0 && m[2] !== undefined ? undefined : { day: m[1]!, index };
}

/**
 * Places events (in log order) in shard files, one line each. `last(day)` says where a day's
 * newest existing file is and how many bytes it holds (none: the day is new). Layout 1: one file
 * per day. Layout 2: before each line, a file of SHARD_BOUND bytes or more rolls to the next
 * index. The same rule serves appends and full renders, so both give the same files.
 */
export class ShardPlacer {
  private readonly open = new Map<string, { index: number; bytes: number }>();

  constructor(private readonly layout: 1 | 2, private readonly last: (day: string) => { index: number; bytes: number } | undefined = () => undefined) {}

  place(e: RwEvent, line: string): string {
    const day = e.ts.slice(0, 10);
    let cur = this.open.get(day);
    if (!cur) {
      cur = { ...(this.last(day) ?? { index: 0, bytes: 0 }) };
      this.open.set(day, cur);
    }
    if (this.layout === 2 && cur.bytes >= SHARD_BOUND) {
      cur.index++;
      cur.bytes = 0;
    }
    cur.bytes += Buffer.byteLength(line);
    return shardName(day, cur.index);
  }
}

/** Parses a shard; a bad line is an error naming the shard and line, never silently skipped. */
export function parseShard(name: string, text: string): RwEvent[] {
  const out: RwEvent[] = [];
  let lineNo = 0;
  for (const line of text.split("\n")) {
    lineNo++;
    if (line === "") continue;
    let e: RwEvent;
    try {
      e = JSON.parse(line) as RwEvent;
    } catch {
      throw new RwError("corrupt", `events/${name} line ${lineNo} is not valid JSON`, {
        hint: "the event log is append-only: restore it from `git log rewind` (or a remote) rather than editing it",
      });
    }
    if (typeof e !== "object" || e === null || e.v !== 1 || typeof e.id !== "string" || typeof e.type !== "string" || typeof e.ts !== "string") {
      throw new RwError("corrupt", `events/${name} line ${lineNo} is not a version 1 rw event`);
    }
    out.push(e);
  }
  return out;
}

export { compareEvents } from "../domain/event-order.ts";
