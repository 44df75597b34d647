import { agentSecretOptions, secretFreeEnv } from "../agents/secret-env.ts";
import { loadAgentConfig } from "../agents/load.ts";
import { getTask } from "../domain/decide.ts";
import { decideReviewRejected, decideRunLanded, type ReviewRequest } from "../domain/decide-run.ts";
import { RwError } from "../domain/errors.ts";
import type { RwEvent, Task } from "../domain/types.ts";
import { git } from "../store/git.ts";
import { readAllEvents } from "../store/snapshot.ts";
import type { Actor, Store } from "../store/store.ts";
import { gatesFor } from "./gates.ts";
import { landAttempt } from "./land.ts";
import { Mutex } from "./mutex.ts";
import { storeSecrets } from "../store/redact-events.ts";
import { openTranscript } from "./transcript.ts";
import { ensureWorktree, integrationBranch, removeWorktree, taskBranch, worktreeRoot, type WorktreeSetup } from "./worktrees.ts";

/**
 * Human review (execution.review = "human", `rw run --review`): the library under `rw review`
 * and the board's review buttons. A task waiting in `review` keeps its worktree and `rw/<id>`
 * branch; approving lands it through the same merge queue as `rw run` (merge the integration
 * branch in, gates on the merged tree, fast-forward); rejecting sends it back to a worker with
 * the feedback in its next prompt.
 */

/** What `rw review ID` shows. */
export interface ReviewInfo {
  task: Task;
  request: ReviewRequest;
  /** When it was stopped for review. */
  requested_at: string;
  branch: string;
  integration: string;
  /** The change as it would land: the integration branch's tip to the task branch, merged. */
  diff: string;
  diffstat: string;
}

const asRequest = (e: RwEvent): ReviewRequest => {
  const d = e.data as Partial<ReviewRequest>;
  return {
    attempt: typeof d.attempt === "number" ? d.attempt : 1, commit: String(d.commit ?? ""), base: String(d.base ?? ""),
    gates: Array.isArray(d.gates) ? (d.gates) : [], verdicts: Array.isArray(d.verdicts) ? d.verdicts : [],
    ticks: Array.isArray(d.ticks) ? (d.ticks) : [], diffstat: String(d.diffstat ?? ""), ...(typeof d.reason === "string" ? { reason: d.reason } : {}),
  };
};

/** Tasks waiting for review, oldest first. */
export async function waitingForReview(store: Store): Promise<Task[]> {
  const tasks = Object.values((await store.snapshot()).state.tasks).filter((t) => t.status === "review");
  return tasks.sort((a, b) => (a.updated_at < b.updated_at ? -1 : a.updated_at > b.updated_at ? 1 : a.id < b.id ? -1 : 1));
}

async function lastRequest(store: Store, id: string): Promise<RwEvent> {
  const snap = await store.snapshot();
  const task = getTask(snap.state, id);
  if (task.status !== "review") {
    throw new RwError("invalid_input", `${id} is not waiting for review (it is ${task.status})`, { hint: "`rw list --status review` lists the tasks that are", data: { id, status: task.status } });
  }
  const { events } = await readAllEvents(store.source, snap.root);
  const e = [...events].reverse().find((x) => x.task === id && x.type === "task.review_requested");
  if (!e) throw new RwError("invalid_input", `${id} is in review but no rw run attempt is recorded for it`, { hint: `set its status back with \`rw edit ${id} --status open\`` });
  return e;
}

export async function reviewInfo(store: Store, id: string): Promise<ReviewInfo> {
  const e = await lastRequest(store, id);
  const request = asRequest(e);
  const task = getTask((await store.snapshot()).state, id);
  const integration = await integrationBranch(store.repo, store.config.execution);
  const cwd = store.repo.mainWorktree ?? store.repo.worktree ?? store.repo.commonDir;
  const branch = taskBranch(id);
  const head = (await git(["rev-parse", "-q", "--verify", `refs/heads/${branch}^{commit}`], { cwd })).stdout.trim() || request.commit;
  // Three dots: what the branch changes since it last met the integration branch.
  const diff = (await git(["diff", `refs/heads/${integration}...${head}`], { cwd })).stdout;
  const diffstat = (await git(["diff", "--stat", `refs/heads/${integration}...${head}`], { cwd })).stdout.trimEnd();
  return { task, request, requested_at: e.ts, branch, integration, diff, diffstat };
}

