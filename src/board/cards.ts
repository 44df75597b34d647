import { phaseProgress } from "../domain/initiative-lifecycle.ts";
import { isClosed, recordValues, type Initiative, type Session, type State, type Task } from "../domain/types.ts";
import type { Card, InitiativeView, SessionView } from "./protocol.ts";

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
  return recordValues(state.sessions)
    .sort((a, b) => (a.started_at > b.started_at ? -1 : a.started_at < b.started_at ? 1 : a.id < b.id ? 1 : -1))
    .slice(0, SESSIONS_SHOWN)
    .map((s: Session) => ({ ...s }));
}
