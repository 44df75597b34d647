import { phaseProgress } from "./initiative-lifecycle.ts";
import { byPriority } from "./order.ts";
import { readyTasks } from "./ready.ts";
import { STATUSES, isClosed, type State, type Task, recordValues } from "./types.ts";

export interface InitiativeProgress {
  id: string;
  title: string;
  status: string;
  /** Finished tasks (done or cancelled) of all its tasks. */
  done: number;
  total: number;
  phases: Array<{ n: number; title: string; status: string; done: number; total: number }>;
}

export interface RunningClaim {
  id: string;
  title: string;
  assignee: string;
  claimed_at?: string;
  lease_until?: string;
  /** The lease ran out: anyone may take the task over. */
  expired: boolean;
}

export interface StatusSummary {
  tasks: number;
  /** Every status rw knows, zero included, so a reader sees the whole backlog's shape. */
  by_status: Record<string, number>;
  /** Open tasks split into ready and waiting (on dependencies, a phase, a defer date). */
  ready: number;
  waiting: number;
  next: Array<{ id: string; title: string; priority: number }>;
  initiatives: InitiativeProgress[];
  running: RunningClaim[];
  sessions: Array<{ id: string; actor: string; tasks: string[]; started_at: string }>;
  /** Tasks waiting for a person's review (the `review` status, where rw has it). */
  review: Array<{ id: string; title: string; assignee?: string }>;
  blocked: Array<{ id: string; title: string; reason: string }>;
}

/**
 * `rw status` (and the MCP `status` answer): the backlog in one screen. Pure: the CLI adds what
 * only the machine knows (a daemon, PROBLEMS.md).
 */
export function statusSummary(state: State, now: string, nextCount = 3): StatusSummary {
  const by_status: Record<string, number> = Object.fromEntries(STATUSES.map((s) => [s, 0]));
  const tasks = recordValues(state.tasks);
  for (const t of tasks) by_status[t.status] = (by_status[t.status] ?? 0) + 1;
  const ready = readyTasks(state, now);
  const readyOpen = ready.filter((r) => r.task.status === "open").length;
  const running = tasks.filter((t) => t.status === "in_progress").sort(byClaim).map((t) => ({
    id: t.id, title: t.title, assignee: t.assignee ?? "?", ...(t.claimed_at ? { claimed_at: t.claimed_at } : {}),
    ...(t.lease_until ? { lease_until: t.lease_until } : {}), expired: t.lease_until !== undefined && t.lease_until <= now,
  }));
  const initiatives = Object.values(state.initiatives)
    .filter((i) => i.status !== "cancelled" && i.status !== "completed")
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((i) => {
      const { phases, unphased } = phaseProgress(state, i);
      const done = phases.reduce((n, p) => n + p.done, 0) + unphased.filter((t) => isClosed(t.status)).length;
      const total = phases.reduce((n, p) => n + p.total, 0) + unphased.length;
      return { id: i.id, title: i.title, status: i.status, done, total, phases: phases.map(({ tasks: _t, ...p }) => p) };
    });
  const sessions = Object.values(state.sessions).filter((s) => s.ended_at === undefined)
    .sort((a, b) => (a.started_at < b.started_at ? -1 : 1))
    .map((s) => ({ id: s.id, actor: s.actor, tasks: s.tasks, started_at: s.started_at }));
  const review = tasks.filter((t) => (t.status as string) === "review").sort(byPriority)
    .map((t) => ({ id: t.id, title: t.title, ...(t.assignee ? { assignee: t.assignee } : {}) }));
  const blocked = tasks.filter((t) => t.status === "blocked").sort(byPriority)
    .map((t) => ({ id: t.id, title: t.title, reason: t.blocked_reason ?? "no reason given" }));
  return {
    tasks: tasks.length, by_status, ready: ready.length, waiting: Math.max(0, (by_status.open ?? 0) - readyOpen),
    next: ready.slice(0, nextCount).map((r) => ({ id: r.task.id, title: r.task.title, priority: r.task.priority })),
    initiatives, running, sessions, review, blocked,
  };
}

const byClaim = (a: Task, b: Task): number => ((a.claimed_at ?? "") < (b.claimed_at ?? "") ? -1 : (a.claimed_at ?? "") > (b.claimed_at ?? "") ? 1 : a.id < b.id ? -1 : 1);
