import type { WaitGraph } from "../domain/ready-memo.ts";
import { isClosed, lookup, recordValues, STATUSES, type State, type Status, type Task } from "../domain/types.ts";
import { packStrings, packUints, unpackStrings, unpackUints } from "../format/packed.ts";
import type { TaskSort } from "../domain/task-query.ts";
import { ORDERS, Top, type Resolve, type TopOrder } from "./view-top.ts";
import { saveSorted, SortedBase, visitInOrder, type Visit } from "./view-sorted.ts";

export { topOrder, type TopOrder, type TopSpec } from "./view-top.ts";

const CODE = new Map<string, number>(STATUSES.map((s, i) => [s, i]));

/** The index as saved in the index file beside the state (state-cache.ts), task IDs by position in the file's ID list. */
export interface SavedViewIndex {
  /** One character per task: its status's position in STATUSES, or "?" (then `other` names it). */
  status: string;
  other: Record<string, string>;
  initiatives: Record<string, number[]>;
  tops: Record<string, string[]>;
  /**
   * The wait graph: dependency IDs in sorted order (looked up by binary search), and packed
   * (format/packed.ts) the positions of the unfinished tasks that wait on each, back to back,
   * with where each dependency's run ends.
   */
  waiting?: { deps: string | string[]; ends: string; at: string };
  /** Per `rw list --sort` order, the positions of every task in that order, packed (view-sorted.ts). */
  sorted?: Record<string, string>;
}

/**
 * The index file's tasks as it has them: decoded from its bytes (not as the state holds them
 * now), where each one's list JSON lies in `bytes`, and which of those have the start of a key
 * shape (1: format/secrets.ts mayHoldKey).
 */
export interface BaseTasks { task: (pos: number) => Task; bytes: Buffer; start: ArrayLike<number>; length: ArrayLike<number>; keyish: ArrayLike<number> }

/**
 * What STATE.md and BOARD.md need of 10,000 tasks, without looking at each one: the IDs of each
 * status, the best few of each by the orders the views list them in, the IDs of each initiative,
 * and which unfinished tasks wait on which (the reverse dependency edges ready-memo.ts ranks by).
 * Tasks are read from the state the index is bound to (`bind`), when a view needs them.
 *
 * Built by one pass over the state, or restored from the index file as it was saved: the file's
 * task IDs with one status character each, and the tasks changed since (`gone` from that list,
 * `added` by status). Nothing is decoded or put in a map per task until something asks, so a
 * write at 100,000 tasks pays for what it changes. Carried across transactions with `update`
 * (the tasks they changed, before and after). The views read it only through `members`, `count`
 * and `best`: a carried index and a fresh one give the same bytes (test/unit/views/view-index.test.ts).
 */
export class ViewIndex implements WaitGraph {
  private baseIds: readonly string[] = [];
  private codes = "";
  private other: Record<string, string> = {};
  private readonly baseCounts = new Map<string, number>();
  private readonly gone = new Set<string>();
  private readonly goneCounts = new Map<string, number>();
  private readonly added = new Map<string, Set<string>>();
  private savedInitiatives: Record<string, number[]> | undefined;
  private readonly initiatives = new Map<string, Set<string>>();
  private savedWaits: { deps: string[]; ends: Uint32Array; at: Uint32Array } | undefined;
  /** Entries of `savedWaits` already decoded into `waiters` (which is then what counts). */
  private readonly waitsRead = new Set<number>();
  private readonly waiters = new Map<string, Set<string>>();
  private readonly tops = new Map<string, Top>();
  private sorted: SortedBase | undefined;
  private tasks: Readonly<Record<string, Task>> = Object.create(null) as Record<string, Task>;
  private readonly find: Resolve = (id) => lookup(this.tasks, id);

  static build(state: State): ViewIndex {
    const index = new ViewIndex().bind(state);
    for (const t of recordValues(state.tasks)) index.insert(t); // no Proxy trap per task on a lazy index
    return index;
  }

