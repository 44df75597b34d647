import type { RwEvent, State, Task } from "../domain/types.ts";
import { STATUSES, isClosed } from "../domain/types.ts";
import { percentiles, type Percentiles } from "./metrics.ts";

export interface Window { days: number; created: number; done: number; cancelled: number }

export interface Stats {
  tasks: number;
  by_status: Record<string, number>;
  by_type: Record<string, number>;
  /** Unfinished tasks per priority 0..4. */
  open_by_priority: Record<string, number>;
  /** How long unfinished tasks have existed (ms), and the oldest of them. */
  open_age: Percentiles;
  oldest_open?: { id: string; title: string; created_at: string };
  /** How long the current claims have been held (ms). */
  claim_age: Percentiles;
  /** Tasks created, done and cancelled in the last 1, 7 and 30 days. */
  throughput: Window[];
}

const DAY = 86_400_000;
const WINDOWS = [1, 7, 30];

/**
 * `rw stats`: the backlog's counts, ages and throughput. Counts and ages come from the state,
 * throughput from the event log (an import's own events count: they are the tasks' history).
 * Cycle and lead times, rates and cost are `rw analytics`.
 */
export function computeStats(state: State, events: readonly RwEvent[], now: string): Stats {
  const at = Date.parse(now);
  const tasks = Object.values(state.tasks);
  const by_status: Record<string, number> = Object.fromEntries(STATUSES.map((s) => [s, 0]));
  const by_type: Record<string, number> = {};
  const open_by_priority: Record<string, number> = { 0: 0, 1: 0, 2: 0, 3: 0, 4: 0 };
  const open: Task[] = [];
  for (const t of tasks) {
    by_status[t.status] = (by_status[t.status] ?? 0) + 1;
    by_type[t.type] = (by_type[t.type] ?? 0) + 1;
    if (!isClosed(t.status)) {
      open_by_priority[t.priority] = (open_by_priority[t.priority] ?? 0) + 1;
      open.push(t);
    }
  }
  const oldest = open.reduce<Task | undefined>((o, t) => (o === undefined || t.created_at < o.created_at ? t : o), undefined);
  const claims = tasks.filter((t) => t.status === "in_progress" && t.claimed_at !== undefined).map((t) => Math.max(0, at - Date.parse(t.claimed_at!)));
  const throughput = WINDOWS.map((days) => ({ days, created: 0, done: 0, cancelled: 0 }));
  for (const e of events) {
    const key = e.type === "task.created" ? "created" : e.type === "task.completed" ? "done" : e.type === "task.cancelled" ? "cancelled" : undefined;
    if (key === undefined) continue;
    const age = at - Date.parse(e.ts);
    for (const w of throughput) if (age >= 0 && age < w.days * DAY) w[key]++;
  }
  return {
    tasks: tasks.length, by_status, by_type: sortedCounts(by_type), open_by_priority,
    open_age: percentiles(open.map((t) => Math.max(0, at - Date.parse(t.created_at)))),
    ...(oldest ? { oldest_open: { id: oldest.id, title: oldest.title, created_at: oldest.created_at } } : {}),
    claim_age: percentiles(claims), throughput,
  };
}

/** Most common first, then by name: the order a reader scans. */
const sortedCounts = (m: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(m).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1)));
