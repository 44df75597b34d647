import { createHash } from "node:crypto";
import { copyFile, mkdir, rm, stat } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { RwError } from "../domain/errors.ts";
import type { ExecutionConfig } from "../format/config.ts";
import { git, gitOk } from "../store/git.ts";
import type { RepoPaths } from "../store/repo.ts";
import type { Mutex } from "./mutex.ts";
import { hookArgs } from "./git-hooks.ts";
import { runShell } from "./shell.ts";

export interface TaskWorktree {
  path: string;
  branch: string;
  /** True when it already existed (a resumed or retried task). */
  reused: boolean;
}

export const taskBranch = (id: string): string => `rw/${id}`;

/**
 * Where task worktrees live: outside the user's work tree (so their editor, file watchers and
 * test runners never see half-done work), one folder per repository.
 */
export function worktreeRoot(repo: RepoPaths, exec: ExecutionConfig, env: Record<string, string | undefined>): string {
  const home = env.HOME ?? homedir();
  if (exec.worktree_dir !== undefined) {
    const dir = exec.worktree_dir.replace(/^~(?=$|\/)/, home);
    return isAbsolute(dir) ? dir : resolve(repo.mainWorktree ?? repo.commonDir, dir);
  }
  const cache = env.XDG_CACHE_HOME ?? (home ? join(home, ".cache") : tmpdir());
  const name = basename(repo.mainWorktree ?? repo.commonDir.replace(/\/\.git$/, "")).replace(/[^A-Za-z0-9._-]/g, "_");
  const key = createHash("sha1").update(repo.commonDir).digest("hex").slice(0, 8);
  return join(cache, "rw", "worktrees", `${name}-${key}`);
}

/** The branch finished tasks merge into: configured, else the one checked out where `rw run` started. */
export async function integrationBranch(repo: RepoPaths, exec: ExecutionConfig): Promise<string> {
  const name = exec.integration_branch ?? (repo.worktree ? (await git(["symbolic-ref", "-q", "--short", "HEAD"], { cwd: repo.worktree })).stdout.trim() : "");
  if (name === "") {
    throw new RwError("config", "no integration branch: HEAD is detached (or the repository is bare)", {
      hint: 'check out the branch tasks should merge into, or set [execution] integration_branch = "main" in .rewind/config.toml',
    });
  }
  if ((await git(["rev-parse", "-q", "--verify", `refs/heads/${name}^{commit}`], { cwd: repoCwd(repo) })).code !== 0) {
    throw new RwError("config", `integration branch ${name} does not exist (or has no commit yet)`, { hint: "commit something first, or fix execution.integration_branch" });
  }
  return name;
}

/** `git worktree list --porcelain` as path -> branch ref (or "" when detached). */
export async function listWorktrees(cwd: string): Promise<Map<string, string>> {
  const out = await gitOk(["worktree", "list", "--porcelain"], { cwd });
  const map = new Map<string, string>();
  let path: string | undefined;
  for (const line of out.split("\n")) {
    if (line.startsWith("worktree ")) {
      path = line.slice(9);
      map.set(path, "");
    } else if (line.startsWith("branch ") && path !== undefined) map.set(path, line.slice(7));
  }
  return map;
}

const exists = (p: string): Promise<boolean> => stat(p).then(() => true, () => false);

export interface WorktreeSetup {
  repo: RepoPaths;
  root: string;
  integration: string;
  exec: ExecutionConfig;
  env: Record<string, string | undefined>;
  now: () => number;
  /**
   * git's worktree bookkeeping of this repository, one command at a time: `git worktree add`
   * makes `.git/worktrees/<id>/` a moment before it marks it "initializing", and a concurrent
   * `git worktree prune` deletes it in between (the add fails: "could not open
   * .git/worktrees/<id>/gitdir"); `git worktree list/remove` and `git branch -D` die reading a
   * half-made one ("failed to read .git/worktrees/<id>/commondir"). Every add, remove, prune,
   * list and task-branch deletion of a run goes through this lock.
   */
  lock: Mutex;
  signal?: AbortSignal;
}

/** Attempts at `git worktree add`: another process's git (a user's `git worktree prune`, `git gc`) can still race it. */
const ADD_ATTEMPTS = 3;

/**
 * The task's worktree on `rw/<id>`: reused when it exists (resume, retry), else created from the
 * integration branch (or from the task branch, if one was left behind), then prepared (outside
 * the lock: a post-worktree hook may take minutes).
 */