  /** From the index file: `ids` are the file's task IDs in order; undefined when `saved` does not fit them. */
  static restore(saved: SavedViewIndex, ids: readonly string[], tasks: Readonly<Record<string, Task>>, base: BaseTasks): ViewIndex | undefined {
    const deps = unpackStrings(saved?.waiting?.deps);
    const ends = unpackUints(saved?.waiting?.ends);
    const at = unpackUints(saved?.waiting?.at);
    if (typeof saved?.status !== "string" || saved.status.length !== ids.length || !deps || !ends || !at || ends.length !== deps.length) return undefined;
    const index = new ViewIndex();
    index.tasks = tasks;
    const { status, other = {} } = saved;
    const counts = new Array<number>(STATUSES.length).fill(0);
    for (let i = 0; i < ids.length; i++) {
      const code = status.charCodeAt(i) - 48;
      if (code >= 0 && code < STATUSES.length) counts[code]!++;
      else if (typeof other[ids[i]!] === "string") index.baseCounts.set(other[ids[i]!]!, (index.baseCounts.get(other[ids[i]!]!) ?? 0) + 1);
      else return undefined;
    }
    STATUSES.forEach((s, i) => index.baseCounts.set(s, counts[i]!));
    [index.baseIds, index.codes, index.other] = [ids, status, other];
    index.savedInitiatives = saved.initiatives ?? {};
    if (!deps.every((d, i) => i === 0 || deps[i - 1]! < d)) return undefined; // not in the order lookups need: rebuilt
    index.savedWaits = { deps, ends, at };
    index.sorted = SortedBase.restore(saved.sorted, ids.length, base);
    if (!index.sorted) return undefined;
    for (const [key, held] of Object.entries(saved.tops ?? {})) {
      const order = ORDERS.get(key);
      if (order) index.tops.set(key, Top.restored(order, held, () => index.find));
    }
    return index;
  }

