import { insertionPoint } from "../domain/sorted.ts";
import type { Status, Task } from "../domain/types.ts";
import { topK } from "./md.ts";

/** An order of tasks (total: ties end on the ID) and how many of the best a view shows. */
export interface TopSpec {
  cmp: (a: Task, b: Task) => number;
  k: number;
}

/** One list a view shows: the best `spec.k` tasks of `status`, under a key that names it in the index file. */
export interface TopOrder {
  key: string;
  status: Status;
  spec: TopSpec;
}

/** Every order a view asks for, by key: a saved index restores the lists of the keys it finds here. */
export const ORDERS = new Map<string, TopOrder>();

/** Declares a view's list (at module load): the same key always means the same status and order. */
export function topOrder(key: string, status: Status, spec: TopSpec): TopOrder {
  const order = { key, status, spec };
  ORDERS.set(key, order);
  return order;
}

export type Resolve = (id: string) => Task | undefined;

/**
 * The best tasks of one status by one order, carried from transaction to transaction instead of
 * found by a scan of every task. `held` is always the best `held.length` tasks of the status (at
 * most 2k): a task that leaves is dropped from it, a newcomer enters when it beats the last one
 * held. Only when fewer than k remain while the status has more is it refilled by a scan of that
 * status's tasks, at most once per k departures. A list restored from the index file holds IDs
 * until first used (`pending`): a command that never renders the views decodes none of them.
 */
export class Top {
  private held: Task[] = [];
  private pending: string[] | undefined;
  filled = false;
  constructor(readonly order: TopOrder, private readonly resolve: () => Resolve) {}

  static restored(order: TopOrder, ids: string[], resolve: () => Resolve): Top {
    const top = new Top(order, resolve);
    top.pending = ids;
    top.filled = true;
    return top;
  }

  /** Looks up the held IDs (once): with `find` when given (tasks as they were before a batch of changes). */
  list(find = this.pending && this.resolve()): Task[] {
    if (this.pending && find) {
      const tasks = this.pending.map(find);
      this.pending = undefined;
      // A held ID the state does not have: the file was not this state's. Refill on next use.
      if (tasks.every((t) => t !== undefined && t.status === this.order.status)) this.held = tasks as Task[];
      else [this.held, this.filled] = [[], false];
    }
    return this.held;
  }

  ids(): string[] {
    return this.pending ?? this.held.map((t) => t.id);
  }

  remove(id: string): void {
    if (this.pending) {
      const i = this.pending.indexOf(id);
      if (i >= 0) this.pending.splice(i, 1);
      return;
    }
    const i = this.held.findIndex((t) => t.id === id);
    if (i >= 0) this.held.splice(i, 1);
  }

  /** `t` joins a status that held `sizeBefore` tasks. */
  add(t: Task, sizeBefore: number): void {
    if (!this.filled) return;
    const held = this.list();
    if (!this.filled) return;
    const { cmp, k } = this.order.spec;
    const all = held.length === sizeBefore;
    const last = held[held.length - 1];
    if (!all && (last === undefined || cmp(t, last) >= 0)) return; // not among the best held
    held.splice(insertionPoint(held, t, cmp), 0, t);
    if (held.length > 2 * k) held.pop();
  }

  best(members: () => Iterable<Task>, size: number): Task[] {
    const { cmp, k } = this.order.spec;
    const want = Math.min(k, size);
    if (!this.filled || this.list().length < want) {
      this.held = topK(members(), 2 * k, cmp);
      this.filled = true;
    }
    return this.held.length > k ? this.held.slice(0, k) : this.held;
  }
}
