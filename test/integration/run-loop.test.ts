import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { seedTasks } from "../helpers/race.ts";
import type { TempRepo } from "../helpers/repo.ts";
import { runIn, runRepos, ScriptedExecutor, writeIn } from "../helpers/run.ts";
import { eventsOnRef } from "../helpers/rw.ts";

const repos = runRepos();
let repo: TempRepo;
let wtDir: string;

async function setup(extra = ""): Promise<void> {
  ({ repo, wtDir } = await repos.configured(extra));
}

describe("rw run: the loop on a real repository", { timeout: 180_000 }, () => {
  it("merges a task that passes its gates, ticks its criteria, and removes its worktree", async () => {
    await setup('gates = ["test -f hello.txt"]');
    const id = await repo.rwOk(["create", "Say hello", "--body", "Write hello.txt.\n\n## Acceptance criteria\n- [ ] hello.txt says hello\n"]);
    const exec = new ScriptedExecutor((req) => writeIn(req, "hello.txt", "hello\n"));
    const { summary } = await runIn(repo, exec);
    expect(summary.completed).toEqual([id]);
    expect(repo.git(["show", "main:hello.txt"])).toBe("hello\n");
    expect(repo.git(["log", "-1", "--format=%s%n%an", "main"])).toBe(`${id}: Say hello\nrw-worker-1@testhost\n`);
    expect(existsSync(join(repo.dir, "hello.txt"))).toBe(true); // the user's checkout was fast-forwarded
    const task = repo.git(["show", `rewind:tasks/${id}.md`]);
    expect(task).toContain("status: done");
    expect(task).toContain("- [x] hello.txt says hello");
    const types = eventsOnRef(repo).filter((e) => e.task === id).map((e) => e.type);
    expect(types).toEqual(["task.created", "task.claimed", "gate.ran", "criterion.checked", "task.completed"]);
    const done = eventsOnRef(repo).find((e) => e.type === "task.completed")!;
    expect(done.data).toMatchObject({ files_changed: ["hello.txt"], tokens: { input: 110, output: 25 }, attempt: 1 });
    expect(repo.git(["worktree", "list"]).trim().split("\n")).toHaveLength(1);
    expect(repo.git(["branch", "--list", "rw/*"]).trim()).toBe("");
    const sessions = eventsOnRef(repo).filter((e) => e.type.startsWith("session."));
    expect(sessions.map((e) => e.type)).toEqual(["session.started", "session.ended"]);
    expect(sessions[1]!.data).toMatchObject({ completed: 1, failed: 0 });
    expect(readFileSync(join(repo.dir, ".git", "rewind", "logs", `${id}.log`), "utf8")).toContain("test -f hello.txt");
    await repo.rwOk(["doctor"]);
  });

  it("retries a failed gate with its output in the next prompt, then blocks the task", async () => {
    await setup('max_retries = 2\ngates = ["test -f ok.txt || { echo ok.txt is missing; exit 3; }"]');
    const id = await repo.rwOk(["create", "Make ok.txt"]);
    const exec = new ScriptedExecutor((req) => writeIn(req, `attempt-${req.attempt}.txt`, "not it\n"));
    const { summary } = await runIn(repo, exec);
    expect(summary.blocked).toEqual([id]);
    expect(exec.prompts.map((p) => p.attempt)).toEqual([1, 2]);
    expect(exec.prompts[0]!.prompt).not.toContain("previous attempt");
    expect(exec.prompts[1]!.prompt).toContain("previous attempt (1) failed");
    expect(exec.prompts[1]!.prompt).toContain("Last output:\n```\nok.txt is missing");
    expect(exec.prompts[1]!.prompt).toContain("exited with 3");
    const show = await repo.rwOk(["show", id, "--json"]);
    expect(JSON.parse(show)).toMatchObject({ task: { status: "blocked" } });
    const fails = eventsOnRef(repo).filter((e) => e.type === "task.failed");
    expect(fails.map((e) => [e.data.kind, e.data.will_retry])).toEqual([["gates", true], ["gates", false]]);
    expect(repo.git(["log", "--format=%s", "main"])).not.toContain(id); // nothing merged
    await repo.rwOk(["doctor"]);
  });

  it("handles a merge conflict between two parallel tasks: the loser redoes its work on top", async () => {
    await setup();
    repo.git(["commit", "-q", "--allow-empty", "-m", "base"]);
    const a = await repo.rwOk(["create", "Greeting A", "-p", "1"]);
    const b = await repo.rwOk(["create", "Greeting B", "-p", "1"]);
    let arrived = 0;
    let release: () => void = () => undefined;
    const both = new Promise<void>((res) => (release = res));
    const exec = new ScriptedExecutor(async (req) => {
      if (req.attempt === 1) {
        if (++arrived === 2) release();
        await both; // both attempts edit the same line from the same base
      }
      const mine = req.task.title.endsWith("A") ? "A" : "B";
      const current = existsSync(join(req.cwd, "greeting.txt")) ? readFileSync(join(req.cwd, "greeting.txt"), "utf8") : "";
      writeIn(req, "greeting.txt", `${current}hello from ${mine}\n`);
    });
    const { summary } = await runIn(repo, exec, { parallel: 2 });
    expect(summary.completed.sort()).toEqual([a, b].sort());
    const fails = eventsOnRef(repo).filter((e) => e.type === "task.failed");
    expect(fails).toHaveLength(1);
    expect(fails[0]!.data.kind).toBe("conflict");
    expect(String(fails[0]!.data.error)).toContain("greeting.txt");
    const text = repo.git(["show", "main:greeting.txt"]);
    expect(text).not.toMatch(/<<<<<<<|>>>>>>>/);
    expect(text.trim().split("\n").sort()).toEqual(["hello from A", "hello from B"]);
    const retry = exec.prompts.find((p) => p.attempt === 2)!;
    expect(retry.prompt).toContain("greeting.txt");
    expect(repo.git(["status", "--porcelain", "--untracked-files=no"]).trim()).toBe("");
    await repo.rwOk(["doctor"]);
  });

  // Twelve tasks: three rounds of four workers. parallel.test.ts runs 20 through the merge queue.
  it("--parallel 4 on 12 tasks completes each exactly once", async () => {
    await setup('gates = ["test -s \\"$RW_TASK_ID.txt\\""]');
    const ids = await seedTasks(repo.dir, 12); // one commit: creating them is not what this tests
    const exec = new ScriptedExecutor((req) => writeIn(req, `${req.task.id}.txt`, `${req.task.title}\n`));
    const { summary } = await runIn(repo, exec, { parallel: 4 });
    expect(summary.completed.sort()).toEqual([...ids].sort());
    const evs = eventsOnRef(repo);
    for (const id of ids) {
      const mine = evs.filter((e) => e.task === id);
      const story = JSON.stringify(mine.map((e) => [e.type, e.actor, e.data.error ?? ""])); // what happened, when it fails
      expect(mine.filter((e) => e.type === "task.claimed"), story).toHaveLength(1);
      expect(mine.filter((e) => e.type === "task.completed"), story).toHaveLength(1);
    }
    const workers = new Set(evs.filter((e) => e.type === "task.completed").map((e) => e.actor));
    expect(workers.size).toBeGreaterThan(1);
    const files = repo.git(["ls-tree", "--name-only", "main"]).split("\n").filter((f) => f.endsWith(".txt"));
    expect(files.sort()).toEqual(ids.map((id) => `${id}.txt`).sort());
    await repo.rwOk(["doctor"]);
  }, 300_000); // ~90 git processes and 80 commits on 2 shared cores

  it("a worker whose claim was taken over while it worked merges nothing and records nothing", async () => {
    await setup();
    const id = await repo.rwOk(["create", "Contested"]);
    const exec = new ScriptedExecutor(async (req) => {
      writeIn(req, "late.txt", "work nobody holds any more\n");
      await repo.rwOk(["claim", id, "--force"], { actor: "someone-else" }); // e.g. after this worker's lease ran out
    });
    const { summary, events } = await runIn(repo, exec);
    expect(summary.completed).toEqual([]);
    expect(events.map((e) => e.event)).toContain("task.lost");
    expect(repo.git(["ls-tree", "--name-only", "main"])).not.toContain("late.txt");
    expect(JSON.parse(await repo.rwOk(["show", id, "--json"]))).toMatchObject({ task: { status: "in_progress", assignee: "someone-else" } });
    expect(eventsOnRef(repo).filter((e) => e.task === id).map((e) => e.type)).toEqual(["task.created", "task.claimed", "task.claimed"]);
    expect(existsSync(join(wtDir, id, "late.txt"))).toBe(true); // the work is kept in its worktree
    await repo.rwOk(["doctor"]);
  });

  it("refuses to fast-forward a checkout with uncommitted changes: the run stops, the claim is released, the work is kept", async () => {
    await setup();
    writeFileSync(join(repo.dir, "notes.txt"), "mine\n");
    repo.git(["add", "notes.txt"]);
    repo.git(["commit", "-q", "-m", "notes"]);
    const id = await repo.rwOk(["create", "Change something"]);
    const exec = new ScriptedExecutor((req) => {
      writeIn(req, "change.txt", "agent work\n");
      writeFileSync(join(repo.dir, "notes.txt"), "mine, edited while rw runs\n"); // the user is working too
    });
    await expect(runIn(repo, exec)).rejects.toThrow(/uncommitted changes/);
    expect(repo.git(["ls-tree", "--name-only", "main"])).not.toContain("change.txt");
    expect(readFileSync(join(repo.dir, "notes.txt"), "utf8")).toBe("mine, edited while rw runs\n");
    expect(JSON.parse(await repo.rwOk(["show", id, "--json"]))).toMatchObject({ task: { status: "open" } });
    expect(existsSync(join(wtDir, id, "change.txt"))).toBe(true);
    const ended = eventsOnRef(repo).filter((e) => e.type === "session.ended");
    expect(ended[0]!.data).toMatchObject({ interrupted: true, outcome: "interrupted" });
    await repo.rwOk(["doctor"]);
  });

  it("prepares new worktrees: copies the configured files and runs .rewind/hooks/post-worktree", async () => {
    await setup('copy_files = [".env", "config/local.json"]');
    writeFileSync(join(repo.dir, ".gitignore"), ".env\nconfig/local.json\n.hook-ran\n");
    mkdirSync(join(repo.dir, ".rewind", "hooks"), { recursive: true });
    writeFileSync(join(repo.dir, ".rewind", "hooks", "post-worktree"), 'echo "$RW_TASK_ID from $RW_MAIN_WORKTREE" > .hook-ran\n');
    repo.git(["add", "."]);
    repo.git(["commit", "-q", "-m", "hook"]);
    writeFileSync(join(repo.dir, ".env"), "SECRET=1\n");
    mkdirSync(join(repo.dir, "config"));
    writeFileSync(join(repo.dir, "config", "local.json"), "{}\n");
    const id = await repo.rwOk(["create", "Use the env"]);
    const seen: string[] = [];
    const exec = new ScriptedExecutor((req) => {
      seen.push(readFileSync(join(req.cwd, ".env"), "utf8"), readFileSync(join(req.cwd, "config", "local.json"), "utf8"), readFileSync(join(req.cwd, ".hook-ran"), "utf8"));
      writeIn(req, "used.txt", "yes\n");
    });
    const { summary } = await runIn(repo, exec);
    expect(summary.completed).toEqual([id]);
    expect(seen).toEqual(["SECRET=1\n", "{}\n", `${id} from ${repo.dir}\n`]);
    expect(repo.git(["ls-tree", "-r", "--name-only", "main"]).split("\n")).not.toContain(".env");
  });

  it("--task and --max-tasks limit what a run takes", async () => {
    await setup();
    const ids = [await repo.rwOk(["create", "One", "-p", "1"]), await repo.rwOk(["create", "Two", "-p", "2"]), await repo.rwOk(["create", "Three", "-p", "3"])];
    const exec = new ScriptedExecutor((req) => writeIn(req, `${req.task.id}.txt`, "x\n"));
    expect((await runIn(repo, exec, { task: ids[2]! })).summary.completed).toEqual([ids[2]]);
    expect((await runIn(repo, exec, { maxTasks: 1, parallel: 2 })).summary.completed).toEqual([ids[0]]);
    expect(JSON.parse(await repo.rwOk(["show", ids[1]!, "--json"]))).toMatchObject({ task: { status: "open" } });
  });
});
