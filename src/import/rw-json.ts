import type { ImportNote, ImportPlan, ImportTask } from "../domain/decide-import.ts";
import { RwError } from "../domain/errors.ts";
import { INITIATIVE_STATUSES, STATUSES, type Initiative, type State, type Task, type TaskNote } from "../domain/types.ts";
import { isObject, parseJson } from "./common.ts";
import type { ExportExtras } from "./extras.ts";

/** rw's own export: every task with what it takes to rebuild it elsewhere. Version 1. */
export interface RwExport {
  v: 1;
  kind: "rw-export";
  initiatives: ExportedInitiative[];
  tasks: ExportedTask[];
}

export type ExportedInitiative = Pick<Initiative, "id" | "title" | "status" | "phases" | "body" | "created_at"> & { origin?: Record<string, unknown> };

export type ExportedTask = Pick<Task,
  "id" | "title" | "status" | "priority" | "type" | "labels" | "deps" | "parent" | "initiative" | "phase" | "gates" | "defer_until" | "assignee" | "blocked_reason" | "created_at" | "body"
> & {
  notes: TaskNote[];
  /** Completion summary (or cancel reason) and when it closed. */
  summary?: string;
  closed_at?: string;
  /** Source values an import kept for exports to other formats. */
  origin?: Record<string, unknown>;
};

/**
 * The JSON export. Leaves out what only makes sense in the repository it came from (lease
 * times, retry counters, updated_at): importing it elsewhere and exporting again gives the same
 * bytes.
 */
export function exportRwJson(state: State, extras: ExportExtras): RwExport {
  const tasks = Object.values(state.tasks).sort((a, b) => (a.id < b.id ? -1 : 1)).map((t) => exported(t, extras));
  const initiatives = Object.values(state.initiatives).sort((a, b) => (a.id < b.id ? -1 : 1)).map((i) => {
    const out: ExportedInitiative = { id: i.id, title: i.title, status: i.status, phases: i.phases.map((p) => ({ ...p })), body: i.body, created_at: i.created_at };
    const origin = extras.initiatives.get(i.id);
    if (origin) out.origin = origin;
    return out;
  });
  return { v: 1, kind: "rw-export", initiatives, tasks };
}

function exported(t: Task, extras: ExportExtras): ExportedTask {
  const out: ExportedTask = { id: t.id, title: t.title, status: t.status, priority: t.priority, type: t.type, labels: [...t.labels], deps: [...t.deps], gates: [...t.gates], created_at: t.created_at, body: t.body, notes: t.notes.map((n) => ({ ts: n.ts, actor: n.actor, text: n.text })) };
  if (t.parent !== undefined) out.parent = t.parent;
  if (t.initiative !== undefined) out.initiative = t.initiative;
  if (t.phase !== undefined) out.phase = t.phase;
  if (t.defer_until !== undefined) out.defer_until = t.defer_until;
  if (t.assignee !== undefined) out.assignee = t.assignee;
  if (t.blocked_reason !== undefined) out.blocked_reason = t.blocked_reason;
  const x = extras.tasks.get(t.id);
  if (x?.summary !== undefined && (t.status === "done" || t.status === "cancelled")) out.summary = x.summary;
  if (x?.closed_at !== undefined && (t.status === "done" || t.status === "cancelled")) out.closed_at = x.closed_at;
  if (x?.origin && Object.keys(x.origin).length > 0) out.origin = x.origin;
  return out;
}

export function planRwJson(text: string, file: string): ImportPlan {
  const root = parseJson(text, file);
  if (!isObject(root) || root.kind !== "rw-export" || root.v !== 1 || !Array.isArray(root.tasks)) {
    throw new RwError("invalid_input", `${file} is not an rw export (version 1)`, { hint: "create one with `rw export --format json`" });
  }
  const notes: ImportNote[] = [];
  const tasks: ImportTask[] = [];
  root.tasks.forEach((raw, i) => {
    const e = record<ExportedTask>(raw, STATUSES);
    if (!e) {
      notes.push({ kind: "skipped", item: `task ${i + 1}`, text: "missing id, title or a valid status", problem: true });
      return;
    }
    const t: ImportTask = {
      id: e.id, title: e.title, status: e.status, priority: e.priority, type: e.type, labels: e.labels ?? [], deps: e.deps ?? [],
      gates: e.gates ?? [], body: e.body ?? "", created_at: e.created_at, notes: e.notes ?? [],
    };
    if (e.parent !== undefined) t.parent = e.parent;
    if (e.initiative !== undefined) t.initiative = e.initiative;
    if (e.phase !== undefined) t.phase = e.phase;
    if (e.defer_until !== undefined) t.defer_until = e.defer_until;
    if (e.assignee !== undefined) t.assignee = e.assignee;
    if (e.blocked_reason !== undefined) t.reason = e.blocked_reason;
    if (typeof e.summary === "string" && (e.status === "done" || e.status === "cancelled")) t.reason = e.summary;
    if (typeof e.closed_at === "string") t.closed_at = e.closed_at;
    if (isObject(e.origin)) t.origin = e.origin;
    tasks.push(t);
  });
  const initiatives = (Array.isArray(root.initiatives) ? root.initiatives : []).flatMap((raw, i) => {
    const e = record<ExportedInitiative>(raw, INITIATIVE_STATUSES);
    if (!e) {
      notes.push({ kind: "skipped", item: `initiative ${i + 1}`, text: "missing id, title or a valid status", problem: true });
      return [];
    }
    return { id: e.id, title: e.title, status: e.status, phases: (e.phases ?? []), body: e.body ?? "", created_at: e.created_at, ...(isObject(e.origin) ? { origin: e.origin } : {}) };
  });
  return { source: "rw", initiatives, tasks, notes, mapped: ["rw export: every field kept"], items: root.tasks.length };
}

/** A task or initiative of the export, once it has what every record needs: an id, a title and a known status. */
function record<T>(raw: unknown, statuses: readonly string[]): T | undefined {
  if (!isObject(raw) || typeof raw.id !== "string" || typeof raw.title !== "string" || !statuses.includes(raw.status as string)) return undefined;
  return raw as unknown as T;
}