export type ApproveResult =
  | { outcome: "landed"; id: string; commit: string; files: string[] }
  | { outcome: "sent_back"; id: string; kind: "conflict" | "gates"; reason: string };

function setupFor(store: Store, integration: string, env: Record<string, string | undefined>, now: () => number): WorktreeSetup {
  const exec = store.config.execution;
  const clean = secretFreeEnv(env, agentSecretOptions(loadAgentConfig(store)));
  return { repo: store.repo, root: worktreeRoot(store.repo, exec, env), integration, exec, env: clean, now, lock: new Mutex() };
}

/**
 * Approves a task waiting for review: lands its branch through the merge queue. If it no longer
 * merges cleanly or its gates fail on the merged tree, it goes back to a worker with that as feedback.
 */
export async function approveReview(store: Store, id: string, actor: Actor, opts: { env: Record<string, string | undefined>; now?: () => number; signal?: AbortSignal; onStep?: (s: string) => void }): Promise<ApproveResult> {
  const request = asRequest(await lastRequest(store, id));
  const task = getTask((await store.snapshot()).state, id);
  const now = opts.now ?? Date.now;
  const integration = await integrationBranch(store.repo, store.config.execution);
  const setup = setupFor(store, integration, opts.env, now);
  const wt = await ensureWorktree(setup, id);
  const log = openTranscript(store.repo, id, storeSecrets(store));
  log(`\n=== ${id} review approved by ${actor.name} at ${new Date(now()).toISOString()} ===\n`);
  const landed = await landAttempt({
    store, actor, setup, locks: { merge: new Mutex(), worktrees: setup.lock, gitHooks: setup.exec.git_hooks }, task, wt,
    gates: gatesFor(task, setup.exec.gates), attempt: request.attempt, signal: opts.signal ?? new AbortController().signal, log, ...(opts.onStep ? { onStep: opts.onStep } : {}),
    review: false, approving: true, stillHeld: async () => (await store.snapshot()).state.tasks[id]?.status === "review",
  });
  if (landed.kind === "failed") {
    const kind = landed.failure === "conflict" ? "conflict" : "gates";
    await store.transact(decideReviewRejected(id, { feedback: `Approved by ${actor.name}, but ${landed.error}.\n\n${landed.feedback}`, kind }), actor);
    return { outcome: "sent_back", id, kind, reason: landed.error };
  }
  if (landed.kind !== "landed") throw new RwError("conflict", `${id} changed while it was being approved (${landed.kind})`, { hint: `see \`rw show ${id}\`` });
  await store.transact(decideRunLanded(id, request.ticks, {
    summary: `approved by ${actor.name}`, files_changed: landed.files, duration_ms: 0, tokens: { input: 0, output: 0 }, cost_usd: 0,
    commit: landed.commit === landed.previous ? null : landed.commit, attempt: request.attempt,
  }, { review: { by: actor.name } }), actor);
  await removeWorktree(setup, wt);
  log(`--- approved and merged ${landed.commit.slice(0, 10)} into ${integration} ---\n`);
  return { outcome: "landed", id, commit: landed.commit, files: landed.files };
}

/** Sends a task waiting for review back to a worker; the feedback is in its next prompt. Its worktree is kept. */
export async function rejectReview(store: Store, id: string, actor: Actor, feedback: string): Promise<{ id: string }> {
  await lastRequest(store, id);
  await store.transact(decideReviewRejected(id, { feedback, kind: "review" }), actor);
  return { id };
}

/**
 * A review is a person's decision: not one of rw's workers (`rw-worker-N@host`, `rw-run@host`),
 * and not from inside a gate or an agent's command (RW_TASK_ID set). `rw review` and the board both check it.
 */
export function assertReviewer(actor: Actor, env: Record<string, string | undefined>): void {
  if (/^rw-(worker-\d+|run)@/.test(actor.name) || env.RW_TASK_ID !== undefined) {
    throw new RwError("invalid_input", `${actor.name} cannot review: approving or rejecting is for a person, not for rw's workers or a task's commands`, { hint: "run it yourself, outside rw run" });
  }
}
