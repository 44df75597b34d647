import { getTask, makeEvent, type DecideContext, type Decider } from "./decide.ts";
import { decideClaim, type ClaimResult } from "./decide-lifecycle.ts";
import { readyTasks } from "./ready.ts";
import { RwError } from "./errors.ts";
import type { Task } from "./types.ts";

/**
 * Deciders for `rw run` (DESIGN §8). Each re-checks that the worker still holds its claim: a
 * worker whose lease ran out and was taken over must not record results for someone else's task.
 */
function requireHolder(task: Task, ctx: DecideContext): void {
  if (task.status !== "in_progress" || task.assignee !== ctx.actor) {
    throw new RwError("not_claimable", `${task.id} is no longer held by ${ctx.actor} (${task.status}${task.assignee ? `, ${task.assignee}` : ""})`, {
      data: { id: task.id, status: task.status, assignee: task.assignee },
    });
  }
}

export interface GateRun {
  gate: string;
  exit_code: number | null;
  duration_ms: number;
  timed_out: boolean;
  output_tail: string;
  attempt: number;
}

export const decideGateRan = (id: string, run: GateRun): Decider<GateRun> => (state, ctx) => {
  const task = getTask(state, id);
  requireHolder(task, ctx);
  const verdict = run.exit_code === 0 ? "passed" : run.timed_out ? "timed out" : `failed (${run.exit_code ?? "killed"})`;
  return { events: [makeEvent(ctx, "gate.ran", id, { ...run })], summary: `gate ${id}: ${run.gate} ${verdict}`, result: run };
};

export interface CriterionCheck {
  /** 0-based position among the task's acceptance criteria. */
  index: number;
  text: string;
  /** Offset in the body of the "[ ]" to tick; folding patches exactly there (the body is kept verbatim). */
  offset: number;
  evidence?: string;
}

export const decideCriteriaChecked = (id: string, checks: CriterionCheck[]): Decider<{ checked: number }> => (state, ctx) => {
  const task = getTask(state, id);
  requireHolder(task, ctx);
  const events = checks
    .filter((c) => task.body.slice(c.offset, c.offset + 3) === "[ ]")
    .map((c) => makeEvent(ctx, "criterion.checked", id, { index: c.index, text: c.text, offset: c.offset, ...(c.evidence ? { evidence: c.evidence } : {}) }));
  return { events, summary: `verify ${id}: ${events.length} criteria met`, result: { checked: events.length } };
};

export interface RunCompletion {
  summary: string;
  files_changed: string[];
  duration_ms: number;
  tokens: { input: number; output: number };
  cost_usd: number;
  commit: string | null;
  attempt: number;
  session?: string;
}

export const decideRunCompleted = (id: string, done: RunCompletion): Decider<{ id: string }> => (state, ctx) => {
  const task = getTask(state, id);
  requireHolder(task, ctx);
  return { events: [makeEvent(ctx, "task.completed", id, { ...done })], summary: `done ${id}: ${task.title}`, result: { id } };
};

export interface RunFailure {
  /** One line: what went wrong. */
  error: string;
  kind: "agent" | "gates" | "verifier" | "conflict" | "setup";
  /** What the next attempt's prompt is told (gate output tails, verifier findings, conflicting files). */
  feedback: string;
  attempt: number;
  session?: string;
}

export const decideRunFailed = (id: string, failure: RunFailure): Decider<{ id: string; retry_count: number; will_retry: boolean }> => (state, ctx) => {
  const task = getTask(state, id);
  requireHolder(task, ctx);
  const retry_count = task.retry_count + 1;
  const will_retry = retry_count < ctx.config.maxRetries;
  const event = makeEvent(ctx, "task.failed", id, {
    error: failure.error, retry_count, will_retry, kind: failure.kind, feedback: failure.feedback, attempt: failure.attempt, ...(failure.session ? { session: failure.session } : {}),
  });
  return { events: [event], summary: `fail ${id}: ${task.title}`, result: { id, retry_count, will_retry } };
};

export interface SessionStats {
  completed: number;
  failed: number;
  tokens: { input: number; output: number };
  cost_usd: number;
  duration_ms: number;
  tasks: string[];
  interrupted: boolean;
  /** "completed" (ran to the end), "interrupted" (Ctrl-C or a run-stopping error), "failed" (nothing done, something failed). */
  outcome: "completed" | "interrupted" | "failed";
}

export const decideSessionStarted = (session: string, data: Record<string, unknown>): Decider<{ session: string }> => (_state, ctx) => ({
  events: [makeEvent(ctx, "session.started", undefined, { session, ...data })],
  summary: `session ${session} started`,
  result: { session },
});

export const decideSessionEnded = (session: string, stats: SessionStats): Decider<{ session: string }> => (_state, ctx) => ({
  events: [makeEvent(ctx, "session.ended", undefined, { session, ...stats })],
  summary: `session ${session} ended: ${stats.completed} done, ${stats.failed} failed`,
  result: { session },
});

/** `rw run`'s pick: the first ready task the run may take (its --task / --initiative / --max-tasks filter). */
export const decideClaimNextWhere = (accept: (t: Task) => boolean): Decider<ClaimResult> => (state, ctx) => {
  const first = readyTasks(state, ctx.now).find((r) => accept(r.task));
  if (!first) throw new RwError("not_found", "no task is ready");
  return decideClaim(first.task.id)(state, ctx);
};
