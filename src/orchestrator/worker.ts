import { decideRelease } from "../domain/decide-lifecycle.ts";
import { decideReviewRequested, decideRunFailed, decideRunLanded, type CriterionCheck, type GateRun, type RunFailure } from "../domain/decide-run.ts";
import { RwError } from "../domain/errors.ts";
import type { Task } from "../domain/types.ts";
import { findCriteria } from "../format/criteria.ts";
import { git } from "../store/git.ts";
import type { Actor, Store } from "../store/store.ts";
import { escalationNote, loadAttemptHistory, sameFailure, type AttemptHistory } from "./attempt-history.ts";
import { addUsage, noUsage, type Executor, type Usage } from "./executor.ts";
import { gatesFor } from "./gates.ts";
import { landAttempt, type VerifyOutcome } from "./land.ts";
import { commitWork } from "./merge.ts";
import type { Mutex } from "./mutex.ts";
import { renderWorkerPrompt } from "./prompt.ts";
import { storeSecrets } from "../store/redact-events.ts";
import { openTranscript } from "./transcript.ts";
import { configStop, heartbeat, isConfigError, stillHolds } from "./worker-claim.ts";
import { ensureWorktree, removeWorktree, resetWorktree, type TaskWorktree, type WorktreeSetup } from "./worktrees.ts";
import type { ProgressEvent } from "./progress-events.ts";
import type { DomainNote } from "../agents/domain-notes.ts";

/** What every worker of one `rw run` shares. */
export interface RunEnv {
  store: Store;
  executor: Executor;
  setup: WorktreeSetup;
  template: string;
  /** The repository's `.rewind/domain/*.md` notes; each prompt includes the relevant ones. */
  domainNotes?: readonly DomainNote[] | undefined;
  session: string;
  /** The merge queue's lock: moves of the integration branch, one at a time (worktree bookkeeping has `setup.lock`). */
  mutex: Mutex;
  /** Stop tasks that passed gates and the verifier for a person (`execution.review = "human"` or `--review`). */
  review: boolean;
  clock: () => number;
  emit: (e: ProgressEvent) => void;
}

export interface Worker { n: number; actor: Actor }

export type Outcome = "completed" | "failed" | "blocked" | "review" | "interrupted" | "lost";

export interface TaskRun { outcome: Outcome; usage: Usage }

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** `git diff --stat` of everything in the worktree (committed or not) against the integration branch. */
async function worktreeStat(wt: TaskWorktree, integration: string): Promise<string> {
  await git(["add", "-A"], { cwd: wt.path });
  return (await git(["diff", "--cached", "--stat", `refs/heads/${integration}`], { cwd: wt.path })).stdout.trimEnd();
}

/** Why this attempt runs and what it starts from: the previous failure, and the earlier work already in the worktree. */
function retryContext(history: AttemptHistory, wt: TaskWorktree, stat: string, integration: string): string | undefined {
  const parts: string[] = [];
  const last = history.last;
  if (last) parts.push(`Why this attempt: the previous one ${last.kind === "review" ? "was sent back by a reviewer" : `failed (${last.kind}): ${last.error}`}.\n\n${last.feedback}`);
  else if (wt.reused) parts.push("Why this attempt: an earlier run stopped (interrupted or killed) before this task was finished; carry on from what is there.");
  if (wt.reused && stat !== "") parts.push(`Already in your worktree from the earlier attempt (against ${integration}):\n\`\`\`\n${stat}\n\`\`\``);
  else if (last?.kind === "conflict") parts.push(`Your worktree was reset to the current ${integration}: start from there.`);
  return parts.length > 0 ? parts.join("\n\n") : undefined;
}

/**
 * One attempt at one claimed task: worktree → prompt → agent → commit → the merge queue (merge
 * the integration branch in, guards, gates on the merged tree, verifier on the merged diff,
 * fast-forward) → `task.completed` with the criteria ticks. Any failure is `task.failed` with
 * feedback for the next attempt; conflicts re-queue without using a retry; a repeated identical
 * failure escalates. Ctrl-C stops before the fast-forward, never inside it.
 */
