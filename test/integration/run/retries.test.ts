import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { TempRepo } from "../../helpers/repo.ts";
import { configure, runIn, runRepos, ScriptedExecutor, writeIn } from "../../helpers/run.ts";
import { eventsOnRef } from "../../helpers/rw.ts";

/**
 * Bounded, converging retries (the Workflow Engine seed's rules): an identical failure escalates
 * instead of a third blind retry; `rw unblock` starts the count over; a retried or resumed
 * attempt is told what is already in its worktree and why it runs again; the exit is honest.
 */
const repos = runRepos();
interface Shown { status: string; retry_count: number; blocked_reason?: string }
const show = async (repo: TempRepo, id: string): Promise<Shown> => (JSON.parse(await repo.rwOk(["show", id, "--json"])) as { task: Shown }).task;
const logOf = (repo: TempRepo, id: string): string => readFileSync(join(repo.dir, ".git", "rewind", "logs", `${id}.log`), "utf8");

/** A fake-provider script (providers/fake.ts) that writes one file and finishes. */
function script(dir: string, name: string, file: string): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify({ turns: [
    { tool_calls: [{ name: "write_file", input: { path: file, content: `${name}\n` } }] },
    { tool_calls: [{ name: "finish", input: { summary: `wrote ${file}` } }] },
  ] }));
  return JSON.stringify(path);
}

describe("identical failures escalate", { timeout: 300_000 }, () => {
  it("to roles.worker.escalate when configured: the attempt after the second identical failure runs on the escalate provider", async () => {
    const { repo, wtDir } = await repos.configured();
    configure(repo, join(wtDir, "wt"), 'gates = ["test -f strong.txt"]\n' +
      `[roles.worker]\nprovider = "fake"\nscript = ${script(wtDir, "weak", "weak.txt")}\n` +
      `[roles.worker.escalate]\nprovider = "fake"\nmodel = "strong-model"\nscript = ${script(wtDir, "strong", "strong.txt")}\n`);
    const id = await repo.rwOk(["create", "Needs the stronger model"]);
    const run = await repo.rw(["run"]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(repo.git(["show", "main:strong.txt"])).toBe("strong\n");
    const fails = eventsOnRef(repo).filter((e) => e.task === id && e.type === "task.failed");
    expect(fails).toHaveLength(2); // not a third blind try on the same worker
    expect(fails[0]!.data.escalate).toBeUndefined();
    expect(fails[1]!.data).toMatchObject({ kind: "gates", escalate: "fake:strong-model" });
    expect(logOf(repo, id)).toMatch(/=== .* attempt 3 [\s\S]*--- prompt \(escalated to fake:strong-model\) ---/);
    expect((await show(repo, id)).status).toBe("done");
  });

  it("without escalate: blocked after two identical failures with an escalation note; rw unblock resets the retry count and says so", async () => {
    const { repo, wtDir } = await repos.configured();
    configure(repo, join(wtDir, "wt"), `max_retries = 5\ngates = ["test -f other.txt"]\n[roles.worker]\nprovider = "fake"\nscript = ${script(wtDir, "weak", "weak.txt")}\n`);
    const id = await repo.rwOk(["create", "Cannot pass"]);
    const run = await repo.rw(["run"]);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stderr).toContain(`rw run: not every task it took is done; blocked: ${id} (escalation: 2 attempts failed the same way`);
    const task = await show(repo, id);
    expect(task).toMatchObject({ status: "blocked", retry_count: 2 });
    const note = task.blocked_reason!;
    expect(note).toMatch(/^escalation: 2 attempts failed the same way \(gates: gate `test -f other.txt` failed with exit 1\)/);
    expect(note).toMatch(/what changed: attempt 1: 1 file changed, 1 insertion\(\+\); attempt 2: 1 file changed, 1 insertion\(\+\)/);
    expect(note).toContain("last diff: 1 file changed, 1 insertion(+)");
    expect(note).toContain("last failure:");
    expect(note).toContain("configure roles.worker.escalate");

    expect(await repo.rwOk(["unblock", id])).toBe(`${id} is now open; its retry count was reset (2 → 0)`);
    expect(await show(repo, id)).toMatchObject({ status: "open", retry_count: 0 });
    // A fresh count: the next run tries twice again (not blocked at once by the old count).
    await repo.rw(["run"]);
    expect(eventsOnRef(repo).filter((e) => e.task === id && e.type === "task.failed")).toHaveLength(4);
    expect((await show(repo, id)).status).toBe("blocked");
  });

  it("a failure that changes between attempts is retried up to max_retries, not escalated", async () => {
    const { repo } = await repos.configured('max_retries = 3\ngates = ["cat n.txt; exit 1"]');
    const id = await repo.rwOk(["create", "Different each time"]);
    const exec = new ScriptedExecutor((req) => writeIn(req, "n.txt", `attempt number ${["one", "two", "three"][req.attempt - 1]}\n`));
    const { summary } = await runIn(repo, exec);
    expect(summary.blocked).toEqual([id]);
    expect(exec.prompts.map((p) => p.attempt)).toEqual([1, 2, 3]);
    expect((await show(repo, id)).blocked_reason).not.toMatch(/escalation/);
  });
});

