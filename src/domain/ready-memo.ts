import { forkCounts, type Counts } from "./counts.ts";
import { unblockCounts } from "./graph.ts";
import { insertionPoint } from "./sorted.ts";
import { compareReady, hasLiveClaim, initiativeGate, notReadyReasons, readyItem, readyPage, type ReadyItem } from "./ready.ts";
import { isClosed, type State, type Task, lookup, recordValues } from "./types.ts";

/**
 * What a long-lived process (daemon, MCP server, orchestrator) carries from one decision to the
 * next, so `claim --next` does not rank 10,000 tasks on every call: unblock counts, valid while
 * the dependency graph of unfinished tasks is unchanged, and the ready order of every task that
 * could be ready (open or in progress, every dependency closed), valid while no task enters or
 * leaves that set and no priority changes. Leases and defer dates are checked on every call.
 */
export interface ReadyMemo {
  counts: Counts;
  order: string[] | undefined;
  uses: number;
  /**
   * How many tasks at the head of `order` hold a live claim, each until `liveUntil` at least:
   * the walks below start after them. Without it a long-lived process's n-th claim stepped over
   * the n - 1 tasks it had claimed (twice per commit: the claim and STATE.md's ready list).
   */
  live?: number;
  liveUntil?: string;
  /**
   * The tasks in `order` whose readiness depends on more than their place in it (a claim that
   * may be live, a defer date, an initiative's gate): every other one is ready. With it the
   * number of ready tasks is known without looking at each of thousands (absent: walk them all).
   */
  special?: Set<string> | undefined;
}

/** Whether a task in the order may still not be ready (see ReadyMemo.special). */
export const isSpecial = (t: Task): boolean => t.status === "in_progress" || t.defer_until !== undefined || t.initiative !== undefined;

/** Whether `t` (in the memo's order) is ready at `now`: what is left of notReadyReasons for a candidate. */
export const readyInOrder = (state: State, t: Task, now: string): boolean =>
  !hasLiveClaim(t, now) && !(t.defer_until !== undefined && t.defer_until > now) && initiativeGate(state, t) === undefined;

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
  const order = memo.order ?? fillOrder(state, memo);
  for (let i = liveStart(memo, now); i < order.length; i++) {
    const id = order[i]!;
    const t = lookup(state.tasks, id);
    if (!t) continue;
    if (hasLiveClaim(t, now)) {
      growLive(memo, i, t);
      continue;
    }
    if (notReadyReasons(state, t, now).length > 0) continue;
    return readyItem(t, memo.counts.get(id) ?? 0);
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
  const { special } = memo;
  // Without the special set, every task is looked at: the set is made on the way (the claimed head is all in progress).
  const start = liveStart(memo, now);
  const found = special === undefined ? new Set(order.slice(0, start)) : undefined;
  for (let i = start; i < order.length && (special === undefined || items.length < limit); i++) {
    const t = lookup(state.tasks, order[i]!);
    if (t && found && isSpecial(t)) found.add(t.id);
    if (t && hasLiveClaim(t, now)) {
      growLive(memo, i, t);
      continue;
    }
    // While the order is kept, its tasks are open or in progress with every dependency closed
    // (carryReadyMemo drops it otherwise): what is left of notReadyReasons is cheap to check.
    if (!t || !readyInOrder(state, t, now)) continue;
    total++;
    if (items.length >= limit) continue;
    items.push(readyItem(t, memo.counts.get(t.id) ?? 0));
  }
  if (found || !special) {
    memo.special = found;
    return { total, items };
  }
  let notReady = 0;
  for (const id of special) {
    const t = lookup(state.tasks, id);
    if (!t || !readyInOrder(state, t, now)) notReady++;
  }
  return { total: order.length - notReady, items };
}

/** Ranks every candidate into `memo` (order, counts, the special ones); returns the order. */
export function fillOrder(state: State, memo: ReadyMemo): string[] {
  const potential = recordValues(state.tasks).filter((t) => couldBeReady(state, t));
  const missing = potential.filter((t) => !memo.counts.has(t.id)).map((t) => t.id);
  for (const [id, n] of unblockCounts(state, missing)) memo.counts.set(id, n);
  memo.special = new Set(potential.filter(isSpecial).map((t) => t.id));
  return (memo.order = potential
    .map((task) => ({ task, unblocks: memo.counts.get(task.id) ?? 0 }))
    .sort(compareReady)
    .map((i) => i.task.id));
}

/** Every task that could be ready (open or in progress, every dependency closed) in ready order; fills `counts`. */
export function potentialOrder(state: State, counts: Counts): string[] {
  return fillOrder(state, { counts, order: undefined, uses: 0 });
}

const sameDeps = (a: Task, b: Task): boolean => a.deps.length === b.deps.length && a.deps.every((d, i) => b.deps[i] === d);
const mayBeReady = (t: Task): boolean => t.status === "open" || t.status === "in_progress";

/** The reverse dependency edges of the unfinished tasks, kept beside a state (views/view-index.ts) so a memo can be carried without a scan. */
export interface WaitGraph {
  /** The unfinished tasks whose dependencies name `id`. */
  waitersOf(id: string): Iterable<string>;
}

/** The state after the events and its wait graph: with them a memo survives any task change (`reorder`). */
export interface CarryContext {
  state: State;
  graph: WaitGraph;
}