export async function workTask(r: RunEnv, w: Worker, task: Task, runSignal: AbortSignal): Promise<TaskRun> {
  const started = r.clock();
  const history: AttemptHistory = await loadAttemptHistory(r.store, task.id);
  // Redos after conflicts are attempts too, though they do not use a retry.
  const attempt = task.retry_count + history.rebases + 1;
  const ctl = new AbortController();
  const onAbort = (): void => ctl.abort();
  runSignal.addEventListener("abort", onAbort, { once: true });
  if (runSignal.aborted) ctl.abort();
  const log = openTranscript(r.store.repo, task.id, storeSecrets(r.store));
  let usage = noUsage();
  let lost = false;
  const stopHeartbeat = heartbeat(r, w, task.id, () => {
    lost = true;
    ctl.abort();
  });
  const base = { worker: w.n, actor: w.actor.name, task: task.id, title: task.title, attempt };
  const step = (name: string): void => r.emit({ event: "step", ...base, step: name, started_ms: started, usage });
  log(`\n=== ${task.id} attempt ${attempt} by ${w.actor.name} at ${new Date(started).toISOString()} (session ${r.session}) ===\n`);
  let wt: TaskWorktree | undefined;

  const interrupted = async (): Promise<TaskRun> => {
    if (lost) {
      log(`--- lost the claim (lease expired and taken over): stopped without recording a result ---\n`);
      r.emit({ event: "task.lost", ...base });
      return { outcome: "lost", usage };
    }
    if (r.setup.exec.on_interrupt === "release") {
      await r.store.transact(decideRelease(task.id, { reason: "interrupted: rw run stopped" }), w.actor).catch(() => undefined);
    }
    // A task stopped before anything was done in its new worktree leaves no worktree or branch behind.
    const empty = wt !== undefined && !wt.reused && (await worktreeStat(wt, r.setup.integration).catch(() => "?")) === "";
    if (empty) await removeWorktree(r.setup, wt!).catch(() => undefined);
    log(`--- interrupted; ${empty ? "nothing was done, the worktree is removed" : "the worktree is kept"} ---\n`);
    r.emit({ event: "task.interrupted", ...base, released: r.setup.exec.on_interrupt === "release" });
    return { outcome: "interrupted", usage };
  };

  /** The configuration is at fault, not the task: give the claim back, tidy a worktree nothing was done in, stop the run. */
  const stopForConfig = async (detail: string): Promise<never> => {
    log(`--- stopped: configuration or credentials: ${detail} ---\n`);
    await r.store.transact(decideRelease(task.id, { reason: `rw run stopped: ${detail}`.slice(0, 300) }), w.actor).catch(() => undefined);
    if (wt && !wt.reused && (await worktreeStat(wt, r.setup.integration)) === "") await removeWorktree(r.setup, wt).catch(() => undefined);
    lost = true; // released: the catch below must not release it again
    throw configStop(task.id, detail);
  };

  const fail = async (kind: RunFailure["kind"], error: string, feedback: string, conflictsWith?: string): Promise<TaskRun> => {
    log(`--- failed (${kind}): ${error}\n${feedback}\n`);
    const diffstat = wt ? await worktreeStat(wt, r.setup.integration).catch(() => "") : "";
    const current = { kind, error, feedback, diffstat, attempt };
    const failure: RunFailure = { error, kind, feedback, attempt, session: r.session, ...(diffstat ? { diffstat } : {}) };
    if (kind === "conflict") failure.rebase = { count: history.rebases + 1, max: r.setup.exec.max_rebases, with: conflictsWith ?? r.setup.integration };
    else if (history.last && history.last.kind !== "review" && sameFailure(history.last, current)) {
      // The same failure twice: a third blind try would fail the same way (the Workflow Engine's rule).
      const stronger = r.executor.escalation;
      failure.escalation = stronger && history.last.escalate === undefined ? { to: "model", model: stronger } : { to: "block", note: escalationNote(task.id, history.failures, current) };
    }
    try {
      const tx = await r.store.transact(decideRunFailed(task.id, failure), w.actor);
      r.emit({ event: "task.failed", ...base, kind, error, will_retry: tx.result.will_retry, retry_count: tx.result.retry_count, usage });
      return { outcome: tx.result.will_retry ? "failed" : "blocked", usage };
    } catch (err) {
      if (err instanceof RwError && err.code === "not_claimable") {
        lost = true;
        return interrupted();
      }
      throw err;
    }
  };

  try {
    step("worktree");
    try {
      wt = await ensureWorktree({ ...r.setup, signal: ctl.signal }, task.id);
      // A conflict means the base moved under this work: redo it on top of what landed.
      if (history.last?.kind === "conflict") await resetWorktree(wt.path, r.setup.integration, r.setup.exec.git_hooks);
    } catch (err) {
      if (ctl.signal.aborted) return await interrupted();
      return await fail("setup", message(err), message(err));
    }
    log(`worktree ${wt.path} (${wt.reused ? "reused" : "new"}) on ${wt.branch}\n`);

    step("agent");
    const gates = gatesFor(task, r.setup.exec.gates);
    const stat = wt.reused ? await worktreeStat(wt, r.setup.integration) : "";
    const prompt = renderWorkerPrompt(r.template, task, gates, attempt, retryContext(history, wt, stat, r.setup.integration), r.domainNotes);
    const escalated = history.last?.escalate !== undefined;
    log(`--- prompt${escalated ? ` (escalated to ${history.last?.escalate})` : ""} ---\n${prompt}\n--- agent ---\n`);
    let agentStep = "agent";
    let agentUsage: Usage | undefined;
    const work = await r.executor.work({
      task, prompt, cwd: wt.path, attempt, actor: w.actor, session: r.session, signal: ctl.signal, log, ...(escalated ? { escalated: true } : {}),
      onProgress: (p) => {
        agentStep = p.step ? `agent: ${p.step}` : agentStep; // a usage update keeps the step it belongs to
        agentUsage = p.usage ?? agentUsage;
        r.emit({ event: "step", ...base, step: agentStep, started_ms: started, usage: addUsage(usage, agentUsage) });
      },
    }).catch((err: unknown) => ({ finished: false, summary: "", usage: noUsage(), error: `provider_error: ${message(err)}` }));
    usage = addUsage(usage, work.usage);
    if (ctl.signal.aborted) return await interrupted();
    if (!work.finished && work.error?.startsWith("provider_error") && isConfigError(work.error)) return await stopForConfig(work.error.replace(/^provider_error: /, ""));
    if (!work.finished) return await fail("agent", `the agent stopped without finishing: ${work.error ?? "no done signal"}`, work.error ?? "You stopped without signalling that the task was finished.");

    await commitWork(wt, task, w.actor, r.setup.env, r.setup.exec.git_hooks);
    const cwd = wt.path;
    const verify = async (diff: string, runs: GateRun[]): Promise<VerifyOutcome> => {
      const current = (await r.store.snapshot()).state.tasks[task.id] ?? task;
      // `offset` is where "[ ]" starts: criterion.checked patches exactly there when folded.
      const criteria = (await findCriteria(current.body)).map((c) => ({ index: c.index, text: c.text, checked: c.checked, offset: c.mark - 1 }));
      const open = criteria.filter((c) => !c.checked);
      if (open.length === 0) return { ticks: [], verdicts: [] };
      let v;
      try {
        v = await r.executor.verify({ task: current, criteria, diff, gates: runs, cwd, actor: w.actor, session: r.session, signal: ctl.signal, log });
      } catch (err) {
        if (ctl.signal.aborted) return { ticks: [], verdicts: [] };
        if (isConfigError(message(err))) return await stopForConfig(`verifier: ${message(err)}`);
        return { ticks: [], verdicts: [], unmet: { error: `the verifier could not judge the work: ${message(err)}`, feedback: "The verifier could not judge this attempt; make the work easy to check against each criterion." } };
      }
      usage = addUsage(usage, v.usage);
      const byIndex = new Map(v.verdicts.map((x) => [x.index, x]));
      const verdicts = open.map((c) => ({ index: c.index, text: c.text, met: byIndex.get(c.index)?.met === true, evidence: byIndex.get(c.index)?.evidence ?? "" }));
      const ticks: CriterionCheck[] = verdicts.filter((x) => x.met).map((x) => ({ index: x.index, text: x.text, offset: open.find((c) => c.index === x.index)!.offset, evidence: x.evidence }));
      const unmet = verdicts.filter((x) => !x.met);
      if (unmet.length === 0) return { ticks, verdicts };
      const list = unmet.map((c) => `- [ ] ${c.text}${c.evidence ? ` — ${c.evidence}` : ""}`).join("\n");
      return { ticks, verdicts, unmet: { error: `${unmet.length} of ${criteria.length} acceptance criteria not met`, feedback: `The verifier found these acceptance criteria not met:\n${list}` } };
    };

    step("merge queue");
    const landed = await landAttempt({
      store: r.store, actor: w.actor, setup: r.setup, locks: { merge: r.mutex, worktrees: r.setup.lock, gitHooks: r.setup.exec.git_hooks },
      task, wt, gates, attempt, signal: ctl.signal, log, onStep: step, verify, review: r.review, stillHeld: () => stillHolds(r, w, task.id),
    });
    if (landed.kind === "aborted") return await interrupted();
    if (landed.kind === "lost") {
      lost = true;
      return await interrupted();
    }
    if (landed.kind === "failed") return await fail(landed.failure, landed.error, landed.feedback, landed.conflicts?.commits.join("; ") || landed.conflicts?.files.join(", "));
    if (landed.kind === "review") {
      await r.store.transact(decideReviewRequested(task.id, {
        attempt, commit: landed.commit, base: landed.base, gates: landed.runs, verdicts: landed.verify?.verdicts ?? [], ticks: landed.verify?.ticks ?? [],
        diffstat: landed.diffstat, session: r.session, ...(landed.reason ? { reason: landed.reason } : {}),
      }), w.actor);
      log(`--- waiting for review (rw review ${task.id}); the worktree is kept ---\n`);
      r.emit({ event: "task.review", ...base, usage, ...(landed.reason ? { reason: landed.reason } : {}) });
      return { outcome: "review", usage };
    }
    const duration_ms = r.clock() - started;
    const summary = work.summary.trim() || `${task.title}`;
    await r.store.transact(decideRunLanded(task.id, landed.ticks, {
      summary, files_changed: landed.files, duration_ms, tokens: { input: usage.input_tokens, output: usage.output_tokens },
      cost_usd: usage.cost_usd, commit: landed.commit === landed.previous ? null : landed.commit, attempt, session: r.session,
    }), w.actor);
    await removeWorktree(r.setup, wt);
    log(`--- merged ${landed.commit.slice(0, 10)} into ${r.setup.integration}: ${landed.files.length} files; done in ${duration_ms} ms ---\n`);
    r.emit({ event: "task.completed", ...base, duration_ms, usage, commit: landed.commit, files: landed.files, summary });
    return { outcome: "completed", usage };
  } catch (err) {
    // Recording a step (gate.ran, task.completed) found the claim gone: this worker's lease ran
    // out and someone took the task over. Stop quietly; the run goes on.
    if (err instanceof RwError && err.code === "not_claimable") {
      lost = true;
      return await interrupted();
    }
    // Not the task's fault (configuration, a dirty checkout of the integration branch, git
    // itself): give the claim back per config and let the run stop; the worktree keeps the work.
    log(`--- stopped by an error: ${message(err)} ---\n`);
    if (!lost && r.setup.exec.on_interrupt === "release") {
      await r.store.transact(decideRelease(task.id, { reason: `rw run stopped: ${message(err)}`.slice(0, 300) }), w.actor).catch(() => undefined);
    }
    throw err;
  } finally {
    stopHeartbeat();
    runSignal.removeEventListener("abort", onAbort);
  }
}
