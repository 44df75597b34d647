import type { WaitGraph } from "../domain/ready-memo.ts";
import { isClosed, lookup, recordValues, STATUSES, type State, type Status, type Task } from "../domain/types.ts";
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
const ORDERS = new Map<string, TopOrder>();

/** Declares a view's list (at module load): the same key always means the same status and order. */
export function topOrder(key: string, status: Status, spec: TopSpec): TopOrder {
  const order = { key, status, spec };
  ORDERS.set(key, order);
  return order;
}

type Resolve = (id: string) => Task | undefined;

/**
 * The best tasks of one status by one order, carried from transaction to transaction instead of
 * found by a scan of every task. `held` is always the best `held.length` tasks of the status (at
 * most 2k): a task that leaves is dropped from it, a newcomer enters when it beats the last one
 * held. Only when fewer than k remain while the status has more is it refilled by a scan of that
 * status's tasks, at most once per k departures. A list restored from the index file holds IDs
 * until first used (`pending`): a command that never renders the views decodes none of them.
 */
class Top {
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
    let lo = 0;
    let hi = held.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cmp(held[mid]!, t) <= 0) lo = mid + 1;
      else hi = mid;
    }
    held.splice(lo, 0, t);
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

/** The index as saved in the index file beside the state (state-cache.ts), task IDs by position in the file's ID list. */
export interface SavedViewIndex {
  /** One character per task: its status's position in STATUSES, or "?" (then `other` names it). */
  status: string;
  other: Record<string, string>;
  initiatives: Record<string, number[]>;
  tops: Record<string, string[]>;
  /** [dependency ID, positions of the unfinished tasks that wait on it...] */
  waits?: Array<[string, ...number[]]>;
}

/**
 * What STATE.md and BOARD.md need of 10,000 tasks, without looking at each one: the IDs of each
 * status, the best few of each by the orders the views list them in, and the IDs of each
 * initiative. Tasks are read from the state the index is bound to (`bind`), when a view needs
 * them. Built by one pass over the state, or restored from the index file without decoding a
 * task; carried across transactions with `update` (the tasks they changed, before and after), so
 * a write costs what it changes. The views read it only through `members`, `count` and `best`:
 * a carried index and a fresh one give the same bytes (test/unit/views/view-index.test.ts).
 */
export class ViewIndex implements WaitGraph {
  private readonly statusOf = new Map<string, string>();
  /** Dependency ID -> the unfinished tasks that list it (the reverse edges `rw ready` ranks by). */
  private readonly waiters = new Map<string, Set<string>>();
  private readonly byStatus = new Map<string, Set<string>>(STATUSES.map((s) => [s, new Set()]));
  private readonly byInitiative = new Map<string, Set<string>>();
  private readonly tops = new Map<string, Top>();
  private tasks: Readonly<Record<string, Task>> = Object.create(null) as Record<string, Task>;
  private readonly find: Resolve = (id) => lookup(this.tasks, id);

  static build(state: State): ViewIndex {
    const index = new ViewIndex().bind(state);
    for (const t of recordValues(state.tasks)) index.insert(t); // no Proxy trap per task on a lazy index
    return index;
  }