/**
 * What survives of `memo` after events that changed these tasks (before -> after; undefined:
 * absent). Judged on the tasks' fields, not on event types, so any event (`rw edit --status` can
 * claim a done task) is handled; an event that names no task may change anything: start over.
 * A change that keeps every task's place (a claim, a lease renewed) keeps the memo as it is;
 * any other is applied to it (`reorder`) when `after` is given, else the order is dropped.
 */
export function carryReadyMemo(memo: ReadyMemo, changed: Iterable<readonly [Task | undefined, Task | undefined]>, taskless: boolean, after?: CarryContext): ReadyMemo {
  if (taskless) return newReadyMemo();
  const pairs = [...changed];
  let keepOrder = true;
  let graphChanged = false;
  let live = memo.live;
  for (const [a, b] of pairs) {
    if (!a && !b) continue; // an event on no task (refused by the fold): nothing changed
    if (!a || !b || isClosed(a.status) !== isClosed(b.status) || !sameDeps(a, b)) graphChanged = true;
    else if (mayBeReady(a) !== mayBeReady(b) || a.priority !== b.priority || a.created_at !== b.created_at) keepOrder = false;
    // Only a task already in progress can be in the claimed head (a released or renewed claim): count it again.
    if (a?.status === "in_progress") live = 0;
  }
  // A new object: the walks grow `live` on the state after the events, which may never be committed.
  if (!graphChanged && keepOrder) return { ...memo, live, special: after && memo.special ? respecial(memo.special, pairs, after.state) : undefined };
  if (after) return reorder(memo, pairs, after, graphChanged);
  return graphChanged ? newReadyMemo() : { counts: memo.counts, order: undefined, uses: memo.uses };
}

/**
 * The memo for the state after these changes, from the memo before them, looking only at what
 * they can move. A task's unblock count changes only if it reaches a changed task through
 * unfinished dependencies (before or after), so those ancestors are recounted; a task becomes
 * or stops being a candidate only if it changed or waits on a task that closed, reopened, or
 * appeared. Each of those leaves the order and, if it is a candidate now, goes back in by binary
 * search. The memo before stays intact (a failed transaction keeps using it).
 */
function reorder(memo: ReadyMemo, pairs: ReadonlyArray<readonly [Task | undefined, Task | undefined]>, { state, graph }: CarryContext, graphChanged: boolean): ReadyMemo {
  // A batch that changes many tasks (an import) is ranked afresh: one sort beats thousands of walks and insertions.
  if (pairs.length > Math.max(REORDER_MAX, (memo.order?.length ?? 0) / 8)) return newReadyMemo();
  const counts = graphChanged ? forkCounts(memo.counts) : memo.counts;
  const moved = new Set<string>();
  for (const [a, b] of pairs) if (a ?? b) moved.add((a ?? b)!.id);
  if (graphChanged) {
    const stack: string[] = [];
    for (const [a, b] of pairs) {
      if (!a && !b) continue;
      const id = (a ?? b)!.id;
      counts.delete(id);
      if (a && !isClosed(a.status)) stack.push(...a.deps);
      if (b && !isClosed(b.status)) stack.push(...b.deps);
      if (!a || !b || isClosed(a.status) !== isClosed(b.status)) for (const w of graph.waitersOf(id)) moved.add(w);
    }
    const seen = new Set<string>();
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      const t = lookup(state.tasks, id);
      if (!t || isClosed(t.status)) continue;
      counts.delete(id);
      moved.add(id);
      stack.push(...t.deps);
    }
  }
  if (!memo.order) return { counts, order: undefined, uses: memo.uses };
  const order = memo.order.filter((id) => !moved.has(id));
  const special = memo.special && new Set([...memo.special].filter((id) => !moved.has(id)));
  const item = (id: string): ReadyItem => ({ task: lookup(state.tasks, id)!, unblocks: counts.get(id)! });
  for (const id of moved) {
    const t = lookup(state.tasks, id);
    if (!t || !couldBeReady(state, t)) continue;
    if (!counts.has(id)) counts.set(id, countWaiting(graph, id));
    const mine = item(id);
    order.splice(insertionPoint(order, id, (a) => compareReady(item(a), mine)), 0, id);
    if (isSpecial(t)) special?.add(id);
  }
  return { counts, order, uses: memo.uses, live: 0, special };
}

/** The special set after changes that kept every task's place: each changed candidate re-judged. */
function respecial(special: Set<string>, pairs: ReadonlyArray<readonly [Task | undefined, Task | undefined]>, state: State): Set<string> {
  const out = new Set(special);
  for (const [, t] of pairs) {
    if (!t) continue;
    out.delete(t.id);
    if (isSpecial(t) && couldBeReady(state, t)) out.add(t.id);
  }
  return out;
}

/** Tasks one carry may move before the order is dropped for a fresh ranking (see reorder). */
const REORDER_MAX = 256;

/** How many unfinished tasks transitively wait on `id` (what unblockCounts gives), walking the wait graph. */
function countWaiting(graph: WaitGraph, id: string): number {
  const seen = new Set<string>([id]);
  const queue = [id];
  for (let head = 0; head < queue.length; head++) {
    for (const w of graph.waitersOf(queue[head]!)) {
      if (seen.has(w)) continue;
      seen.add(w);
      queue.push(w);
    }
  }
  return seen.size - 1;
}
