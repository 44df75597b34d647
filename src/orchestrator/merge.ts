import { RwError } from "../domain/errors.ts";
import type { Task } from "../domain/types.ts";
import { git, gitOk } from "../store/git.ts";
import type { RepoPaths } from "../store/repo.ts";
import type { Actor } from "../store/store.ts";
import { hookArgs } from "./git-hooks.ts";
import type { Mutex } from "./mutex.ts";
import { listWorktrees, repoCwd, type TaskWorktree } from "./worktrees.ts";

const rev = async (cwd: string, name: string): Promise<string> => (await gitOk(["rev-parse", "--verify", `${name}^{commit}`], { cwd })).trim();

/**
 * Stages everything in the worktree and commits it, authored by the worker, with a message that
 * names the task. Returns false when there was nothing to commit.
 * NOTE: --no-verify and no hooks (git-hooks.ts): the user's commit hooks may prompt or be slow; gates are rw's checks.
 */
export async function commitWork(wt: TaskWorktree, task: Task, actor: Actor, env: Record<string, string | undefined>, gitHooks = false): Promise<boolean> {
  await gitOk(["add", "-A"], { cwd: wt.path });
  if ((await git(["diff", "--cached", "--quiet"], { cwd: wt.path })).code === 0) return false;
  const hasUser = (await git(["config", "user.name"], { cwd: wt.path })).stdout.trim() !== "";
  const who = { GIT_AUTHOR_NAME: actor.name, GIT_AUTHOR_EMAIL: actor.email, ...(hasUser ? {} : { GIT_COMMITTER_NAME: actor.name, GIT_COMMITTER_EMAIL: actor.email }) };
  const message = `${task.id}: ${task.title}\n\nRewind-Task: ${task.id}\n`;
  await gitOk(hookArgs(gitHooks, ["commit", "-q", "--no-verify", "-F", "-"]), { cwd: wt.path, input: message, env: { ...env, ...who } });
  return true;
}

export type MergeOutcome =
  | { ok: true; commit: string; previous: string; files: string[] }
  | { ok: false; conflicts: string[] }
  /** The worker no longer holds the task (its lease ran out and someone took it over): nothing was merged. */
  | { ok: false; lost: true };

export interface MergeLocks {
  /** Merges into the integration branch, one at a time. */
  merge: Mutex;
  /** git's worktree bookkeeping (worktrees.ts): finding the integration branch's checkout lists worktrees. */
  worktrees: Mutex;
  /** `execution.git_hooks`: let the user's hooks run in these merges (git-hooks.ts). */
  gitHooks: boolean;
}

const ATTEMPTS = 20;

/**
 * Brings the task branch up to date with the integration branch (a merge in the task's own
 * worktree, so the user's checkout never sees a conflict), then fast-forwards the integration
 * branch to it: with `git merge --ff-only` where that branch is checked out (refusing a dirty
 * checkout), else with `git update-ref <ref> <new> <old>`. Losing a race re-merges and retries.
 * `stillHeld` is asked right before the integration branch moves: a worker that lost its claim
 * while it worked (or while it queued for the merge) must not land that work.
 */
export async function mergeTask(repo: RepoPaths, wt: TaskWorktree, integration: string, locks: MergeLocks, stillHeld: () => Promise<boolean>): Promise<MergeOutcome> {
  return locks.merge.run(async () => {
    const ref = `refs/heads/${integration}`;
    const cwd = repoCwd(repo);
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const old = await rev(cwd, ref);
      const upToDate = (await git(["merge-base", "--is-ancestor", old, "HEAD"], { cwd: wt.path })).code === 0;
      if (!upToDate) {
        const m = await git(hookArgs(locks.gitHooks, ["merge", "--no-edit", "--no-verify", "-m", `Merge ${integration} into ${wt.branch}`, old]), { cwd: wt.path });
        if (m.code !== 0) {
          const conflicts = (await git(["diff", "--name-only", "--diff-filter=U"], { cwd: wt.path })).stdout.split("\n").filter(Boolean);
          await git(hookArgs(locks.gitHooks, ["merge", "--abort"]), { cwd: wt.path });
          if (conflicts.length > 0) return { ok: false, conflicts };
          throw new RwError("git", `merging ${integration} into ${wt.branch} failed: ${(m.stderr || m.stdout).trim()}`);
        }
      }
      const next = await rev(wt.path, "HEAD");
      const files = (await gitOk(["diff", "--name-only", old, next], { cwd })).split("\n").filter(Boolean);
      if (!(await stillHeld())) return { ok: false, lost: true };
      if (next === old) return { ok: true, commit: next, previous: old, files };
      if (await advance(repo, integration, old, next, locks)) return { ok: true, commit: next, previous: old, files };
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 80));
    }
    throw new RwError("conflict", `gave up merging into ${integration}: it kept moving`, { hint: "run `rw run` again; the task's work is kept in its worktree" });
  });
}

/** Moves the integration branch from `old` to `next` (a fast-forward); false when someone moved it first. */
async function advance(repo: RepoPaths, integration: string, old: string, next: string, locks: MergeLocks): Promise<boolean> {
  const ref = `refs/heads/${integration}`;
  const checkout = [...(await locks.worktrees.run(() => listWorktrees(repoCwd(repo))))].find(([, branch]) => branch === ref)?.[0];
  if (checkout === undefined) {
    return (await git(hookArgs(locks.gitHooks, ["update-ref", "-m", `rw: merge ${next.slice(0, 10)}`, ref, next, old]), { cwd: repoCwd(repo) })).code === 0;
  }
  const dirty = (await gitOk(["status", "--porcelain", "--untracked-files=no"], { cwd: checkout })).trim();
  if (dirty !== "") {
    throw new RwError("conflict", `cannot fast-forward ${integration}: its checkout at ${checkout} has uncommitted changes`, {
      hint: `commit or stash them (git -C ${checkout} status), then run \`rw run\` again; the task's work is kept`,
      data: { checkout, files: dirty.split("\n").map((l) => l.slice(3)) },
    });
  }
  if ((await rev(checkout, "HEAD")) !== old) return false;
  const r = await git(hookArgs(locks.gitHooks, ["merge", "-q", "--ff-only", next]), { cwd: checkout });
  if (r.code === 0) return true;
  if ((await rev(checkout, "HEAD")) !== old) return false; // moved under us: merge again
  throw new RwError("git", `cannot fast-forward ${integration} in ${checkout}: ${r.stderr.trim()}`, { hint: "see `git status` there; the task's work is kept in its worktree" });
}