  /**
   * The index in the index file's form, for the state whose task IDs are `ids` (undefined when
   * it is not that state's index); `at`: each ID's position in `ids`.
   */
  save(ids: readonly string[], at: ReadonlyMap<string, number>): SavedViewIndex | undefined {
    if (ids.length !== this.size) return undefined;
    const statusOf = new Map<string, string>();
    for (let i = 0; i < this.baseIds.length; i++) if (!this.gone.has(this.baseIds[i]!)) statusOf.set(this.baseIds[i]!, this.baseStatus(i));
    for (const [status, members] of this.added) for (const id of members) statusOf.set(id, status);
    const other: Record<string, string> = {};
    const chars: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const s = statusOf.get(id);
      if (s === undefined) return undefined;
      const code = CODE.get(s);
      chars.push(code === undefined ? "?" : String.fromCharCode(48 + code));
      if (code === undefined) other[id] = s;
    }
    const initiatives: Record<string, number[]> = {};
    for (const [initiative, members] of this.initiativeMap()) if (members.size > 0) initiatives[initiative] = [...members].map((id) => at.get(id)!);
    // Every list a view declared, filled now if no view asked for it yet: the next command then scans nothing.
    for (const order of ORDERS.values()) this.best(order);
    const tops: Record<string, string[]> = {};
    for (const [key, top] of this.tops) if (top.filled) tops[key] = top.ids();
    const all = new Set(this.waiters.keys());
    this.savedWaits?.deps.forEach((d, i) => this.waitsRead.has(i) || all.add(d));
    const deps: string[] = [];
    const ends: number[] = [];
    const positions: number[] = [];
    for (const dep of [...all].sort()) {
      const waiting = this.waitSet(dep, false);
      if (!waiting || waiting.size === 0) continue;
      for (const id of waiting) positions.push(at.get(id)!);
      deps.push(dep);
      ends.push(positions.length);
    }
    const sorted = saveSorted(ids.length, (sort, visit) => this.walk(sort, visit), (pos) => this.baseIds[pos]!, at);
    if (!sorted) return undefined;
    return { status: chars.join(""), other, initiatives, tops, waiting: { deps: packStrings(deps), ends: packUints(ends), at: packUints(positions) }, sorted };
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
    return (this.baseCounts.get(status) ?? 0) - (this.goneCounts.get(status) ?? 0) + (this.added.get(status)?.size ?? 0);
  }

  get size(): number {
    let n = this.baseIds.length - this.gone.size;
    for (const members of this.added.values()) n += members.size;
    return n;
  }

  /** The tasks of a status (in no particular order: use `best` for anything shown in order). */
  *members(status: Status): Iterable<Task> {
    const code = CODE.get(status)!;
    const { baseIds, codes } = this;
    for (let i = 0; i < baseIds.length; i++) {
      if (codes.charCodeAt(i) - 48 !== code || this.gone.has(baseIds[i]!)) continue;
      yield this.find(baseIds[i]!)!;
    }
    for (const id of this.added.get(status) ?? []) yield this.find(id)!;
  }

  /**
   * Every task in `sort` order (`rw list --sort`), without sorting or decoding the index file's:
   * each as its position in the file when unchanged since (see `statusAt`, `entryAt`), else as the task.
   */
  walk(sort: TaskSort, visit: Visit): void {
    const changed: Task[] = [];
    for (const members of this.added.values()) for (const id of members) changed.push(this.find(id)!);
    const perm = this.sorted?.order(sort);
    const { baseIds, gone } = this;
    if (!perm) {
      for (let i = 0; i < baseIds.length; i++) if (!gone.has(baseIds[i]!)) changed.push(this.find(baseIds[i]!)!);
      return visitInOrder(sort, undefined, changed, visit);
    }
    const isGone = gone.size === 0 ? () => false : (pos: number) => gone.has(baseIds[pos]!);
    visitInOrder(sort, { perm, gone: isGone, baseTask: this.sorted!.base.task }, changed, visit);
  }

  /** The status of the index file's task at `pos` (as the file has it). */
  statusAt = (pos: number): string => this.baseStatus(pos);

  /** The index file's tasks as it has them (only after `walk` visited a position). */
  get base(): BaseTasks {
    return this.sorted!.base;
  }

  /** The unfinished tasks whose dependencies name `id` (it may not exist). */
  waitersOf(id: string): Iterable<string> {
    return this.waitSet(id, false) ?? [];
  }

  /** The tasks of one initiative. */
  *ofInitiative(id: string): Iterable<Task> {
    for (const task of this.initiativeMap().get(id) ?? []) yield this.find(task)!;
  }

  /** The best `order.spec.k` tasks of `order.status` by `order.spec.cmp`. */
  best(order: TopOrder): Task[] {
    let top = this.tops.get(order.key);
    if (!top) this.tops.set(order.key, (top = new Top(order, () => this.find)));
    return top.best(() => this.members(order.status), this.count(order.status));
  }

  private baseStatus(i: number): string {
    return STATUSES[this.codes.charCodeAt(i) - 48] ?? this.other[this.baseIds[i]!]!;
  }

  private initiativeMap(): Map<string, Set<string>> {
    if (this.savedInitiatives) {
      for (const [initiative, at] of Object.entries(this.savedInitiatives)) this.initiatives.set(initiative, new Set(at.map((i) => this.baseIds[i]!)));
      this.savedInitiatives = undefined;
    }
    return this.initiatives;
  }

  /** The waiters of `dep` (decoded from the file's list on first use), made when `create`. */
  private waitSet(dep: string, create: boolean): Set<string> | undefined {
    let set = this.waiters.get(dep);
    if (set) return set;
    const saved = this.savedWaits;
    if (saved) {
      const { deps, ends, at } = saved;
      let lo = 0;
      let hi = deps.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (deps[mid]! < dep) lo = mid + 1;
        else hi = mid;
      }
      if (lo < deps.length && deps[lo] === dep && !this.waitsRead.has(lo)) {
        this.waitsRead.add(lo);
        set = new Set<string>();
        for (let k = lo === 0 ? 0 : ends[lo - 1]!; k < ends[lo]!; k++) set.add(this.baseIds[at[k]!]!);
        this.waiters.set(dep, set);
        return set;
      }
    }
    if (!create) return undefined;
    this.waiters.set(dep, (set = new Set<string>()));
    return set;
  }

  private insert(t: Task): void {
    if (!isClosed(t.status)) for (const dep of t.deps) this.waitSet(dep, true)!.add(t.id);
    let mine = this.added.get(t.status);
    if (!mine) this.added.set(t.status, (mine = new Set<string>()));
    if (CODE.has(t.status)) {
      // A status this build does not know is counted and shown in no list (as before).
      const size = this.count(t.status);
      for (const top of this.tops.values()) if (top.order.status === t.status) top.add(t, size);
    }
    mine.add(t.id);
    if (t.initiative !== undefined) {
      const map = this.initiativeMap();
      let group = map.get(t.initiative);
      if (!group) map.set(t.initiative, (group = new Set<string>()));
      group.add(t.id);
    }
  }

  /** `t` as the index holds it now (the task before a change). */
  private delete(t: Task): void {
    if (!this.added.get(t.status)?.delete(t.id)) {
      // Not among the tasks added since the file was read: one of the file's, unless it is gone already or was never here.
      if (this.gone.has(t.id) || this.baseIds.length === 0 || !Object.hasOwn(this.tasks, t.id)) return;
      this.gone.add(t.id);
      this.goneCounts.set(t.status, (this.goneCounts.get(t.status) ?? 0) + 1);
    }
    if (!isClosed(t.status)) for (const dep of t.deps) this.waitSet(dep, false)?.delete(t.id);
    for (const top of this.tops.values()) if (top.order.status === t.status) top.remove(t.id);
    if (t.initiative !== undefined) this.initiativeMap().get(t.initiative)?.delete(t.id);
  }
}
