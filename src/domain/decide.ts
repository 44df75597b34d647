import { RwError, invalidInput, notFound } from "./errors.ts";
import { assertValidId } from "./ids.ts";
import type { ReadyMemo } from "./ready-memo.ts";
import type { RwEvent, State, Task } from "./types.ts";

/** What a decision needs from the world, passed in so `decide` stays pure and testable. */
export interface DecideContext {
  actor: string;
  /** Event timestamp (ISO, UTC, ms); never older than the newest folded event. */
  now: string;
  nextEventId(): string;
  randomBytes(n: number): Uint8Array;
  config: DecideConfig;
  /** Ranking work still valid for this state, kept by a long-lived store (ready-memo.ts); optional. */
  readyMemo?: ReadyMemo;
}

export interface DecideConfig {
  prefix: string;
  leaseMs: number;
  maxRetries: number;
}

/** The outcome of a command: events to append, a one-line commit summary, and what to tell the caller. */
export interface Decision<R> {
  events: RwEvent[];
  summary: string;
  result: R;
}

export type Decider<R> = (state: State, ctx: DecideContext) => Decision<R>;

export function makeEvent(ctx: DecideContext, type: string, task: string | undefined, data: Record<string, unknown> = {}, initiative?: string): RwEvent {
  const e: RwEvent = { v: 1, id: ctx.nextEventId(), ts: ctx.now, actor: ctx.actor, type, data };
  if (task !== undefined) e.task = task;
  if (initiative !== undefined) e.initiative = initiative;
  return reorder(e);
}

/** Keys in DESIGN §3 order, so identical events serialise to identical bytes. */
function reorder(e: RwEvent): RwEvent {
  const out: RwEvent = { v: e.v, id: e.id, ts: e.ts, actor: e.actor, type: e.type } as RwEvent;
  if (e.task !== undefined) out.task = e.task;
  if (e.initiative !== undefined) out.initiative = e.initiative;
  out.data = e.data;
  return out;
}

export function getTask(state: State, id: string): Task {
  assertValidId(id);
  const task = state.tasks[id];
  if (!task) throw notFound(id);
  return task;
}

export function addMs(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

export function requireText(value: string | undefined, what: string): string {
  const text = (value ?? "").trim();
  if (text === "") throw new RwError("usage", `${what} must not be empty`);
  return text;
}

export function checkPriority(p: number): number {
  if (!Number.isInteger(p) || p < 0 || p > 4) {
    throw invalidInput(`priority must be a whole number from 0 (critical) to 4, got ${String(p)}`);
  }
  return p;
}

export function checkLabel(label: string): string {
  if (!/^[^\s,[\]{}:#"']{1,64}$/u.test(label)) {
    throw invalidInput(`invalid label ${JSON.stringify(label)}`, "labels are 1-64 characters without spaces, commas, brackets, quotes or colons");
  }
  return label;
}

export function checkType(type: string): string {
  if (!/^[a-z][a-z0-9_-]{0,31}$/.test(type)) {
    throw invalidInput(`invalid type ${JSON.stringify(type)}`, "use a lowercase word such as task, feature, bug, chore, docs");
  }
  return type;
}

export function checkTimestamp(value: string, what: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw invalidInput(`${what} is not a date: ${JSON.stringify(value)}`, "use ISO 8601, e.g. 2026-12-01 or 2026-12-01T09:00:00Z");
  return new Date(ms).toISOString();
}
