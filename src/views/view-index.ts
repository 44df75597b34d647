import { recordValues, STATUSES, type State, type Status, type Task } from "../domain/types.ts";
import { topK } from "./md.ts";

/** An order of tasks (total: ties end on the ID) and how many of the best a view shows. */
export interface TopSpec {
  cmp: (a: Task, b: Task) => number;
  k: number;
}

/**
 * The best tasks of one status by one order, carried from transaction to transaction instead of
 * found by a scan of every task. `held` is always the best `held.length` tasks of the status (at
 * most 2k): a task that leaves is dropped from it, a newcomer enters when it beats the last one
 * held. Only when fewer than k remain while the status has more is it refilled by a scan of that
 * status's tasks, at most once per k departures.
 */
class Top {
  private held: Task[] = [];
  private filled = false;
  constructor(private readonly spec: TopSpec) {}

  remove(id: string): void {
    const i = this.held.findIndex((t) => t.id === id);
    if (i >= 0) this.held.splice(i, 1);
  }

  /** `t` joins a status that held `sizeBefore` tasks. */
  add(t: Task, sizeBefore: number): void {
    if (!this.filled) return;
    const all = this.held.length === sizeBefore;
    const last = this.held[this.held.length - 1];
    if (!all && (last === undefined || this.spec.cmp(t, last) >= 0)) return; // not among the best held
    let lo = 0;
    let hi = this.held.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.spec.cmp(this.held[mid]!, t) <= 0) lo = mid + 1;
      else hi = mid;
    }
    this.held.splice(lo, 0, t);
    if (this.held.length > 2 * this.spec.k) this.held.pop();
  }

  best(members: Map<string, Task>): Task[] {
    const want = Math.min(this.spec.k, members.size);
    if (!this.filled || this.held.length < want) {
      this.held = topK(members.values(), 2 * this.spec.k, this.spec.cmp);
      this.filled = true;
    }
    return this.held.length > this.spec.k ? this.held.slice(0, this.spec.k) : this.held;
  }
}

/**
 * What STATE.md and BOARD.md need of 10,000 tasks, without looking at each one: the tasks of each
 * status, the best few of each by the orders the views list them in, and the tasks of each
 * initiative. Built by one pass over the state; a long-lived store carries it across its own
 * transactions with `update` (the tasks they changed, before and after), so a claim costs what
 * it changes. The views read it only through `members`, `count` and `best`: a carried index and
 * a fresh one give the same bytes (test/unit/view-index.test.ts checks that on random histories).
 */
export class ViewIndex {
  private readonly byStatus = new Map<Status, Map<string, Task>>(STATUSES.map((s) => [s, new Map()]));
  private readonly byInitiative = new Map<string, Map<string, Task>>();
  private readonly tops = new Map<string, { status: Status; top: Top }>();
  private total = 0;

  static build(state: State): ViewIndex {
    const index = new ViewIndex();
    for (const t of recordValues(state.tasks)) index.insert(t); // no Proxy trap per task on a lazy index
    return index;
  }

  /** Brings the index to a state in which exactly these tasks changed (before -> after; undefined: absent). */
  update(changed: Iterable<readonly [Task | undefined, Task | undefined]>): void {
    for (const [before, after] of changed) {
      if (before) this.delete(before);
      if (after) this.insert(after);
    }
  }

  count(status: Status): number {
    return this.byStatus.get(status)!.size;
  }

  get size(): number {
    return this.total;
  }

  /** The tasks of a status (insertion order: use `best` for anything shown in order). */
  members(status: Status): Map<string, Task> {
    return this.byStatus.get(status)!;
  }

  /** The tasks of one initiative. */
  ofInitiative(id: string): Iterable<Task> {
    return this.byInitiative.get(id)?.values() ?? [];
  }

  /** The best `spec.k` tasks of `status` by `spec.cmp`; `key` names the pair (the same spec each time). */
  best(key: string, status: Status, spec: TopSpec): Task[] {
    let entry = this.tops.get(key);
    if (!entry) {
      entry = { status, top: new Top(spec) };
      this.tops.set(key, entry);
    }
    return entry.top.best(this.members(status));
  }

  private insert(t: Task): void {
    this.total++;
    const group = this.byStatus.get(t.status);
    if (!group) return; // a status this build does not know: counted, shown in no list (as before)
    for (const { status, top } of this.tops.values()) if (status === t.status) top.add(t, group.size);
    group.set(t.id, t);
    if (t.initiative !== undefined) {
      let mine = this.byInitiative.get(t.initiative);
      if (!mine) this.byInitiative.set(t.initiative, (mine = new Map<string, Task>()));
      mine.set(t.id, t);
    }
  }

  private delete(t: Task): void {
    this.total--;
    const group = this.byStatus.get(t.status);
    if (!group?.delete(t.id)) return;
    for (const { status, top } of this.tops.values()) if (status === t.status) top.remove(t.id);
    if (t.initiative !== undefined) this.byInitiative.get(t.initiative)?.delete(t.id);
  }
}
