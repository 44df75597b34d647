import { addMs, checkLeaseMs, getTask, makeEvent, optionalText, requireText, type DecideContext, type Decider } from "./decide.ts";
import { RwError } from "./errors.ts";
import { hasLiveClaim, notReadyReasons } from "./ready.ts";
import { bestReady } from "./ready-memo.ts";
import type { RwEvent, State, Status, Task } from "./types.ts";
import { recordValues } from "./types.ts";

export interface ClaimResult {
  id: string;
  title: string;
  lease_until: string;
  renewed: boolean;
  takeover_from?: string;
}

function notClaimable(task: Task, why: string, data: Record<string, unknown> = {}): RwError {
  return new RwError("not_claimable", `${task.id} is not claimable: ${why}`, { data: { id: task.id, ...data } });
}

/** The claim event for one task, or the reason it cannot be claimed (DESIGN §4). */
function claimEvent(state: State, task: Task, ctx: DecideContext, leaseMs: number, force: boolean): { event: RwEvent; result: ClaimResult } {
  const lease_until = addMs(ctx.now, checkLeaseMs(leaseMs));
  const data: Record<string, unknown> = { lease_until };
  const result: ClaimResult = { id: task.id, title: task.title, lease_until, renewed: false };
  if (task.status === "in_progress") {
    if (task.assignee === ctx.actor) {
      data.renewed = true;
      result.renewed = true;
    } else if (hasLiveClaim(task, ctx.now) && !force) {
      throw notClaimable(task, `held by ${task.assignee ?? "?"} until ${task.lease_until}`, {
        assignee: task.assignee, lease_until: task.lease_until,
      });
    } else if (task.assignee !== undefined) {
      data.takeover_from = task.assignee;
      if (task.lease_until !== undefined) data.expired_lease = task.lease_until;
      result.takeover_from = task.assignee;
    }
  } else if (task.status !== "open") {
    throw notClaimable(task, task.status === "blocked" ? `blocked: ${task.blocked_reason ?? ""}` : `status is ${task.status}`, { status: task.status });
  }
  if (!force && !result.renewed) {
    const reasons = notReadyReasons(state, { ...task, status: "open" }, ctx.now);
    if (reasons.length > 0) throw notClaimable(task, reasons.join("; "), { reasons });
  }
  return { event: makeEvent(ctx, "task.claimed", task.id, data), result };
}

export const decideClaim = (id: string, opts: { leaseMs?: number; force?: boolean } = {}): Decider<ClaimResult> => (state, ctx) => {
  const task = getTask(state, id);
  const { event, result } = claimEvent(state, task, ctx, opts.leaseMs ?? ctx.config.leaseMs, opts.force ?? false);
  return { events: [event], summary: `claim ${id}: ${task.title}`, result };
};

/** Claims the first ready task. Re-run on every CAS retry, so a lost race moves on to the next one. */
export const decideClaimNext = (opts: { leaseMs?: number } = {}): Decider<ClaimResult> => (state, ctx) => {
  const first = bestReady(state, ctx.now, ctx.readyMemo);
  if (!first) throw new RwError("not_found", "no task is ready", { hint: "`rw ready --explain` says why each task is waiting" });
  return decideClaim(first.task.id, opts)(state, ctx);
};

function requireClaimant(task: Task, ctx: DecideContext, force: boolean, verb: string): void {
  if (force) return;
  if (task.status !== "in_progress") {
    throw new RwError("not_claimable", `${task.id} is ${task.status}, not claimed: nothing to ${verb}`, {
      hint: `claim it first with \`rw claim ${task.id}\`, or pass --force`, data: { id: task.id, status: task.status },
    });
  }
  if (task.assignee !== ctx.actor) {
    throw new RwError("not_claimable", `${task.id} is claimed by ${task.assignee ?? "?"}, not by ${ctx.actor}`, {
      hint: "pass --actor with the claimant's name, or --force", data: { id: task.id, assignee: task.assignee },
    });
  }
}