  /** From the index file: `ids` are the file's task IDs in order; undefined when `saved` does not fit them. */
  static restore(saved: SavedViewIndex, ids: readonly string[], tasks: Readonly<Record<string, Task>>): ViewIndex | undefined {
    if (typeof saved?.status !== "string" || saved.status.length !== ids.length) return undefined;
    const index = new ViewIndex();
    index.tasks = tasks;
    const groups = STATUSES.map((s) => index.byStatus.get(s)!);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const code = saved.status.charCodeAt(i) - 48;
      const status = STATUSES[code] ?? saved.other?.[id];
      if (status === undefined) return undefined;
      index.statusOf.set(id, status);
      groups[code]?.add(id);
    }
    for (const [initiative, at] of Object.entries(saved.initiatives ?? {})) index.byInitiative.set(initiative, new Set(at.map((i) => ids[i]!)));
    if (!Array.isArray(saved.waits)) return undefined; // saved before waiters were kept
    for (const [dep, ...at] of saved.waits) index.waiters.set(dep, new Set(at.map((i) => ids[i]!)));
    for (const [key, held] of Object.entries(saved.tops ?? {})) {
      const order = ORDERS.get(key);
      if (order) index.tops.set(key, Top.restored(order, held, () => index.find));
    }
    return index;
  }

  /** The index in the index file's form, for the state whose task IDs are `ids` (undefined when it is not that state's index). */
  save(ids: readonly string[]): SavedViewIndex | undefined {
    if (ids.length !== this.statusOf.size) return undefined;
    const at = new Map<string, number>();
    const other: Record<string, string> = {};
    let status = "";
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const s = this.statusOf.get(id);
      if (s === undefined) return undefined;
      const code = (STATUSES as readonly string[]).indexOf(s);
      status += code < 0 ? "?" : String.fromCharCode(48 + code);
      if (code < 0) other[id] = s;
      at.set(id, i);
    }
    const initiatives: Record<string, number[]> = {};
    for (const [initiative, members] of this.byInitiative) if (members.size > 0) initiatives[initiative] = [...members].map((id) => at.get(id)!);
    // Every list a view declared, filled now if no view asked for it yet: the next command then scans nothing.
    for (const order of ORDERS.values()) this.best(order);
    const tops: Record<string, string[]> = {};
    for (const [key, top] of this.tops) if (top.filled) tops[key] = top.ids();
    const waits: Array<[string, ...number[]]> = [];
    for (const [dep, waiting] of this.waiters) if (waiting.size > 0) waits.push([dep, ...[...waiting].map((id) => at.get(id)!)]);
    return { status, other, initiatives, tops, waits };
  }

  /** Reads tasks from this state from now on (the views' state: the index describes it). */
  bind(state: Pick<State, "tasks">): this {
    this.tasks = state.tasks;
    return this;
  }

  /** Brings the index to a state in which exactly these tasks changed (before -> after; undefined: absent). */
  update(changed: Iterable<readonly [Task | undefined, Task | undefined]>): void {
    const pairs = [...changed];
    // A list restored from the file holds IDs: it is looked up as the tasks were before these
    // changes (the state may already hold them after: the journal is folded first).
    const before = new Map<string, Task | undefined>();
    for (const [b, a] of pairs) if (b ?? a) before.set((b ?? a)!.id, b);
    const find = (id: string): Task | undefined => (before.has(id) ? before.get(id) : this.find(id));
    for (const top of this.tops.values()) top.list(find);
    for (const [before, after] of pairs) {
      if (before) this.delete(before);
      if (after) this.insert(after);
    }
  }

  count(status: Status): number {
    return this.byStatus.get(status)!.size;
  }

  get size(): number {
    return this.statusOf.size;
  }

  /** The tasks of a status (in no particular order: use `best` for anything shown in order). */
  *members(status: Status): Iterable<Task> {
    for (const id of this.byStatus.get(status)!) yield this.find(id)!;
  }

  /** The unfinished tasks whose dependencies name `id` (it may not exist). */
  waitersOf(id: string): Iterable<string> {
    return this.waiters.get(id) ?? [];
  }

  /** The tasks of one initiative. */
  *ofInitiative(id: string): Iterable<Task> {
    for (const task of this.byInitiative.get(id) ?? []) yield this.find(task)!;
  }

  /** The best `order.spec.k` tasks of `order.status` by `order.spec.cmp`. */
  best(order: TopOrder): Task[] {
    let top = this.tops.get(order.key);
    if (!top) this.tops.set(order.key, (top = new Top(order, () => this.find)));
    return top.best(() => this.members(order.status), this.count(order.status));
  }

  private insert(t: Task): void {
    this.statusOf.set(t.id, t.status);
    if (!isClosed(t.status)) {
      for (const dep of t.deps) {
        let waiting = this.waiters.get(dep);
        if (!waiting) this.waiters.set(dep, (waiting = new Set<string>()));
        waiting.add(t.id);
      }
    }
    const group = this.byStatus.get(t.status);
    if (!group) return; // a status this build does not know: counted, shown in no list (as before)
    for (const top of this.tops.values()) if (top.order.status === t.status) top.add(t, group.size);
    group.add(t.id);
    if (t.initiative !== undefined) {
      let mine = this.byInitiative.get(t.initiative);
      if (!mine) this.byInitiative.set(t.initiative, (mine = new Set<string>()));
      mine.add(t.id);
    }
  }

  private delete(t: Task): void {
    this.statusOf.delete(t.id);
    if (!isClosed(t.status)) {
      for (const dep of t.deps) {
        const waiting = this.waiters.get(dep);
        if (waiting?.delete(t.id) && waiting.size === 0) this.waiters.delete(dep);
      }
    }
    const group = this.byStatus.get(t.status);
    if (!group?.delete(t.id)) return;
    for (const top of this.tops.values()) if (top.order.status === t.status) top.remove(t.id);
    if (t.initiative !== undefined) this.byInitiative.get(t.initiative)?.delete(t.id);
  }
}
