import { RwError } from "./errors.ts";
import { byAge, byPriority } from "./order.ts";
import { notReadyReasons, readyTasks, type Explanation } from "./ready.ts";
import { STATUSES, isClosed, type State, type Status, type Task, recordValues } from "./types.ts";

/** The filters `rw list`, `rw ready` and the MCP `list`/`ready` tools share (every one optional). */
export interface TaskFilter {
  statuses?: Status[];
  /** Include done and cancelled tasks when no status is named. */
  all?: boolean;
  labels?: string[];
  assignees?: string[];
  types?: string[];
  initiative?: string;
  phase?: number;
  parent?: string;
  priority?: PriorityRange;
}

export interface PriorityRange { min: number; max: number }

export const SORTS = ["priority", "age", "updated"] as const;
export type TaskSort = (typeof SORTS)[number];

/** "1" or "0-1" (either bound may be left out: "-2", "3-") to a range of priorities 0..4. */
export function parsePriorityRange(text: string, what = "priority"): PriorityRange {
  const m = /^\s*(\d)?\s*(-)?\s*(\d)?\s*$/.exec(text);
  const range = m && (m[1] !== undefined || m[3] !== undefined)
    ? { min: Number(m[1] ?? (m[2] ? 0 : m[3])), max: Number(m[3] ?? (m[2] ? 4 : m[1])) }
    : undefined;
  if (!range || range.min > 4 || range.max > 4 || range.min > range.max) {
    throw new RwError("usage", `${what} must be 0-4 or a range like 0-1, got ${JSON.stringify(text)}`);
  }
  return range;
}

export function checkStatuses(values: readonly string[]): Status[] {
  for (const s of values) {
    if (!(STATUSES as readonly string[]).includes(s)) throw new RwError("usage", `unknown status ${JSON.stringify(s)}`, { hint: `use one of: ${STATUSES.join(", ")}` });
  }
  return values as Status[];
}

/** Whether a task passes every filter given. */
export function matchesFilter(t: Task, f: TaskFilter): boolean {
  const statuses = f.statuses ?? [];
  if (statuses.length > 0 ? !statuses.includes(t.status) : !f.all && isClosed(t.status)) return false;
  if (f.labels && !f.labels.every((l) => t.labels.includes(l))) return false;
  if (f.assignees && f.assignees.length > 0 && (t.assignee === undefined || !f.assignees.includes(t.assignee))) return false;
  if (f.types && f.types.length > 0 && !f.types.includes(t.type)) return false;
  if (f.initiative !== undefined && t.initiative !== f.initiative) return false;
  if (f.phase !== undefined && t.phase !== f.phase) return false;
  if (f.parent !== undefined && t.parent !== f.parent) return false;
  if (f.priority && (t.priority < f.priority.min || t.priority > f.priority.max)) return false;
  return true;
}

const byUpdated = (a: Task, b: Task): number => (a.updated_at > b.updated_at ? -1 : a.updated_at < b.updated_at ? 1 : byAge(a, b));
/** The comparator of each `rw list --sort` (total orders: ties end on the ID). */
export const SORT_ORDERS: Record<TaskSort, (a: Task, b: Task) => number> = { priority: byPriority, age: byAge, updated: byUpdated };

/** Tasks matching `f` in the order asked for (backlog order, oldest first, or most recently updated first). */
export function queryTasks(state: State, f: TaskFilter, sort: TaskSort = "priority"): Task[] {
  return recordValues(state.tasks).filter((t) => matchesFilter(t, f)).sort(SORT_ORDERS[sort]);
}

/** The tasks that list `id` among their dependencies ("blocks" in `show`), in backlog order. */
export function dependentsOf(state: State, id: string): Task[] {
  return recordValues(state.tasks).filter((t) => t.deps.includes(id)).sort(byPriority);
}

/**
 * `ready --explain` in ready order: the ready tasks first, best first (the order `ready` and
 * `claim --next` use), then the waiting ones in backlog order, each with why it waits.
 */
export function explainInReadyOrder(state: State, now: string): Explanation[] {
  const ready = readyTasks(state, now).map((r) => ({ id: r.task.id, title: r.task.title, ready: true, reasons: [] as string[] }));
  const readyIds = new Set(ready.map((r) => r.id));
  const waiting = recordValues(state.tasks)
    .filter((t) => !isClosed(t.status) && !readyIds.has(t.id))
    .sort(byPriority)
    .map((t) => ({ id: t.id, title: t.title, ready: false, reasons: notReadyReasons(state, t, now) }))
    .filter((x) => x.reasons.length > 0);
  return [...ready, ...waiting];
}
