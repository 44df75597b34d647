import { unblockCounts } from "./graph.ts";
import { compareReady, hasLiveClaim, initiativeGate, notReadyReasons, readyPage, type ReadyItem } from "./ready.ts";
import { isClosed, type State, type Task, lookup, recordValues } from "./types.ts";

/**
 * What a long-lived process (daemon, MCP server, orchestrator) carries from one decision to the
 * next, so `claim --next` does not rank 10,000 tasks on every call: unblock counts, valid while
 * the dependency graph of unfinished tasks is unchanged, and the ready order of every task that
 * could be ready (open or in progress, every dependency closed), valid while no task enters or
 * leaves that set and no priority changes. Leases and defer dates are checked on every call.
 */
export interface ReadyMemo {
  counts: Map<string, number>;
  order: string[] | undefined;
  uses: number;
  /**
   * How many tasks at the head of `order` hold a live claim, each until `liveUntil` at least:
   * the walks below start after them. Without it a long-lived process's n-th claim stepped over
   * the n - 1 tasks it had claimed (twice per commit: the claim and STATE.md's ready list).
   */
  live?: number;
  liveUntil?: string;
}

/** Where a walk of the memo's order may start at `now` (the claimed head skipped while its leases hold). */
function liveStart(memo: ReadyMemo, now: string): number {
  if (memo.live && memo.liveUntil !== undefined && now < memo.liveUntil) return memo.live;
  memo.live = 0;
  memo.liveUntil = undefined;
  return 0;
}

/** Task `t` at `i`, the first place after the known claimed head, holds a live claim: one more in the head. */
function growLive(memo: ReadyMemo, i: number, t: Task): void {
  if (i !== (memo.live ?? 0)) return;
  memo.live = i + 1;
  if (memo.liveUntil === undefined || t.lease_until! < memo.liveUntil) memo.liveUntil = t.lease_until;
}

export function newReadyMemo(): ReadyMemo {
  return { counts: new Map(), order: undefined, uses: 0 };
}

const couldBeReady = (state: State, t: Task): boolean =>
  (t.status === "open" || t.status === "in_progress") && t.deps.every((d) => { const dep = lookup(state.tasks, d); return dep !== undefined && isClosed(dep.status); });

/** The first ready task: the same one `readyPage(state, now, 1)` returns. */
export function bestReady(state: State, now: string, memo?: ReadyMemo): ReadyItem | undefined {
  if (!memo) return readyPage(state, now, 1).items[0];
  // A one-shot process decides once: ranking only the top priority is cheaper than the full order.
  if (++memo.uses < 2) return readyPage(state, now, 1, memo.counts).items[0];
  const order = (memo.order ??= potentialOrder(state, memo.counts));
  for (let i = liveStart(memo, now); i < order.length; i++) {
    const id = order[i]!;
    const t = lookup(state.tasks, id);
    if (!t) continue;
    if (hasLiveClaim(t, now)) {
      growLive(memo, i, t);
      continue;
    }
    if (notReadyReasons(state, t, now).length > 0) continue;
    const item: ReadyItem = { task: t, unblocks: memo.counts.get(id) ?? 0 };
    if (t.status === "in_progress") item.expired_claim = { assignee: t.assignee ?? "?", lease_until: t.lease_until ?? "" };
    return item;
  }
  return undefined;
}

/**
 * `readyPage(state, now, limit)` from a memo's ready order, without looking at tasks outside it
 * (undefined when the memo has no order yet): what STATE.md lists after each of a long-lived
 * process's claims.
 */
export function readyFromMemo(state: State, now: string, limit: number, memo: ReadyMemo): { total: number; items: ReadyItem[] } | undefined {
  const order = memo.order;
  if (!order) return undefined;
  const items: ReadyItem[] = [];
  let total = 0;
  for (let i = liveStart(memo, now); i < order.length; i++) {
    const t = lookup(state.tasks, order[i]!);
    if (t && hasLiveClaim(t, now)) {
      growLive(memo, i, t);
      continue;
    }
    // While the order is kept, its tasks are open or in progress with every dependency closed
    // (carryReadyMemo drops it otherwise): what is left of notReadyReasons is cheap to check.
    if (!t || (t.defer_until !== undefined && t.defer_until > now) || initiativeGate(state, t) !== undefined) continue;
    total++;
    if (items.length >= limit) continue;
    const item: ReadyItem = { task: t, unblocks: memo.counts.get(t.id) ?? 0 };
    if (t.status === "in_progress") item.expired_claim = { assignee: t.assignee ?? "?", lease_until: t.lease_until ?? "" };
    items.push(item);
  }
  return { total, items };
}

/** Every task that could be ready (open or in progress, every dependency closed) in ready order; fills `counts`. */
export function potentialOrder(state: State, counts: Map<string, number>): string[] {
  const potential = recordValues(state.tasks).filter((t) => couldBeReady(state, t));
  const missing = potential.filter((t) => !counts.has(t.id)).map((t) => t.id);
  for (const [id, n] of unblockCounts(state, missing)) counts.set(id, n);
  return potential
    .map((task) => ({ task, unblocks: counts.get(task.id) ?? 0 }))
    .sort(compareReady)
    .map((i) => i.task.id);
}

const sameDeps = (a: Task, b: Task): boolean => a.deps.length === b.deps.length && a.deps.every((d, i) => b.deps[i] === d);
const mayBeReady = (t: Task): boolean => t.status === "open" || t.status === "in_progress";

/**
 * What survives of `memo` after events that changed these tasks (before -> after; undefined:
 * absent). Judged on the tasks' fields, not on event types, so any event (`rw edit --status` can
 * claim a done task) is handled; an event that names no task may change anything: start over.
 */
export function carryReadyMemo(memo: ReadyMemo, changed: Iterable<readonly [Task | undefined, Task | undefined]>, taskless: boolean): ReadyMemo {
  if (taskless) return newReadyMemo();
  let keepOrder = true;
  let live = memo.live;
  for (const [a, b] of changed) {
    if (!a || !b || isClosed(a.status) !== isClosed(b.status) || !sameDeps(a, b)) return newReadyMemo();
    if (mayBeReady(a) !== mayBeReady(b) || a.priority !== b.priority || a.created_at !== b.created_at) keepOrder = false;
    // Only a task already in progress can be in the claimed head (a released or renewed claim): count it again.
    if (a.status === "in_progress") live = 0;
  }
  // A new object: the walks grow `live` on the state after the events, which may never be committed.
  return keepOrder ? { ...memo, live } : { counts: memo.counts, order: undefined, uses: memo.uses };
}