export async function ensureWorktree(setup: WorktreeSetup, id: string): Promise<TaskWorktree> {
  const wt = await setup.lock.run(() => addWorktree(setup, id));
  if (!wt.reused) await postWorktree(setup, id, wt.path);
  return wt;
}

async function addWorktree(setup: WorktreeSetup, id: string): Promise<TaskWorktree> {
  const path = join(setup.root, id);
  const branch = taskBranch(id);
  const cwd = repoCwd(setup.repo);
  let error = "";
  for (let attempt = 1; attempt <= ADD_ATTEMPTS; attempt++) {
    const known = await listWorktrees(cwd);
    if (known.get(path) === `refs/heads/${branch}` && (await exists(join(path, ".git")))) return { path, branch, reused: true };
    if (known.has(path)) await gitOk(["worktree", "remove", "--force", path], { cwd }).catch(() => gitOk(["worktree", "prune"], { cwd }));
    await rm(path, { recursive: true, force: true }); // a leftover folder git no longer knows
    await mkdir(dirname(path), { recursive: true });
    // Asked each time: an `add -b` that failed after creating the branch leaves it behind.
    const hasBranch = (await git(["rev-parse", "-q", "--verify", `refs/heads/${branch}`], { cwd })).code === 0;
    const args = hasBranch ? ["worktree", "add", path, branch] : ["worktree", "add", "-b", branch, path, setup.integration];
    const r = await git(hookArgs(setup.exec.git_hooks, args), { cwd });
    if (r.code === 0) return { path, branch, reused: false };
    error = r.stderr.trim();
    await git(["worktree", "prune"], { cwd }); // what the failed add left half-made
    await new Promise((res) => setTimeout(res, 20 + Math.random() * 80));
  }
  throw new RwError("git", `could not create the worktree for ${id}: ${error}`, {
    hint: `is ${branch} checked out somewhere else? \`git worktree list\` shows where`,
  });
}

/** Copies the configured files (e.g. `.env`) and runs `.rewind/hooks/post-worktree` if present. */
async function postWorktree(setup: WorktreeSetup, id: string, path: string): Promise<void> {
  const main = setup.repo.mainWorktree;
  if (!main) return;
  for (const file of setup.exec.copy_files) {
    const from = join(main, file);
    if (!(await exists(from))) continue;
    await mkdir(dirname(join(path, file)), { recursive: true });
    await copyFile(from, join(path, file));
  }
  const hook = join(main, ".rewind", "hooks", "post-worktree");
  if (!(await exists(hook))) return;
  const env = { ...setup.env, RW_TASK_ID: id, RW_WORKTREE: path, RW_MAIN_WORKTREE: main };
  const r = await runShell(`sh ${JSON.stringify(hook)}`, { cwd: path, env, timeoutMs: setup.exec.gate_timeout_ms, now: setup.now, ...(setup.signal ? { signal: setup.signal } : {}) });
  if (r.exit_code !== 0) {
    throw new RwError("invalid_input", `.rewind/hooks/post-worktree failed for ${id} (${r.timed_out ? "timed out" : `exit ${r.exit_code ?? "killed"}`}): ${r.output.trim().split("\n").slice(-5).join(" | ")}`, {
      hint: "fix the hook; the worktree is kept for inspection at " + path,
    });
  }
}

/** Starts a task over on the current integration tip (after a merge conflict: redo on top of what landed). */
export async function resetWorktree(path: string, integration: string, gitHooks = false): Promise<void> {
  await git(hookArgs(gitHooks, ["merge", "--abort"]), { cwd: path });
  await gitOk(hookArgs(gitHooks, ["reset", "-q", "--hard", `refs/heads/${integration}`]), { cwd: path });
  await gitOk(["clean", "-q", "-fd"], { cwd: path });
}

/** After a successful merge: the worktree and its branch are gone; the commits live on the integration branch. */
export async function removeWorktree(setup: Pick<WorktreeSetup, "repo" | "lock" | "exec">, wt: TaskWorktree): Promise<void> {
  const cwd = repoCwd(setup.repo);
  await setup.lock.run(async () => {
    await git(["worktree", "remove", "--force", wt.path], { cwd });
    await rm(wt.path, { recursive: true, force: true });
    await git(["worktree", "prune"], { cwd });
    await git(hookArgs(setup.exec.git_hooks, ["branch", "-q", "-D", wt.branch]), { cwd });
  });
}

/** Where to run repository-wide git commands (some refuse to run inside the git dir itself). */
export const repoCwd = (repo: RepoPaths): string => repo.mainWorktree ?? repo.worktree ?? repo.commonDir;