export const decideHeartbeat = (id: string, opts: { leaseMs?: number } = {}): Decider<{ id: string; lease_until: string }> => (state, ctx) => {
  const task = getTask(state, id);
  requireClaimant(task, ctx, false, "renew");
  const lease_until = addMs(ctx.now, checkLeaseMs(opts.leaseMs ?? ctx.config.leaseMs));
  return { events: [makeEvent(ctx, "task.heartbeat", id, { lease_until })], summary: `heartbeat ${id}`, result: { id, lease_until } };
};

export const decideRelease = (id: string, opts: { force?: boolean; reason?: string } = {}): Decider<{ id: string }> => (state, ctx) => {
  const task = getTask(state, id);
  requireClaimant(task, ctx, opts.force ?? false, "release");
  const data: Record<string, unknown> = {};
  if (opts.reason) data.reason = optionalText(opts.reason, "reason");
  if (task.assignee && task.assignee !== ctx.actor) data.assignee = task.assignee;
  return { events: [makeEvent(ctx, "task.released", id, data)], summary: `release ${id}: ${task.title}`, result: { id } };
};

export const decideDone = (id: string, opts: { force?: boolean; summary?: string } = {}): Decider<{ id: string }> => (state, ctx) => {
  const task = getTask(state, id);
  if (task.status === "done") throw new RwError("not_claimable", `${id} is already done`, { data: { id } });
  requireClaimant(task, ctx, opts.force ?? false, "complete");
  const data: Record<string, unknown> = {};
  if (opts.summary) data.summary = optionalText(opts.summary, "summary");
  if (opts.force && task.status === "in_progress" && task.assignee !== undefined && task.assignee !== ctx.actor) Object.assign(data, { forced: true, overrode: task.assignee });
  return { events: [makeEvent(ctx, "task.completed", id, data)], summary: `done ${id}: ${task.title}`, result: { id } };
};

export interface FailResult { id: string; retry_count: number; will_retry: boolean }

export const decideFail = (id: string, opts: { reason: string; force?: boolean }): Decider<FailResult> => (state, ctx) => {
  const task = getTask(state, id);
  const error = requireText(opts.reason, "--reason");
  requireClaimant(task, ctx, opts.force ?? false, "fail");
  const retry_count = task.retry_count + 1;
  const will_retry = retry_count < ctx.config.maxRetries;
  const event = makeEvent(ctx, "task.failed", id, { error, retry_count, will_retry });
  return { events: [event], summary: `fail ${id}: ${task.title}`, result: { id, retry_count, will_retry } };
};

/**
 * The guard every status change passes (the dedicated verbs, `rw edit --status`, MCP `update`,
 * mirror edits): a task claimed by someone else changes status only by its claimant, or with
 * force — and a forced change records whose claim it overrode. Taking over an expired claim
 * (`in_progress` again) is what `rw claim` allows, so it is allowed here too.
 */
function guardForeignClaim(task: Task, target: Status, ctx: DecideContext, force: boolean): Record<string, unknown> {
  if (task.status !== "in_progress" || task.assignee === undefined || task.assignee === ctx.actor) return {};
  if (target === "in_progress" && !hasLiveClaim(task, ctx.now)) return {};
  if (!force) {
    throw new RwError("not_claimable", `${task.id} is claimed by ${task.assignee}, not by ${ctx.actor}: only the claimant can make it ${target}`, {
      hint: `ask ${task.assignee} to finish or release it, act as them with --actor, or override with --force (recorded)`,
      data: { id: task.id, assignee: task.assignee, status: task.status, target },
    });
  }
  return { forced: true, overrode: task.assignee };
}

/**
 * A task in `review` waits with its attempt's diff kept, unmerged: `rw review --approve` takes it
 * to done through the merge queue. `done` by a status edit would claim work that is not on the
 * integration branch, so it needs --force (recorded). Back to open or cancelled is allowed.
 */
function guardReview(task: Task, target: Status, force: boolean): Record<string, unknown> {
  if (target === "done" && task.status === "review" && !force) {
    throw new RwError("wrong_state", `${task.id} waits for review: its work is not merged yet, so it cannot be marked done by a status change`, {
      hint: `\`rw review ${task.id} --approve\` merges it through the queue (or --force marks it done without merging, recorded)`, data: { id: task.id, status: task.status, target },
    });
  }
  return target === "done" && task.status === "review" ? { forced: true, skipped_review: true } : {};
}

