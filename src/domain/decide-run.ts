import { getTask, makeEvent, type DecideContext, type Decider } from "./decide.ts";
import { decideClaim, type ClaimResult } from "./decide-lifecycle.ts";
import { readyTasks } from "./ready.ts";
import { RwError } from "./errors.ts";
import type { RwEvent, Task } from "./types.ts";

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

/** `review`: gates re-run while a person approves a task waiting for review (`rw review --approve`). */
export const decideGateRan = (id: string, run: GateRun, opts: { review?: boolean } = {}): Decider<GateRun> => (state, ctx) => {
  const task = getTask(state, id);
  if (opts.review) requireReview(task);
  else requireHolder(task, ctx);
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

const tickEvents = (task: Task, checks: CriterionCheck[], ctx: DecideContext): RwEvent[] => checks
  .filter((c) => task.body.slice(c.offset, c.offset + 3) === "[ ]")
  .map((c) => makeEvent(ctx, "criterion.checked", task.id, { index: c.index, text: c.text, offset: c.offset, ...(c.evidence ? { evidence: c.evidence } : {}) }));

export const decideCriteriaChecked = (id: string, checks: CriterionCheck[]): Decider<{ checked: number }> => (state, ctx) => {
  const task = getTask(state, id);
  requireHolder(task, ctx);
  const events = tickEvents(task, checks, ctx);
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

/**
 * The attempt landed on the integration branch: its criteria ticks and `task.completed` in one
 * transaction. Ticks are written only here, so a failed or conflicted attempt never leaves
 * criteria claimed for work that is not on the integration branch.
 */
export const decideRunLanded = (id: string, ticks: CriterionCheck[], done: RunCompletion, opts: { review?: { by: string } } = {}): Decider<{ id: string; checked: number }> => (state, ctx) => {
  const task = getTask(state, id);
  if (opts.review) requireReview(task);
  else requireHolder(task, ctx);
  const checks = tickEvents(task, ticks, ctx);
  const data = { ...done, ...(opts.review ? { review: "approved", approved_by: opts.review.by } : {}) };
  return { events: [...checks, makeEvent(ctx, "task.completed", id, data)], summary: `done ${id}: ${task.title}`, result: { id, checked: checks.length } };
};

function requireReview(task: Task): void {
  if (task.status !== "review") {
    throw new RwError("not_claimable", `${task.id} is not waiting for review (it is ${task.status})`, { hint: "`rw list --status review` lists the tasks that are", data: { id: task.id, status: task.status } });
  }
}

/** What a task waiting for review carries, so `rw review ID` can show it and `--approve` can land it. */
export interface ReviewRequest {
  attempt: number;
  /** The task branch's commit that passed gates and the verifier, and the integration tip it was merged with. */
  commit: string;
  base: string;
  gates: GateRun[];
  verdicts: Array<{ index: number; text: string; met: boolean; evidence: string }>;
  ticks: CriterionCheck[];
  diffstat: string;
  /** Why it waits beyond the policy (a protected path it touches), if anything. */
  reason?: string;
  session?: string;
}

export const decideReviewRequested = (id: string, req: ReviewRequest): Decider<{ id: string }> => (state, ctx) => {
  const task = getTask(state, id);
  requireHolder(task, ctx);
  return { events: [makeEvent(ctx, "task.review_requested", id, { ...req })], summary: `review ${id}: ${task.title}`, result: { id } };
};

/** Sent back to the worker (`rw review --reject`, or an approval that no longer merges): open again, the feedback goes into the next prompt. */
export const decideReviewRejected = (id: string, r: { feedback: string; kind: "review" | "conflict" | "gates" }): Decider<{ id: string }> => (state, ctx) => {
  const task = getTask(state, id);
  requireReview(task);
  const feedback = r.feedback.trim();
  if (feedback === "") throw new RwError("usage", "say what to change: rw review ID --reject \"feedback\"");
  return { events: [makeEvent(ctx, "task.review_rejected", id, { feedback, kind: r.kind })], summary: `reject ${id}: ${task.title}`, result: { id } };
};

export interface RunFailure {
  /** One line: what went wrong. */
  error: string;
  kind: "agent" | "gates" | "verifier" | "conflict" | "setup" | "guard";
  /** What the next attempt's prompt is told (gate output tails, verifier findings, conflicting files). */
  feedback: string;
  attempt: number;
  session?: string;
  /** `git diff --stat` of what the attempt left in its worktree. */
  diffstat?: string;
  /** A conflict: redone on the new base without using a retry, until `max` rebases; `with` names what it conflicts with. */
  rebase?: { count: number; max: number; with: string };
  /** The same failure as the previous attempt: escalate to the role's `escalate` model, or block with this note. */
  escalation?: { to: "model"; model: string } | { to: "block"; note: string };
}

export const decideRunFailed = (id: string, failure: RunFailure): Decider<{ id: string; retry_count: number; will_retry: boolean }> => (state, ctx) => {
  const task = getTask(state, id);
  requireHolder(task, ctx);
  const { rebase, escalation } = failure;
  // A conflict is not the work's fault: it has its own bound (execution.max_rebases).
  const retry_count = rebase ? task.retry_count : task.retry_count + 1;
  const blockedBy = rebase && rebase.count > rebase.max ? `keeps conflicting with ${rebase.with} (redone ${rebase.max} times on a new base)`
    : escalation?.to === "block" ? escalation.note : undefined;
  const will_retry = blockedBy === undefined && (rebase !== undefined || retry_count < ctx.config.maxRetries);
  const event = makeEvent(ctx, "task.failed", id, {
    error: failure.error, retry_count, will_retry, kind: failure.kind, feedback: failure.feedback, attempt: failure.attempt, ...(failure.session ? { session: failure.session } : {}),
    ...(failure.diffstat ? { diffstat: failure.diffstat } : {}), ...(rebase ? { rebase: rebase.count } : {}), ...(escalation?.to === "model" ? { escalate: escalation.model } : {}),
  });
  const events = blockedBy === undefined ? [event] : [event, makeEvent(ctx, "task.blocked", id, { reason: blockedBy })];
  return { events, summary: `fail ${id}: ${task.title}`, result: { id, retry_count, will_retry } };
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
