import { decideBranchSet, initiativeBranchName } from "../domain/decide-initiative-branch.ts";
import { RwError } from "../domain/errors.ts";
import { lookup, type Initiative, type State, type Task } from "../domain/types.ts";
import { git, gitOk } from "../store/git.ts";
import type { Actor, Store } from "../store/store.ts";
import { hookArgs } from "./git-hooks.ts";
import { fastForward, revOf, type MergeLocks } from "./merge.ts";
import { runShell, tail } from "./shell.ts";
import { ensureWorktree, removeWorktree, repoCwd, resetWorktree, type WorktreeSetup } from "./worktrees.ts";

/**
 * Integration branches per initiative, the git side (issue 19): which branch a task lands on, the
 * branch made from the main integration branch when missing, how far ahead it is, and the gated
 * merge into the main integration branch once the initiative is complete.
 */

const hasBranch = async (cwd: string, name: string): Promise<boolean> =>
  (await git(["rev-parse", "-q", "--verify", `refs/heads/${name}^{commit}`], { cwd })).code === 0;

/** The initiative a task belongs to and its integration branch, when it has one. */
export function branchOfTask(state: State, task: Task, perInitiative: boolean): { initiative: Initiative; branch: string } | undefined {
  const i = task.initiative !== undefined ? lookup(state.initiatives, task.initiative) : undefined;
  const branch = i ? initiativeBranchName(i, perInitiative) : undefined;
  return i && branch ? { initiative: i, branch } : undefined;
}

/**
 * Makes the initiative's branch from the main integration branch if it does not exist yet (one
 * at a time: two workers may start on the same initiative), and records it when the
 * per-initiative setting named it.
 */
export async function ensureInitiativeBranch(store: Store, setup: WorktreeSetup, i: Initiative, branch: string, actor: Actor): Promise<void> {
  const cwd = repoCwd(setup.repo);
  await setup.lock.run(async () => {
    if (await hasBranch(cwd, branch)) return;
    const r = await git(hookArgs(setup.exec.git_hooks, ["branch", "--no-track", branch, `refs/heads/${setup.integration}`]), { cwd });
    if (r.code !== 0 && !(await hasBranch(cwd, branch))) {
      throw new RwError("git", `could not create ${i.id}'s integration branch ${branch}: ${r.stderr.trim()}`, { hint: `create it yourself (git branch ${branch} ${setup.integration}) and run again` });
    }
  });
  if (i.branch?.name !== branch) await store.transact(decideBranchSet(i.id, branch, setup.integration), actor);
}

/**
 * The run's settings as they apply to one task: its initiative's branch instead of the main
 * integration branch (created when missing). The one hook the worker calls.
 */
export async function withTaskIntegration<T extends { store: Store; setup: WorktreeSetup }>(r: T, task: Task, actor: Actor): Promise<T> {
  const perInitiative = r.setup.exec.integration === "per-initiative";
  const found = branchOfTask((await r.store.snapshot()).state, task, perInitiative);
  if (!found) return r;
  await ensureInitiativeBranch(r.store, r.setup, found.initiative, found.branch, actor);
  return { ...r, setup: { ...r.setup, integration: found.branch } };
}

/** Commits on `branch` that `base` does not have. */
export async function commitsAhead(cwd: string, branch: string, base: string): Promise<number> {
  const r = await git(["rev-list", "--count", `refs/heads/${base}..refs/heads/${branch}`], { cwd });
  return r.code === 0 ? Number(r.stdout.trim()) || 0 : 0;
}

export type MergeOutcome =
  | { kind: "merged"; commit: string; previous: string; gates: Array<{ gate: string; exit_code: number | null }> }
  | { kind: "nothing" }
  | { kind: "failed"; reason: string };

const MERGE_ROUNDS = 5;

