import { phaseProgress } from "../domain/initiative-lifecycle.ts";
import { isClosed, type Initiative, type Session, type State, type Task } from "../domain/types.ts";
import type { Card, InitiativeView, SessionView, Totals } from "./protocol.ts";

/** How many sessions the board keeps (newest first): older ones are in `rw log`. */
const SESSIONS_SHOWN = 200;

/** A task as the board shows it: what a card needs, and what it waits on. */
export function toCard(state: State, t: Task): Card {
  const waits = t.deps.filter((d) => {
    const dep = state.tasks[d];
    return dep === undefined || !isClosed(dep.status);
  });
  const c: Card = {
    id: t.id, title: t.title, status: t.status, priority: t.priority, type: t.type, labels: t.labels, waits,
    updated_at: t.updated_at, created_at: t.created_at,
  };
  if (t.assignee !== undefined) c.assignee = t.assignee;
  if (t.lease_until !== undefined) c.lease_until = t.lease_until;
  if (t.initiative !== undefined) c.initiative = t.initiative;
  if (t.phase !== undefined) c.phase = t.phase;
  if (t.blocked_reason !== undefined) c.blocked_reason = t.blocked_reason;
  if (t.defer_until !== undefined) c.defer_until = t.defer_until;
  if (t.retry_count > 0) c.retry_count = t.retry_count;
  return c;
}

export function initiativeView(state: State, i: Initiative): InitiativeView {
  const { phases, unphased } = phaseProgress(state, i);
  const views = phases.map((p) => ({ n: p.n, title: p.title, status: p.status, done: p.done, total: p.total }));
  const done = views.reduce((a, p) => a + p.done, 0) + unphased.filter((t) => isClosed(t.status)).length;
  const total = views.reduce((a, p) => a + p.total, 0) + unphased.length;
  return { id: i.id, title: i.title, status: i.status, phases: views, done, total, updated_at: i.updated_at };
}

export function initiativeViews(state: State): InitiativeView[] {
  return Object.values(state.initiatives).map((i) => initiativeView(state, i)).sort((a, b) => (a.id < b.id ? -1 : 1));
}

export function sessionViews(state: State): SessionView[] {
  return Object.values(state.sessions)
    .sort((a, b) => (a.started_at > b.started_at ? -1 : a.started_at < b.started_at ? 1 : a.id < b.id ? 1 : -1))
    .slice(0, SESSIONS_SHOWN)
    .map((s: Session) => ({ ...s }));
}

export function totals(state: State): Totals {
  const by_status: Record<string, number> = {};
  let n = 0;
  for (const t of Object.values(state.tasks)) {
    by_status[t.status] = (by_status[t.status] ?? 0) + 1;
    n++;
  }
  const u = state.spend.total;
  return { tasks: n, by_status, tokens: u.input_tokens + u.output_tokens, cost_usd: u.cost_usd };
}

/**
 * The cards of a state, remembered per task so the next state can be diffed cheaply: a task
 * record that is the same object (the fold copies only what events touch) keeps its card
 * unless one of its dependencies changed status.
 */
export class CardIndex {
  private cards = new Map<string, { task: Task; card: Card; json: string }>();

  /** All cards of `state`, and which changed or disappeared since the last call. */
  update(state: State): { all: Card[]; changed: Card[]; removed: string[] } {
    const next = new Map<string, { task: Task; card: Card; json: string }>();
    const changed: Card[] = [];
    const all: Card[] = [];
    const closedChanged = new Set<string>();
    for (const [id, t] of Object.entries(state.tasks)) {
      const old = this.cards.get(id);
      if (old && old.task !== t && isClosed(old.task.status) !== isClosed(t.status)) closedChanged.add(id);
    }
    for (const [id, t] of Object.entries(state.tasks)) {
      const old = this.cards.get(id);
      let entry = old;
      if (!old || old.task !== t || t.deps.some((d) => closedChanged.has(d) || !state.tasks[d])) {
        const card = toCard(state, t);
        const json = JSON.stringify(card);
        entry = { task: t, card, json };
        if (!old || old.json !== json) changed.push(card);
      }
      next.set(id, entry!);
      all.push(entry!.card);
    }
    const removed = [...this.cards.keys()].filter((id) => !next.has(id));
    this.cards = next;
    return { all, changed, removed };
  }
}
