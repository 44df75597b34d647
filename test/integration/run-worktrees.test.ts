import { describe, expect, it } from "vitest";
import { defaultConfig } from "../../src/format/config.ts";
import { Mutex } from "../../src/orchestrator/mutex.ts";
import { ensureWorktree, listWorktrees, removeWorktree, type TaskWorktree, type WorktreeSetup } from "../../src/orchestrator/worktrees.ts";
import { locateRepo } from "../../src/store/repo.ts";
import { baseEnv } from "../helpers/repo.ts";
import { runRepos } from "../helpers/run.ts";

const repos = runRepos();

describe("task worktrees while other workers create and remove theirs", { timeout: 180_000 }, () => {
  // `git worktree prune` (run by every removal) deletes the admin folder of a worktree another
  // `git worktree add` is still creating; unserialised, that failed a task's setup (claimed again)
  // or left a worktree git no longer knows ("not a git repository") under `rw run --parallel`.
  it("every worktree is created whole and every removal is clean", async () => {
    const { repo, wtDir } = repos.make();
    const env = baseEnv() as Record<string, string | undefined>;
    const setup: WorktreeSetup = { repo: await locateRepo(repo.dir), root: wtDir, integration: "main", exec: defaultConfig().execution, env, now: Date.now, lock: new Mutex() };
    let previous: TaskWorktree[] = [];
    for (let round = 0; round < 8; round++) {
      const ids = Array.from({ length: 6 }, (_, i) => `t-r${round}w${i}`);
      const [made] = await Promise.all([
        Promise.all(ids.map((id) => ensureWorktree(setup, id))),
        Promise.all(previous.map((wt) => removeWorktree(setup, wt))),
      ]);
      for (const wt of made) expect(repo.git(["rev-parse", "--abbrev-ref", "HEAD"], wt.path).trim()).toBe(wt.branch);
      previous = made;
    }
    const listed = await listWorktrees(repo.dir);
    expect([...listed.values()].sort()).toEqual(["refs/heads/main", ...previous.map((wt) => `refs/heads/${wt.branch}`)].sort());
    expect(repo.git(["branch", "--list", "rw/*", "--format=%(refname:short)"]).trim().split("\n").sort()).toEqual(previous.map((wt) => wt.branch).sort());
  });
});
