import type { RwEvent } from "../domain/types.ts";

/** What `rw log` can filter on; all given conditions must hold. */
export interface EventFilter {
  /** Inclusive lower bound (ISO). */
  since?: string;
  actors?: string[];
  /** Exact types, or prefixes ending in "." or ".*" (`task.*`). */
  types?: string[];
  task?: string;
  initiative?: string;
}

function typeMatches(type: string, patterns: string[]): boolean {
  return patterns.some((p) => (p.endsWith(".*") ? type.startsWith(p.slice(0, -1)) : p.endsWith(".") ? type.startsWith(p) : type === p));
}

/** The event stream narrowed to what the user asked about, in log order. */
export function filterEvents(events: readonly RwEvent[], f: EventFilter): RwEvent[] {
  const out: RwEvent[] = [];
  for (const e of events) {
    if (f.since !== undefined && e.ts < f.since) continue;
    if (f.actors && f.actors.length > 0 && !f.actors.includes(e.actor)) continue;
    if (f.types && f.types.length > 0 && !typeMatches(e.type, f.types)) continue;
    if (f.task !== undefined && e.task !== f.task && (e.data as { task?: unknown }).task !== f.task) continue;
    if (f.initiative !== undefined && e.initiative !== f.initiative) continue;
    out.push(e);
  }
  return out;
}

/** One line of `rw log`: time, actor, type, subject and the salient data, cut to a terminal line. */
export function logLine(e: RwEvent): string {
  const subject = e.task ?? e.initiative ?? "";
  const d = e.data;
  const bits: string[] = [];
  for (const key of ["title", "text", "summary", "reason", "error", "tool", "outcome", "phase"]) {
    const v = d[key];
    if (typeof v === "string" || typeof v === "number") bits.push(key === "title" || key === "text" ? String(v) : `${key}: ${String(v)}`);
  }
  if (e.type === "task.edited") bits.push(Object.keys(d).filter((k) => k !== "prev").join(", "));
  const text = bits.join("; ").replace(/\s+/g, " ");
  return `${e.ts.replace(/\.\d{3}Z$/, "Z")}  ${e.actor.padEnd(12)}  ${e.type.padEnd(20)}  ${subject.padEnd(10)}  ${text.length > 80 ? `${text.slice(0, 79)}…` : text}`.trimEnd();
}