/**
 * The initiative's branch onto the main integration branch, gated like a task: a merge commit
 * made in a worktree of its own (`rw/<initiative>-merge`, never the user's checkout), the
 * configured gates run on the merged tree, then the main branch fast-forwarded to it under the
 * merge queue's lock (again from the top if it moved meanwhile). A conflict or a failing gate
 * leaves both branches as they were.
 */
export async function mergeInitiativeBranch(setup: WorktreeSetup, locks: MergeLocks, i: Initiative, branch: string, signal: AbortSignal, log: (t: string) => void): Promise<MergeOutcome> {
  const main = setup.integration;
  const cwd = repoCwd(setup.repo);
  if (!(await hasBranch(cwd, branch))) return { kind: "failed", reason: `branch ${branch} does not exist` };
  if ((await commitsAhead(cwd, branch, main)) === 0) return { kind: "nothing" };
  const wt = await ensureWorktree({ ...setup, signal }, `${i.id}-merge`);
  try {
    for (let round = 0; round < MERGE_ROUNDS; round++) {
      const tip = await revOf(cwd, `refs/heads/${main}`);
      await resetWorktree(wt.path, main, setup.exec.git_hooks);
      await gitOk(["reset", "-q", "--hard", tip], { cwd: wt.path });
      const message = `Merge ${branch} into ${main}: ${i.title}\n\nRewind-Initiative: ${i.id}\n`;
      const m = await git(hookArgs(setup.exec.git_hooks, ["merge", "--no-ff", "--no-verify", "-m", message, `refs/heads/${branch}`]), { cwd: wt.path });
      if (m.code !== 0) {
        const files = (await git(["diff", "--name-only", "--diff-filter=U"], { cwd: wt.path })).stdout.split("\n").filter(Boolean);
        await git(hookArgs(setup.exec.git_hooks, ["merge", "--abort"]), { cwd: wt.path });
        return { kind: "failed", reason: files.length > 0 ? `merge conflict with ${main} in ${files.join(", ")}` : `git merge failed: ${(m.stderr || m.stdout).trim()}` };
      }
      const gates: Array<{ gate: string; exit_code: number | null }> = [];
      for (const gate of setup.exec.gates) {
        log(`$ ${gate}\n`);
        const g = await runShell(gate, { cwd: wt.path, env: setup.env, timeoutMs: setup.exec.gate_timeout_ms, signal, now: setup.now });
        log(g.output);
        gates.push({ gate, exit_code: g.exit_code });
        if (g.aborted || signal.aborted) return { kind: "failed", reason: "interrupted" };
        if (g.exit_code !== 0) return { kind: "failed", reason: `gate \`${gate}\` ${g.timed_out ? "timed out" : `failed with exit ${g.exit_code ?? "signal"}`} on the merged tree: ${tail(g.output, 400).trim().split("\n").slice(-3).join(" | ")}` };
      }
      const head = await revOf(wt.path, "HEAD");
      const moved = await locks.merge.run(async () => (await revOf(cwd, `refs/heads/${main}`)) !== tip || !(await fastForward(setup.repo, main, tip, head, locks)));
      if (!moved) return { kind: "merged", commit: head, previous: tip, gates };
      log(`--- ${main} moved while ${branch} was gated; merging again ---\n`);
    }
    return { kind: "failed", reason: `${main} kept moving` };
  } finally {
    await removeWorktree(setup, wt).catch(() => undefined);
  }
}

/** The settings `rw initiative verify` / `ship --merge` work with outside `rw run`: the main integration branch, clean env. */
export async function standaloneSetup(store: Store, env: Record<string, string | undefined>, cleanEnv: Record<string, string | undefined>): Promise<WorktreeSetup> {
  const { integrationBranch, worktreeRoot } = await import("./worktrees.ts");
  const { Mutex } = await import("./mutex.ts");
  const exec = store.config.execution;
  return { repo: store.repo, root: worktreeRoot(store.repo, exec, env), integration: await integrationBranch(store.repo, exec), exec, env: cleanEnv, now: Date.now, lock: new Mutex() };
}
