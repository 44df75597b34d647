import { unblockCounts } from "./graph.ts";
import type { Counts } from "./counts.ts";
import { isClosed, type State, type Task, lookup, recordValues } from "./types.ts";

export interface ReadyItem {
  task: Task;
  unblocks: number;
  /** Set when the task is in progress but its claim's lease has run out: it may be taken over. */
  expired_claim?: { assignee: string; lease_until: string };
}

/** A ready task (a task in progress is ready only once its lease ran out: the claim may be taken over). */
export function readyItem(task: Task, unblocks: number): ReadyItem {
  const item: ReadyItem = { task, unblocks };
  if (task.status === "in_progress") item.expired_claim = { assignee: task.assignee ?? "?", lease_until: task.lease_until ?? "" };
  return item;
}

/** A ready task as `rw ready --json` prints it (the key order is part of the bytes: store/ready-cache.ts copies them). */
export function readyItemJson(r: ReadyItem): Record<string, unknown> {
  const t = r.task;
  return { id: t.id, title: t.title, priority: t.priority, type: t.type, labels: t.labels, unblocks: r.unblocks, created_at: t.created_at, ...(r.expired_claim ? { expired_claim: r.expired_claim } : {}) };
}

export interface Explanation {
  id: string;
  title: string;
  ready: boolean;
  reasons: string[];
}

/** A claim counts until its lease runs out; after that anyone may take the task over. */
export function hasLiveClaim(task: Task, now: string): boolean {
  return task.status === "in_progress" && task.lease_until !== undefined && task.lease_until > now;
}

/** Why a task is not ready, in words a user can act on; empty when it is ready (DESIGN §4). */
export function notReadyReasons(state: State, task: Task, now: string): string[] {
  const reasons: string[] = [];
  if (task.status === "in_progress") {
    if (hasLiveClaim(task, now)) reasons.push(`claimed by ${task.assignee ?? "?"} until ${task.lease_until}`);
  } else if (task.status === "blocked") {
    reasons.push(`blocked: ${task.blocked_reason ?? "no reason given"}`);
  } else if (task.status !== "open") {
    reasons.push(`status is ${task.status}`);
  }
  for (const dep of task.deps) {
    const d = lookup(state.tasks, dep);
    if (!d) reasons.push(`depends on ${dep}, which does not exist`);
    else if (!isClosed(d.status)) reasons.push(`waits on ${dep} (${d.status})`);
  }
  if (task.defer_until !== undefined && task.defer_until > now) reasons.push(`deferred until ${task.defer_until}`);
  const gate = initiativeGate(state, task);
  if (gate) reasons.push(gate);
  return reasons;
}

/**
 * Rolling approval (DESIGN §7): a task of an initiative is ready only once its phase is approved
 * (a task without a phase, once the initiative is). Undefined when the initiative lets it through.
 */
export function initiativeGate(state: State, task: Task): string | undefined {
  if (task.initiative === undefined) return undefined;
  const i = lookup(state.initiatives, task.initiative);
  if (!i) return `initiative ${task.initiative} does not exist`;
  if (i.status === "cancelled") return `initiative ${i.id} is cancelled`;
  if (task.phase === undefined) {
    return i.status === "draft" || i.status === "review" ? `initiative ${i.id} is not approved yet (${i.status})` : undefined;
  }
  const phase = i.phases.find((p) => p.n === task.phase);
  if (!phase) return `phase ${task.phase} of ${i.id} does not exist`;
  return phase.status === "planned" ? `phase ${phase.n} of ${i.id} is not approved yet` : undefined;
}

/** Ready tasks in DESIGN §4 order: priority, then how much each unblocks (more first), then age. */
export function readyTasks(state: State, now: string): ReadyItem[] {
  return readyPage(state, now, Infinity).items;
}

/** A task that cannot be ready whatever else holds, checked without allocating (most tasks are these). */
function surelyNotReady(state: State, t: Task): boolean {
  if (t.status !== "open" && t.status !== "in_progress") return true;
  for (const dep of t.deps) {
    const d = lookup(state.tasks, dep);
    if (d && !isClosed(d.status)) return true;
  }
  return false;
}

/**
 * The first `limit` ready tasks in DESIGN §4 order, and how many are ready in all. Unblock
 * counts (one graph walk per task) are computed only for the priorities that can reach the
 * first `limit` places: `rw claim --next` needs one task, not an order over thousands.
 * `memo` (id -> count) may carry counts over from an earlier call while the dependency graph of
 * unfinished tasks is unchanged (see ready-memo.ts). `pool`: every task that is open or in
 * progress (the rest are never ready), when the caller keeps them apart (views/view-index.ts).
 */
export function readyPage(state: State, now: string, limit: number, memo?: Counts, pool?: Iterable<Task>): { total: number; items: ReadyItem[] } {
  const candidates: Task[] = [];
  // `pool`: the tasks that may be ready (open and in progress), when the caller has them apart.
  for (const t of pool ?? recordValues(state.tasks)) {
    // notReadyReasons stays the one definition of readiness; the quick check only skips the obvious.
    if (!surelyNotReady(state, t) && notReadyReasons(state, t, now).length === 0) candidates.push(t);
  }
  let ranked = candidates;
  if (limit < candidates.length) {
    const priorities = Float64Array.from(candidates, (t) => t.priority).sort();
    const cutoff = priorities[Math.max(0, limit - 1)]!;
    ranked = candidates.filter((t) => t.priority <= cutoff);
  }
  const missing = memo ? ranked.filter((t) => !memo.has(t.id)).map((t) => t.id) : ranked.map((t) => t.id);
  const counts = missing.length > 0 ? unblockCounts(state, missing) : new Map<string, number>();
  if (memo) for (const [id, n] of counts) memo.set(id, n);
  const items = ranked.map((task) => readyItem(task, counts.get(task.id) ?? memo?.get(task.id) ?? 0));
  items.sort(compareReady);
  return { total: candidates.length, items: items.length > limit ? items.slice(0, limit) : items };
}

export function compareReady(a: ReadyItem, b: ReadyItem): number {
  return (
    a.task.priority - b.task.priority ||
    b.unblocks - a.unblocks ||
    (a.task.created_at < b.task.created_at ? -1 : a.task.created_at > b.task.created_at ? 1 : 0) ||
    (a.task.id < b.task.id ? -1 : a.task.id > b.task.id ? 1 : 0)
  );
}

/** `rw ready --explain`: every unfinished task with the reasons it is or is not ready. */
export function explainReady(state: State, now: string): Explanation[] {
  const out: Explanation[] = [];
  for (const t of recordValues(state.tasks)) {
    if (isClosed(t.status)) continue;
    const reasons = notReadyReasons(state, t, now);
    out.push({ id: t.id, title: t.title, ready: reasons.length === 0, reasons });
  }
  return out.sort((a, b) => Number(b.ready) - Number(a.ready) || (a.id < b.id ? -1 : 1));
}
