import { RwError } from "../domain/errors.ts";
import type { RwEvent } from "../domain/types.ts";

/** One JSONL line per event; keys are already in DESIGN §3 order (see makeEvent). */
export function eventLine(e: RwEvent): string {
  return `${JSON.stringify(e)}\n`;
}

/** The UTC day shard an event belongs to: events/<YYYY-MM-DD>.jsonl. */
export function shardOf(e: RwEvent): string {
  return `${e.ts.slice(0, 10)}.jsonl`;
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
