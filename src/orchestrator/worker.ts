import { decideHeartbeat, decideRelease } from "../domain/decide-lifecycle.ts";
import { decideCriteriaChecked, decideRunCompleted, decideRunFailed, type RunFailure } from "../domain/decide-run.ts";
import { RwError } from "../domain/errors.ts";
import type { Task } from "../domain/types.ts";
import { gitOk } from "../store/git.ts";
import { readAllEvents } from "../store/snapshot.ts";
import type { Actor, Store } from "../store/store.ts";
import { findCriteria } from "../format/criteria.ts";
import { addUsage, noUsage, type Executor, type Usage } from "./executor.ts";
import { gateFeedback, gatesFor, runGates } from "./gates.ts";
import { commitWork, mergeTask } from "./merge.ts";
import type { Mutex } from "./mutex.ts";
import { renderWorkerPrompt } from "./prompt.ts";
import { storeSecrets } from "../store/redact-events.ts";
import { openTranscript } from "./transcript.ts";
import { ensureWorktree, removeWorktree, resetWorktree, type WorktreeSetup } from "./worktrees.ts";
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
  /** Merges into the integration branch, one at a time (worktree bookkeeping has `setup.lock`). */
  mutex: Mutex;
  clock: () => number;
  emit: (e: ProgressEvent) => void;
}

export interface Worker { n: number; actor: Actor }

export type Outcome = "completed" | "failed" | "blocked" | "interrupted" | "lost";

export interface TaskRun { outcome: Outcome; usage: Usage }

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** The last failure recorded for a task, so a retry (even in a later `rw run`) is told what went wrong. */
async function lastFailure(store: Store, id: string): Promise<{ kind?: string; feedback?: string } | undefined> {
  const snap = await store.snapshot();
  const { events } = await readAllEvents(store.source, snap.root);
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (e.task !== id) continue;
    if (e.type === "task.reopened") return undefined;
    if (e.type === "task.failed") {
      const d = e.data;
      return { ...(typeof d.kind === "string" ? { kind: d.kind } : {}), feedback: typeof d.feedback === "string" ? d.feedback : typeof d.error === "string" ? d.error : "" };
    }
  }
  return undefined;
}

/** Keeps the claim alive while the worker runs; reports a lost claim (lease expired and taken over). */
function heartbeat(r: RunEnv, w: Worker, id: string, onLost: () => void): () => void {
  const every = Math.max(1_000, Math.floor(r.store.config.claims.lease_ms / 3));
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    r.store.transact(decideHeartbeat(id), w.actor).then(
      () => { running = false; },
      (err: unknown) => {
        running = false;
        if (err instanceof RwError && (err.code === "not_claimable" || err.code === "not_found")) onLost();
      },
    );
  }, every);
  return () => clearInterval(timer);
}

/**
 * Whether the worker still holds the task at the tip, checked right before its work lands. A
 * lease with less than half of it left is renewed first, so nobody can take the task over
 * between the merge and `task.completed`; the renewal fails if someone already has.
 */
async function stillHolds(r: RunEnv, w: Worker, id: string): Promise<boolean> {
  const t = (await r.store.snapshot()).state.tasks[id];
  if (t?.status !== "in_progress" || t.assignee !== w.actor.name) return false;
  if (t.lease_until !== undefined && Date.parse(t.lease_until) - r.clock() > r.store.config.claims.lease_ms / 2) return true;
  try {
    await r.store.transact(decideHeartbeat(id), w.actor);
    return true;
  } catch (err) {
    if (err instanceof RwError && err.code === "not_claimable") return false;
    throw err;
  }
}

/**
 * One attempt at one claimed task: worktree → prompt → agent → gates → verifier → commit → merge
 * → `task.completed`; any failure is `task.failed` with feedback for the next attempt. Ctrl-C
 * stops before the merge, never inside it.
 */
