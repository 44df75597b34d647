import { RwError, invalidInput, notFound } from "./errors.ts";
import { assertValidId, isValidId } from "./ids.ts";
import { checkLine, checkText } from "./text.ts";
import type { ReadyMemo } from "./ready-memo.ts";
import { lookup, type RwEvent, type State, type Task } from "./types.ts";

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
  // The actor authors the state commit: a control character there is a NUL in a commit header.
  checkActor(ctx.actor);
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

/** An actor name as it appears in events and commits: one line, no control characters, ≤ 100 characters. */
export function checkActor(actor: string): string {
  checkLine(actor, "actor name");
  if (actor.trim() === "" || actor.length > 100 || /[<>]/.test(actor)) {
    throw new RwError("usage", `invalid actor name ${JSON.stringify(actor)}`, { hint: "use a plain name of at most 100 characters, without < or >" });
  }
  return actor;
}

export function hasTask(state: State, id: string): boolean {
  return Object.hasOwn(state.tasks, id);
}

/**
 * A task by ID, or "not found" (exit 4). A name that could never be an ID but is harmless to
 * echo ("__proto__", "_x") is simply not found too; only path-like input ("../x") is invalid.
 */
export function getTask(state: State, id: string): Task {
  if (!isValidId(id) && /^[\w.-]{1,64}$/.test(id) && !id.includes("..")) throw notFound(id);
  assertValidId(id);
  const task = lookup(state.tasks, id);
  if (!task) throw notFound(id);
  return task;
}

/**
 * The longest lease or timeout rw accepts: 2^31-1 ms (~24.8 days), the most a Node.js timer can
 * wait; past it the timer fires at once (a lease's heartbeat would spin).
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A lease length in ms: a whole number from 1 ms to MAX_TIMER_MS. */
export function checkLeaseMs(ms: number): number {
  if (!Number.isFinite(ms) || ms < 1 || ms > MAX_TIMER_MS) {
    throw invalidInput(`lease of ${String(ms)} ms is out of range`, "use a lease from 1s to 24d (2^31-1 ms, Node's timer limit)");
  }
  return Math.round(ms);
}

export function addMs(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

/** A required value: trimmed, not empty, no control characters (tab and newline only when multi-line: notes, reasons). */
export function requireText(value: string | undefined, what: string, opts: { line?: boolean } = {}): string {
  const text = (value ?? "").trim();
  if (text === "") throw new RwError("usage", `${what} must not be empty`);
  return opts.line ? checkLine(text, what) : checkText(text, what);
}

/** An optional multi-line value (a reason, a summary): checked when given. */
export function optionalText(value: string | undefined, what: string): string | undefined {
  return value === undefined ? undefined : checkText(value, what);
}

/** Most characters a one-line field may have (titles, reasons); longer text belongs in the body. */
export const MAX_LINE = 500;

export function requireTitle(value: string | undefined): string {
  const title = requireText(value, "title", { line: true });
  if ([...title].length > MAX_LINE) throw invalidInput(`title is ${[...title].length} characters; the limit is ${MAX_LINE}`, "put the details in the body (--body)");
  return title;
}

export function checkPriority(p: number): number {
  if (!Number.isInteger(p) || p < 0 || p > 4) {
    throw invalidInput(`priority must be a whole number from 0 (critical) to 4, got ${String(p)}`);
  }
  return p;
}

export function checkLabel(label: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are refused in labels
  if (!/^[^\s,[\]{}:#"'\u0000-\u001f\u007f-\u009f]{1,64}$/u.test(label) || /\p{Cs}/u.test(label)) {
    throw invalidInput(`invalid label ${JSON.stringify(label)}`, "labels are 1-64 characters without spaces, commas, brackets, quotes or colons");
  }
  return label;
}

export function checkType(type: string): string {
  if (typeof type !== "string") throw invalidInput(`invalid type ${JSON.stringify(type)}`, "use a lowercase word such as task, feature, bug, chore, docs");
  if (!/^[a-z][a-z0-9_-]{0,31}$/.test(type)) {
    throw invalidInput(`invalid type ${JSON.stringify(type)}`, "use a lowercase word such as task, feature, bug, chore, docs");
  }
  return type;
}

/**
 * A date as rw stores it (ISO 8601, UTC, ms). Years are four digits (1970-9999): a five-digit
 * year renders as "+099999-…", which rw's own mirror parser and most tools refuse.
 */
export function checkTimestamp(value: string, what: string): string {
  const text = value.trim();
  const fix = "use ISO 8601 with a four-digit year, e.g. 2026-12-01 or 2026-12-01T09:00:00Z";
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) {
    throw invalidInput(`${what} is not a date: ${JSON.stringify(value)}`, fix);
  }
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw invalidInput(`${what} is not a date: ${JSON.stringify(value)}`, fix);
  const iso = new Date(ms).toISOString();
  if (!/^\d{4}-/.test(iso) || iso < "1970-") throw invalidInput(`${what} ${JSON.stringify(value)} is outside 1970-9999`, fix);
  return iso;
}