describe("what a retried or resumed attempt is told", { timeout: 300_000 }, () => {
  it("a retry's prompt says why it runs again and what the worktree already holds (diff stat)", async () => {
    const { repo } = await repos.configured('gates = ["test -f b.txt"]');
    const id = await repo.rwOk(["create", "Two files"]);
    const exec = new ScriptedExecutor((req) => writeIn(req, req.attempt === 1 ? "a.txt" : "b.txt", "x\n"));
    const { summary } = await runIn(repo, exec);
    expect(summary.completed).toEqual([id]);
    const second = exec.prompts[1]!.prompt;
    expect(second).toMatch(/Why this attempt: the previous one failed \(gates\): gate `test -f b.txt` failed with exit 1/);
    expect(second).toMatch(/Already in your worktree from the earlier attempt \(against main\):\n```\n a.txt \| 1 \+/);
    expect(exec.prompts[0]!.prompt).not.toContain("Why this attempt");
  });

  it("a resumed attempt (the run stopped mid-task) says so and shows the earlier work; an untouched task leaves no worktree or branch", async () => {
    const { repo, wtDir } = await repos.configured();
    const id = await repo.rwOk(["create", "Interrupted midway", "--priority", "0"]);
    const idle = await repo.rwOk(["create", "Never started", "--priority", "1"]);
    const stop = new AbortController();
    let idleStarted!: () => void;
    const started = new Promise<void>((res) => (idleStarted = res));
    const waiting = new ScriptedExecutor(async (req) => {
      if (req.task.id === idle) {
        // This agent does nothing; it notices the stop through its request's signal.
        idleStarted();
        await new Promise<void>((res) => (req.signal.aborted ? res() : req.signal.addEventListener("abort", () => res(), { once: true })));
        return { finished: false, error: "aborted" };
      }
      writeIn(req, "half.txt", "half\n");
      await started;
      stop.abort(); // Ctrl-C while both agents work
      return undefined;
    });
    const one = await runIn(repo, waiting, { parallel: 2, signal: stop.signal });
    expect(one.summary.interrupted).toBe(true);
    expect(existsSync(join(wtDir, id, "half.txt"))).toBe(true); // the started task keeps its work
    expect(existsSync(join(wtDir, idle))).toBe(false); // the untouched one leaves nothing behind
    expect(repo.git(["branch", "--list", `rw/${idle}`]).trim()).toBe("");
    expect(await show(repo, idle)).toMatchObject({ status: "open", retry_count: 0 });
    await repo.rwOk(["doctor"]);

    const again = new ScriptedExecutor((req) => writeIn(req, "done.txt", `${req.task.id}\n`));
    const two = await runIn(repo, again, { parallel: 1 });
    expect(two.summary.completed.sort()).toEqual([id, idle].sort());
    const resumed = again.prompts.find((p) => p.task === id)!.prompt;
    expect(resumed).toContain("Why this attempt: an earlier run stopped (interrupted or killed) before this task was finished");
    expect(resumed).toMatch(/Already in your worktree from the earlier attempt \(against main\):\n```\n half.txt \| 1 \+/);
    expect(again.prompts.find((p) => p.task === idle)!.prompt).not.toContain("Already in your worktree");
  });
});
