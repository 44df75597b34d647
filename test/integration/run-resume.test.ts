import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { baseEnv, waitFor, type TempRepo } from "../helpers/repo.ts";
import { runRepos } from "../helpers/run.ts";
import { eventsOnRef } from "../helpers/rw.ts";

const FIXTURE = resolve(import.meta.dirname, "../fixtures/run-scripted.mjs");
const repos = runRepos();

function runFixture(repo: TempRepo, env: Record<string, string>): { done: Promise<{ code: number | null; stdout: string }>; kill: () => void } {
  const child = spawn(process.execPath, [FIXTURE], { cwd: repo.dir, env: baseEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stdout += d.toString()));
  const done = new Promise<{ code: number | null; stdout: string }>((res) => child.on("close", (code) => res({ code, stdout })));
  return { done, kill: () => child.kill("SIGKILL") };
}

describe("rw run survives SIGKILL", { timeout: 180_000 }, () => {
  it("a rerun resumes the killed run's claim and its worktree, and finishes every task once", async () => {
    const { repo, wtDir } = await repos.configured('gates = ["test -s \\"$RW_TASK_ID.txt\\""]');
    const first = await repo.rwOk(["create", "First", "-p", "0"]);
    const second = await repo.rwOk(["create", "Second", "-p", "1"]);
    const marker = join(wtDir, "agent-started");

    const killed = runFixture(repo, { RW_TEST_HANG_ON: first, RW_TEST_MARKER: marker });
    const worktree = await waitFor(() => (existsSync(marker) ? readFileSync(marker, "utf8") : ""), { timeoutMs: 30_000, what: "the agent to start" });
    killed.kill();
    expect((await killed.done).code).toBeNull();
    const held = JSON.parse(await repo.rwOk(["show", first, "--json"])) as { task: { status: string; assignee: string } };
    expect(held.task).toMatchObject({ status: "in_progress", assignee: "rw-worker-1@testhost" });
    expect(existsSync(join(worktree, `${first}.txt`))).toBe(true);

    const rerun = runFixture(repo, {});
    const { code, stdout } = await rerun.done;
    expect(code, stdout).toBe(0);
    expect(stdout).toContain(`"resumed":["${first}"]`);
    for (const id of [first, second]) {
      expect(repo.git(["show", `main:${id}.txt`])).not.toBe("");
      expect(eventsOnRef(repo).filter((e) => e.task === id && e.type === "task.completed")).toHaveLength(1);
    }
    expect(readFileSync(join(repo.dir, ".git", "rewind", "logs", `${first}.log`), "utf8")).toContain("(reused)");
    expect(existsSync(worktree)).toBe(false);
    await repo.rwOk(["doctor"]);
  });
});