/** The lifecycle event(s) that take a task to `target`; shared by the verbs, `rw edit --status`, MCP and the mirror. */
export function statusChangeEvents(task: Task, target: Status, ctx: DecideContext, reason?: string, opts: { force?: boolean } = {}): RwEvent[] {
  const forced = { ...guardReview(task, target, opts.force ?? false), ...guardForeignClaim(task, target, ctx, opts.force ?? false) };
  const events = statusEvents(task, target, ctx, optionalText(reason, "reason"));
  if (Object.keys(forced).length > 0) for (const e of events) e.data = { ...e.data, ...forced };
  return events;
}

function statusEvents(task: Task, target: Status, ctx: DecideContext, reason?: string): RwEvent[] {
  const id = task.id;
  switch (target) {
    case "done":
      return [makeEvent(ctx, "task.completed", id, reason ? { summary: reason } : {})];
    case "cancelled":
      return [makeEvent(ctx, "task.cancelled", id, reason ? { reason } : {})];
    case "blocked":
      // No reason given (a status edited in the mirror, `rw edit --status blocked`): none is
      // invented; readers say "no reason given" instead of a made-up one in the task file.
      return [makeEvent(ctx, "task.blocked", id, reason ? { reason } : {})];
    case "in_progress":
      return [makeEvent(ctx, "task.claimed", id, { lease_until: addMs(ctx.now, ctx.config.leaseMs) })];
    case "review":
      return [makeEvent(ctx, "task.review_requested", id, reason ? { reason } : {})];
    case "open":
      if (task.status === "blocked") return [makeEvent(ctx, "task.unblocked", id, { retry_count: 0, ...(task.retry_count > 0 ? { retries_before: task.retry_count } : {}) })];
      if (task.status === "in_progress") return [makeEvent(ctx, "task.released", id, reason ? { reason } : {})];
      return [makeEvent(ctx, "task.reopened", id, reason ? { reason } : {})];
  }
}

const transition = (verb: string, from: (t: Task) => string | undefined, to: Status, needReason: boolean) =>
  (id: string, reason?: string, opts: { force?: boolean } = {}): Decider<{ id: string; status: Status }> => (state, ctx) => {
    const task = getTask(state, id);
    const refusal = from(task);
    // The state refuses this step (exit 3), like releasing a task nobody holds.
    if (refusal) throw new RwError("wrong_state", `cannot ${verb} ${id}: ${refusal}`, { data: { id, status: task.status } });
    const why = needReason ? requireText(reason, "--reason") : reason;
    return { events: statusChangeEvents(task, to, ctx, why, opts), summary: `${verb} ${id}: ${task.title}`, result: { id, status: to } };
  };

export const decideCancel = transition("cancel", (t) => (t.status === "cancelled" ? "it is already cancelled" : undefined), "cancelled", false);
export const decideReopen = transition("reopen", (t) => (t.status === "done" || t.status === "cancelled" ? undefined : `it is ${t.status}, not done or cancelled`), "open", false);
export const decideBlock = transition("block", (t) => (t.status === "done" || t.status === "cancelled" || t.status === "blocked" ? `it is ${t.status}` : undefined), "blocked", true);
export const decideUnblock = transition("unblock", (t) => (t.status === "blocked" ? undefined : `it is ${t.status}, not blocked`), "open", false);

/** Releases every claim whose lease has run out (the daemon's supervisor calls this). */
export const decideExpireLeases: Decider<{ expired: string[] }> = (state, ctx) => {
  const events: RwEvent[] = [];
  for (const t of recordValues(state.tasks)) {
    if (t.status === "in_progress" && t.lease_until !== undefined && t.lease_until <= ctx.now) {
      events.push(makeEvent(ctx, "task.lease_expired", t.id, { assignee: t.assignee ?? null, lease_until: t.lease_until }));
    }
  }
  const expired = events.map((e) => e.task!);
  return { events, summary: `expire ${expired.length} lease${expired.length === 1 ? "" : "s"}`, result: { expired } };
};
