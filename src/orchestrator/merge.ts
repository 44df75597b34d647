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

export interface MergeLocks {
  /** Moves of the integration branch, one at a time (the merge queue's lock; never held while an agent works). */
  merge: Mutex;
  /** git's worktree bookkeeping (worktrees.ts): finding the integration branch's checkout lists worktrees. */
  worktrees: Mutex;
  /** `execution.git_hooks`: let the user's hooks run in these merges (git-hooks.ts). */
  gitHooks: boolean;
}

export const revOf = rev;

/**
 * Brings the task branch up to date with `tip` (the integration branch's commit) by merging it in,
 * in the task's own worktree, so the user's checkout never sees a conflict.
 */
export async function updateBranch(wt: TaskWorktree, tip: string, integration: string, gitHooks: boolean): Promise<{ merged: boolean } | { conflicts: string[] }> {
  if ((await git(["merge-base", "--is-ancestor", tip, "HEAD"], { cwd: wt.path })).code === 0) return { merged: false };
  const m = await git(hookArgs(gitHooks, ["merge", "--no-edit", "--no-verify", "-m", `Merge ${integration} into ${wt.branch}`, tip]), { cwd: wt.path });
  if (m.code === 0) return { merged: true };
  const conflicts = (await git(["diff", "--name-only", "--diff-filter=U"], { cwd: wt.path })).stdout.split("\n").filter(Boolean);
  await git(hookArgs(gitHooks, ["merge", "--abort"]), { cwd: wt.path });
  if (conflicts.length > 0) return { conflicts };
  throw new RwError("git", `merging ${integration} into ${wt.branch} failed: ${(m.stderr || m.stdout).trim()}`);
}

/** `git log --oneline from..to [-- files]`: the commits that landed meanwhile (and touched those files). */
export async function commitsBetween(cwd: string, from: string, to: string, files: string[] = []): Promise<string[]> {
  const r = await git(["log", "--no-merges", "--format=%h %s", "-n", "20", `${from}..${to}`, ...(files.length > 0 ? ["--", ...files] : [])], { cwd });
  return r.stdout.split("\n").filter(Boolean);
}

/** Files that differ between two commits. */
export async function changedFiles(cwd: string, from: string, to: string): Promise<string[]> {
  return (await gitOk(["diff", "--name-only", from, to], { cwd })).split("\n").filter(Boolean);
}

/**
 * Moves the integration branch from `old` to `next` (a fast-forward): `git merge --ff-only` where
 * that branch is checked out (refusing a dirty checkout), else `git update-ref <ref> <new> <old>`.
 * False when someone moved it first.
 */
export async function fastForward(repo: RepoPaths, integration: string, old: string, next: string, locks: MergeLocks): Promise<boolean> {
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
