import { isClosed, recordMap, type Initiative, type State, type Task } from "../domain/types.ts";
import { initiativeView, toCard } from "./cards.ts";
import type { Card, InitiativeView, Totals } from "./protocol.ts";

interface Entry { task: Task; card: Card; json: string }

/** What changed between the last state and this one. */
export interface IndexChange {
  changed: Card[];
  removed: string[];
  /** Whether any initiative's view changed (its record, or a task in it). */
  initiatives: boolean;
}

/**
 * The cards of the last state the board saw, kept so the next state costs what changed, not
 * what there is. A new tip folded forward keeps every untouched task record as the same object
 * (the fold copies only what its events touch), so one identity scan finds the touched tasks;
 * then only those, and the dependents of a task that finished, reopened or disappeared (their
 * `waits` changed), get a new card. Counts by status and initiative views are kept the same way.
 * Any other state (a replay after a rewound or rewritten ref) has new records everywhere: then
 * every card is rebuilt and compared by its JSON, so the delta still names only real changes.
 */
export class CardIndex {
  private entries = new Map<string, Entry>();
  /** dep ID -> the tasks that list it (for a missing dep too: it may appear later). */
  private dependents = new Map<string, Set<string>>();
  /** initiative ID -> its tasks. */
  private members = new Map<string, Set<string>>();
  private byStatus = new Map<string, number>();
  private initiatives = new Map<string, { record: Initiative; view: InitiativeView }>();
  private list: Card[] | undefined;
  private views: InitiativeView[] | undefined;

  update(state: State): IndexChange {
    const tasks = state.tasks;
    const touched: string[] = [];
    /** Tasks whose presence or closedness changed: their dependents' `waits` may have. */
    const flipped = new Set<string>();
    const dirtyInitiatives = new Set<string>();
    let count = 0;
    let added = 0;
    // for-in, not Object.keys/entries: those are slow on a 10,000-key dictionary (types.ts recordValues).
    for (const id in tasks) {
      count++;
      const t = tasks[id]!;
      const old = this.entries.get(id);
      if (old?.task === t) continue;
      touched.push(id);
      if (!old) added++;
      if (!old || isClosed(old.task.status) !== isClosed(t.status)) flipped.add(id);
    }
    const removed: string[] = [];
    if (this.entries.size + added !== count) {
      for (const [id, e] of this.entries) {
        if (tasks[id] !== undefined) continue;
        removed.push(id);
        flipped.add(id);
        this.forget(id, e.task);
        this.entries.delete(id);
        if (e.task.initiative !== undefined) dirtyInitiatives.add(e.task.initiative);
      }
    }
    const redo = new Set(touched);
    for (const id of flipped) for (const d of this.dependents.get(id) ?? []) if (tasks[d] !== undefined) redo.add(d);
    const changed: Card[] = [];
    for (const id of redo) {
      const t = tasks[id]!;
      const old = this.entries.get(id);
      if (old?.task !== t) {
        if (old) this.forget(id, old.task);
        this.remember(id, t);
        if (old?.task.initiative !== undefined) dirtyInitiatives.add(old.task.initiative);
        if (t.initiative !== undefined) dirtyInitiatives.add(t.initiative);
      }
      const card = toCard(state, t);
      const json = JSON.stringify(card);
      this.entries.set(id, { task: t, card, json });
      if (old?.json !== json) changed.push(card);
    }
    if (changed.length > 0 || removed.length > 0) this.list = undefined;
    return { changed, removed, initiatives: this.updateInitiatives(state, dirtyInitiatives) };
  }

  /** Every card, in the state's task order (built once per change, for a snapshot). */
  cards(): Card[] {
    this.list ??= [...this.entries.values()].map((e) => e.card);
    return this.list;
  }

  /** Initiative views, by ID. */
  initiativeViews(): InitiativeView[] {
    this.views ??= [...this.initiatives.values()].map((x) => x.view).sort((a, b) => (a.id < b.id ? -1 : 1));
    return this.views;
  }

  totals(state: State): Totals {
    const by_status: Record<string, number> = {};
    for (const [s, n] of this.byStatus) if (n > 0) by_status[s] = n;
    const u = state.spend.total;
    return { tasks: this.entries.size, by_status, tokens: u.input_tokens + u.output_tokens, cost_usd: u.cost_usd };
  }

  private remember(id: string, t: Task): void {
    this.byStatus.set(t.status, (this.byStatus.get(t.status) ?? 0) + 1);
    for (const d of t.deps) setOf(this.dependents, d).add(id);
    if (t.initiative !== undefined) setOf(this.members, t.initiative).add(id);
  }

  private forget(id: string, t: Task): void {
    this.byStatus.set(t.status, (this.byStatus.get(t.status) ?? 0) - 1);
    for (const d of t.deps) dropFrom(this.dependents, d, id);
    if (t.initiative !== undefined) dropFrom(this.members, t.initiative, id);
  }

  /** Rebuilds the views of initiatives whose record changed or whose tasks did; true if any did. */
  private updateInitiatives(state: State, dirty: Set<string>): boolean {
    const now = state.initiatives;
    let any = false;
    for (const [id, x] of this.initiatives) {
      if (now[id] === undefined) {
        this.initiatives.delete(id);
        any = true;
      } else if (now[id] !== x.record) dirty.add(id);
    }
    for (const id in now) if (!this.initiatives.has(id)) dirty.add(id);
    for (const id of dirty) {
      const record = now[id];
      if (record === undefined) continue;
      // phaseProgress scans the state's tasks: hand it only this initiative's.
      const own = recordMap<Task>();
      for (const t of this.members.get(id) ?? []) own[t] = state.tasks[t]!;
      const view = initiativeView({ ...state, tasks: own }, record);
      const old = this.initiatives.get(id);
      this.initiatives.set(id, { record, view });
      if (!old || JSON.stringify(old.view) !== JSON.stringify(view)) any = true;
    }
    if (any) this.views = undefined;
    return any;
  }
}

function setOf(m: Map<string, Set<string>>, key: string): Set<string> {
  let s = m.get(key);
  if (!s) m.set(key, (s = new Set()));
  return s;
}

function dropFrom(m: Map<string, Set<string>>, key: string, id: string): void {
  const s = m.get(key);
  if (!s) return;
  s.delete(id);
  if (s.size === 0) m.delete(key);
}
