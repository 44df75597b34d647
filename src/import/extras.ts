import type { RwEvent } from "../domain/types.ts";

/** What the event log knows about a task beyond its folded state, for exports. */
export interface TaskExtras {
  /** Source values kept at import (status word, priority number, label spellings, links…). */
  origin?: Record<string, unknown>;
  /** The completion summary (beads' close_reason) or the cancel reason. */
  summary?: string;
  /** When it was done or cancelled: the source's time for imported tasks, else the event's. */
  closed_at?: string;
  /** Time of the import that created it; while the task's updated_at is still this, the source's updated_at stands. */
  imported_at?: string;
}

export interface ExportExtras {
  tasks: Map<string, TaskExtras>;
  initiatives: Map<string, Record<string, unknown>>;
}

const text = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const record = (v: unknown): Record<string, unknown> | undefined => (typeof v === "object" && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : undefined);

/** The kept values that belong to `format` (status words, priorities… mean nothing elsewhere), plus those any format uses. */
export function originFor(x: TaskExtras | undefined, format: string): Record<string, unknown> {
  const o = x?.origin ?? {};
  if (o.from === format) return o;
  const generic: Record<string, unknown> = {};
  for (const k of ["labels", "assignee", "sections", "unresolved"]) if (o[k] !== undefined) generic[k] = o[k];
  return generic;
}

/**
 * Reads, in log order, what exports need and the folded state does not hold: the origin of
 * each imported record, and the summary and time of its last completion or cancellation. An
 * edit of a field drops the source value kept for it (the rw value is the newer truth).
 */
export function exportExtras(events: Iterable<RwEvent>): ExportExtras {
  const tasks = new Map<string, TaskExtras>();
  const initiatives = new Map<string, Record<string, unknown>>();
  for (const e of events) {
    if (e.type === "initiative.created" && e.initiative) {
      const o = record(e.data.origin);
      if (o) initiatives.set(e.initiative, o);
      continue;
    }
    if (!e.task) continue;
    switch (e.type) {
      case "task.created": {
        const o = record(e.data.origin);
        tasks.set(e.task, o ? { origin: { ...o }, imported_at: e.ts } : {});
        break;
      }
      case "task.completed":
      case "task.cancelled": {
        const x = tasks.get(e.task) ?? {};
        const summary = text(e.type === "task.completed" ? e.data.summary : e.data.reason);
        if (summary) x.summary = summary;
        else delete x.summary;
        x.closed_at = text(e.data.at) ?? e.ts;
        tasks.set(e.task, x);
        break;
      }
      case "task.reopened": {
        const x = tasks.get(e.task);
        if (x) {
          delete x.summary;
          delete x.closed_at;
        }
        break;
      }
      case "task.edited": {
        const o = tasks.get(e.task)?.origin;
        if (!o) break;
        if ("priority" in e.data) delete o.priority;
        if ("type" in e.data) delete o.issue_type;
        if ("body" in e.data) delete o.sections;
        break;
      }
    }
  }
  return { tasks, initiatives };
}
