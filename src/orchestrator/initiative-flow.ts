import { readDomainNotes, relevantNotes } from "../agents/domain-notes.ts";
import { decideIntegrated, decideMerged, decideMergeFailed, initiativeBranchName } from "../domain/decide-initiative-branch.ts";
import { needsVerification } from "../domain/decide-phase-verify.ts";
import { decideDomainNotesTask } from "../domain/domain-notes-task.ts";
import { lookup, type Initiative, type Task } from "../domain/types.ts";
import type { Actor, Store } from "../store/store.ts";
import type { Executor } from "./executor.ts";
import { commitsAhead, mergeInitiativeBranch } from "./initiative-branch.ts";
import type { MergeLocks } from "./merge.ts";
import { Mutex } from "./mutex.ts";
import { verifyPhase } from "./phase-verify.ts";
import type { ProgressEvent } from "./progress-events.ts";
import { openTranscript } from "./transcript.ts";
import { repoCwd, type WorktreeSetup } from "./worktrees.ts";

export interface FlowEnv {
  store: Store;
  executor: Executor;
  /** The run's settings, with the main integration branch. */
  setup: WorktreeSetup;
  /** The merge queue's lock (the main integration branch moves one at a time). */
  mutex: Mutex;
  session: string;
  emit: (e: ProgressEvent) => void;
}

/**
 * Work an earlier run (or a person) left for the flow: a finished phase nobody has judged — its
 * last task done by hand, approved with `rw review`, or a verification that failed — or a
 * completed initiative whose branch is not merged yet.
 */
export function pendingStep(i: Initiative, mode: "auto" | "always" | "off"): boolean {
  if (i.status === "cancelled" || i.status === "draft") return false;
  if (i.phases.some((p) => needsVerification(p, mode))) return true;
  return i.status === "completed" && i.branch !== undefined && !i.branch.merged;
}

export interface InitiativeFlow {
  /** After one of an initiative's tasks landed in this run. */
  afterTask(taskId: string, actor: Actor, signal: AbortSignal): Promise<void>;
  /** At the start of a run: every initiative `only` accepts with a pending step (see pendingStep). */
  catchUp(only: (initiative: string) => boolean, actor: Actor, signal: AbortSignal): Promise<void>;
}

/**
 * What `rw run` does for an initiative after one of its tasks landed (issue 19): record how far its
 * branch is ahead; verify the phase goal-backward if that task finished it; once the initiative
 * is complete, merge its branch into the main integration branch through the gates, and propose
 * a domain-notes update. One initiative step at a time per run; a failure here is reported and
 * leaves the branch as it is, it never stops the run.
 */
export function initiativeFlow(r: FlowEnv): InitiativeFlow {
  const one = new Mutex();
  const exec = r.setup.exec;
  const main = r.setup.integration;
  const say = (initiative: string, text: string): void => r.emit({ event: "initiative", initiative, text });

  /** One initiative's next step; `landed` is the task of it that just landed, if any. */
  const step = async (id: string, landed: Task | undefined, actor: Actor, signal: AbortSignal): Promise<void> => {
    const state = (await r.store.snapshot()).state;
    const i = lookup(state.initiatives, id);
    if (!i) return;
    const branch = initiativeBranchName(i, exec.integration === "per-initiative");
    const cwd = repoCwd(r.setup.repo);
    if (branch && landed) await r.store.transact(decideIntegrated(i.id, { branch, base: main, ahead: await commitsAhead(cwd, branch, main), task: landed.id }), actor);
    const log = openTranscript(r.store.repo, i.id);
    // The phase the task finished, or (catching up) every finished phase not judged since.
    const phases = landed ? i.phases.filter((p) => p.n === landed.phase) : i.phases;
    for (const phase of phases.filter((p) => needsVerification(p, exec.phase_verification))) {
      say(i.id, `verifying phase ${phase.n} (${phase.title})`);
      const v = await verifyPhase({
        store: r.store, setup: r.setup, verifier: r.executor.phaseVerifier, initiative: i.id, phase: phase.n, actor, session: r.session, signal, log, trigger: "run",
      });
      if ("skipped" in v) say(i.id, v.skipped);
      else {
        const what = v.verdict === "passed" ? "passed" : v.verdict === "gaps" ? `${v.gaps.length} gap${v.gaps.length === 1 ? "" : "s"}: remediation ${v.tasks.join(", ")} (round ${v.round} of ${exec.max_remediations})` : `blocked for a person: ${v.tasks.join(", ")}`;
        say(i.id, `phase ${phase.n} verification ${what}`);
      }
    }
    const now = lookup((await r.store.snapshot()).state.initiatives, i.id);
    if (now?.status !== "completed") return;
    if (branch && !now.branch?.merged) {
      const locks: MergeLocks = { merge: r.mutex, worktrees: r.setup.lock, gitHooks: exec.git_hooks };
      say(i.id, `complete: merging ${branch} into ${main}`);
      const m = await mergeInitiativeBranch(r.setup, locks, now, branch, signal, log);
      if (m.kind === "failed") {
        await r.store.transact(decideMergeFailed(i.id, { branch, into: main, reason: m.reason }), actor);
        say(i.id, `${branch} was not merged: ${m.reason} (the branch is kept; \`rw initiative ship ${i.id}\` opens it for a pull request)`);
        return;
      }
      const commit = m.kind === "merged" ? m.commit : "";
      await r.store.transact(decideMerged(i.id, { branch, into: main, commit, previous: m.kind === "merged" ? m.previous : "", gates: m.kind === "merged" ? m.gates : [] }), actor);
      say(i.id, m.kind === "merged" ? `merged ${branch} into ${main} (${commit.slice(0, 10)})` : `${branch} had nothing ${main} lacks`);
    }
    const notes = relevantNotes(await readDomainNotes(r.store.repo.mainWorktree), `${now.title}\n${now.body}`);
    const proposed = await r.store.transact(decideDomainNotesTask(i.id, notes.map((n) => n.name)), actor);
    if (proposed.result.id) say(i.id, `proposed ${proposed.result.id}: update the domain notes (${notes.map((n) => n.name).join(", ")})`);
  };

  return {
    afterTask: (taskId, actor, signal) => one.run(async () => {
      const task = lookup((await r.store.snapshot()).state.tasks, taskId);
      if (task?.initiative !== undefined) await step(task.initiative, task, actor, signal);
    }),
    catchUp: (only, actor, signal) => one.run(async () => {
      const state = (await r.store.snapshot()).state;
      for (const i of Object.values(state.initiatives)) {
        if (signal.aborted) return;
        if (!only(i.id) || !pendingStep(i, exec.phase_verification)) continue;
        await step(i.id, undefined, actor, signal).catch((err: unknown) => say(i.id, `stopped: ${err instanceof Error ? err.message : String(err)}`));
      }
    }),
  };
}