export async function workTask(r: RunEnv, w: Worker, task: Task, runSignal: AbortSignal): Promise<TaskRun> {
  const started = r.clock();
  const attempt = task.retry_count + 1;
  const ctl = new AbortController();
  const onAbort = (): void => ctl.abort();
  runSignal.addEventListener("abort", onAbort, { once: true });
  if (runSignal.aborted) ctl.abort();
  const repo = r.store.repo;
  const log = openTranscript(repo, task.id, storeSecrets(r.store));
  let usage = noUsage();
  let lost = false;
  const stopHeartbeat = heartbeat(r, w, task.id, () => {
    lost = true;
    ctl.abort();
  });
  const base = { worker: w.n, actor: w.actor.name, task: task.id, title: task.title, attempt };
  const step = (name: string): void => r.emit({ event: "step", ...base, step: name, started_ms: started, usage });
  log(`\n=== ${task.id} attempt ${attempt} by ${w.actor.name} at ${new Date(started).toISOString()} (session ${r.session}) ===\n`);

  const interrupted = async (): Promise<TaskRun> => {
    if (lost) {
      log(`--- lost the claim (lease expired and taken over): stopped without recording a result ---\n`);
      r.emit({ event: "task.lost", ...base });
      return { outcome: "lost", usage };
    }
    if (r.setup.exec.on_interrupt === "release") {
      await r.store.transact(decideRelease(task.id, { reason: "interrupted: rw run stopped" }), w.actor).catch(() => undefined);
    }
    log(`--- interrupted; the worktree is kept ---\n`);
    r.emit({ event: "task.interrupted", ...base, released: r.setup.exec.on_interrupt === "release" });
    return { outcome: "interrupted", usage };
  };

  const fail = async (kind: RunFailure["kind"], error: string, feedback: string): Promise<TaskRun> => {
    log(`--- failed (${kind}): ${error}\n${feedback}\n`);
    try {
      const tx = await r.store.transact(decideRunFailed(task.id, { error, kind, feedback, attempt, session: r.session }), w.actor);
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
    const previous = attempt > 1 ? await lastFailure(r.store, task.id) : undefined;
    step("worktree");
    let wt;
    try {
      wt = await ensureWorktree({ ...r.setup, signal: ctl.signal }, task.id);
      // A conflict means the base moved under this work: redo it on top of what landed.
      if (previous?.kind === "conflict") await resetWorktree(wt.path, r.setup.integration, r.setup.exec.git_hooks);
    } catch (err) {
      if (ctl.signal.aborted) return await interrupted();
      return await fail("setup", message(err), message(err));
    }
    log(`worktree ${wt.path} (${wt.reused ? "reused" : "new"}) on ${wt.branch}\n`);

    step("agent");
    const gates = gatesFor(task, r.setup.exec.gates);
    const prompt = renderWorkerPrompt(r.template, task, gates, attempt, previous?.feedback, r.domainNotes);
    log(`--- prompt ---\n${prompt}\n--- agent ---\n`);
    let agentStep = "agent";
    let agentUsage: Usage | undefined;
    const work = await r.executor.work({
      task, prompt, cwd: wt.path, attempt, actor: w.actor, session: r.session, signal: ctl.signal, log,
      onProgress: (p) => {
        agentStep = p.step ? `agent: ${p.step}` : agentStep; // a usage update keeps the step it belongs to
        agentUsage = p.usage ?? agentUsage;
        r.emit({ event: "step", ...base, step: agentStep, started_ms: started, usage: addUsage(usage, agentUsage) });
      },
    }).catch((err: unknown) => ({ finished: false, summary: "", usage: noUsage(), error: message(err) }));
    usage = addUsage(usage, work.usage);
    if (ctl.signal.aborted) return await interrupted();
    if (!work.finished) return await fail("agent", `the agent stopped without finishing: ${work.error ?? "no done signal"}`, work.error ?? "You stopped without signalling that the task was finished.");

    step("gates");
    const gateOutcome = await runGates({
      store: r.store, actor: w.actor, task, gates, cwd: wt.path, attempt, env: r.setup.env, timeoutMs: r.setup.exec.gate_timeout_ms,
      now: r.clock, signal: ctl.signal, log, onGate: (g) => r.emit({ event: "step", ...base, step: `gate: ${g}`, started_ms: started, usage }),
    });
    if (gateOutcome.aborted || ctl.signal.aborted) return await interrupted();
    if (!gateOutcome.passed) {
      const bad = gateOutcome.runs[gateOutcome.runs.length - 1]!;
      return await fail("gates", `gate \`${bad.gate}\` ${bad.timed_out ? "timed out" : `failed with exit ${bad.exit_code ?? "signal"}`}`, gateFeedback(gateOutcome.runs));
    }

    const current = (await r.store.snapshot()).state.tasks[task.id] ?? task;
    // `offset` is where "[ ]" starts: criterion.checked patches exactly there when folded.
    const criteria = (await findCriteria(current.body)).map((c) => ({ index: c.index, text: c.text, checked: c.checked, offset: c.mark - 1 }));
    const open = criteria.filter((c) => !c.checked);
    if (open.length > 0) {
      step("verify");
      await gitOk(["add", "-A"], { cwd: wt.path });
      const diff = await gitOk(["diff", "--cached", `refs/heads/${r.setup.integration}`], { cwd: wt.path });
      let v;
      try {
        v = await r.executor.verify({ task: current, criteria, diff, gates: gateOutcome.runs, cwd: wt.path, actor: w.actor, session: r.session, signal: ctl.signal, log });
      } catch (err) {
        if (ctl.signal.aborted) return await interrupted();
        return await fail("verifier", `the verifier could not judge the work: ${message(err)}`, "The verifier could not judge this attempt; make the work easy to check against each criterion.");
      }
      usage = addUsage(usage, v.usage);
      if (ctl.signal.aborted) return await interrupted();
      const met = new Map(v.verdicts.filter((x) => x.met).map((x) => [x.index, x.evidence]));
      const ticks = open.filter((c) => met.has(c.index)).map((c) => ({ index: c.index, text: c.text, offset: c.offset, evidence: met.get(c.index) ?? "" }));
      if (ticks.length > 0) await r.store.transact(decideCriteriaChecked(task.id, ticks), w.actor);
      const unmet = open.filter((c) => !met.has(c.index));
      if (unmet.length > 0) {
        const why = new Map(v.verdicts.map((x) => [x.index, x.evidence]));
        const list = unmet.map((c) => `- [ ] ${c.text}${why.get(c.index) ? ` — ${why.get(c.index)}` : ""}`).join("\n");
        return await fail("verifier", `${unmet.length} of ${criteria.length} acceptance criteria not met`, `The verifier found these acceptance criteria not met:\n${list}`);
      }
    }

    if (ctl.signal.aborted) return await interrupted();
    step("merge");
    await commitWork(wt, task, w.actor, r.setup.env, r.setup.exec.git_hooks);
    const merged = await mergeTask(repo, wt, r.setup.integration, { merge: r.mutex, worktrees: r.setup.lock, gitHooks: r.setup.exec.git_hooks }, () => stillHolds(r, w, task.id));
    if ("lost" in merged) {
      lost = true;
      return await interrupted();
    }
    if (!merged.ok) {
      return await fail("conflict", `merge conflict with ${r.setup.integration} in ${merged.conflicts.join(", ")}`,
        `Your change conflicted with work merged into ${r.setup.integration} meanwhile, in: ${merged.conflicts.join(", ")}. ` +
        `This attempt starts again from the current ${r.setup.integration}; redo the task on top of those changes.`);
    }
    const duration_ms = r.clock() - started;
    const summary = work.summary.trim() || `${task.title}`;
    await r.store.transact(decideRunCompleted(task.id, {
      summary, files_changed: merged.files, duration_ms, tokens: { input: usage.input_tokens, output: usage.output_tokens },
      cost_usd: usage.cost_usd, commit: merged.commit === merged.previous ? null : merged.commit, attempt, session: r.session,
    }), w.actor);
    await removeWorktree(r.setup, wt);
    log(`--- merged ${merged.commit.slice(0, 10)} into ${r.setup.integration}: ${merged.files.length} files; done in ${duration_ms} ms ---\n`);
    r.emit({ event: "task.completed", ...base, duration_ms, usage, commit: merged.commit, files: merged.files, summary });
    return { outcome: "completed", usage };
  } catch (err) {
    // Recording a step (gate.ran, criterion.checked, task.completed) found the claim gone: this
    // worker's lease ran out and someone took the task over. Stop quietly; the run goes on.
    if (err instanceof RwError && err.code === "not_claimable") {
      lost = true;
      return await interrupted();
    }
    // Not the task's fault (a dirty checkout of the integration branch, git itself): give the
    // claim back per config and let the run stop; the worktree keeps the work.
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
