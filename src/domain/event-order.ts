import type { RwEvent } from "./types.ts";

/** Log order: (ts, id). Appends keep it, because each new event's ts is never older than the last. */
export function compareEvents(a: RwEvent, b: RwEvent): number {
  return a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
