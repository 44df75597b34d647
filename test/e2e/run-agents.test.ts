import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { anthropicSse, startLlmServer, type LlmServer } from "../helpers/llm-server.ts";
import { baseEnv, makeRepo, RW_BIN, waitFor, type TempRepo } from "../helpers/repo.ts";
import { configure } from "../helpers/run.ts";
import { eventsOnRef } from "../helpers/rw.ts";

let repo: TempRepo | undefined;
let dir: string | undefined;
const servers: LlmServer[] = [];
afterEach(async () => {
  repo?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A repo whose worker is the fake provider playing `turns` (the same for every task). */
async function fakeRepo(execution: string, turns: unknown[]): Promise<TempRepo> {
  repo = makeRepo();
  dir = mkdtempSync(join(tmpdir(), "rw-e2e-run-"));
  await repo.rwOk(["init"]);
  const script = join(dir, "worker.json");
  writeFileSync(script, JSON.stringify({ turns }));
  configure(repo, join(dir, "wt"), `${execution}\n[roles.worker]\nprovider = "fake"\nscript = ${JSON.stringify(script)}\n`);
  return repo;
}

const writeAndFinish = [
  { tool_calls: [{ name: "write_file", input: { path: "work.txt", content: "done\n" } }] },
  { tool_calls: [{ name: "finish", input: { summary: "work.txt written" } }] },
];

function startRun(r: TempRepo, args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [RW_BIN, "run", ...args], { cwd: r.dir, env: baseEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>((res) => child.on("close", (code, signal) => res({ code, signal, out })));
  return { child, done, output: () => out };
}

const logOf = (r: TempRepo, id: string): string => {
  const f = join(r.dir, ".git", "rewind", "logs", `${id}.log`);
  return existsSync(f) ? readFileSync(f, "utf8") : "";
};

describe("rw run, the built binary with the fake provider", { timeout: 180_000 }, () => {
  it("Ctrl-C stops cleanly: the gate's process group is killed, the claim released, nothing merged", async () => {
    const r = await fakeRepo('gates = ["sleep 120"]', writeAndFinish);
    const id = await r.rwOk(["create", "Slow gate"]);
    const run = startRun(r, []);
    await waitFor(() => logOf(r, id).includes("$ sleep 120"), { timeoutMs: 30_000, what: "the gate to start" });
    run.child.kill("SIGINT");
    const { code, out } = await run.done;
    expect(code, out).toBe(130);
    expect(out).toContain("stopping workers");
    expect(JSON.parse(await r.rwOk(["show", id, "--json"]))).toMatchObject({ task: { status: "open" } });
    expect(r.git(["ls-tree", "--name-only", "main"])).not.toContain("work.txt");
    expect(existsSync(join(dir!, "wt", id, "work.txt"))).toBe(true);
    expect(eventsOnRef(r).find((e) => e.type === "session.ended")!.data).toMatchObject({ interrupted: true });
    await r.rwOk(["doctor"]);
  });

  it("SIGKILL mid-task, then a rerun resumes the claim and its worktree and finishes", async () => {
    const r = await fakeRepo('gates = ["test -n \\"$RW_FAST\\" || sleep 120"]', writeAndFinish);
    const id = await r.rwOk(["create", "Killed midway"]);
    const first = startRun(r, []);
    await waitFor(() => logOf(r, id).includes("$ test -n"), { timeoutMs: 30_000, what: "the gate to start" });
    first.child.kill("SIGKILL");
    expect((await first.done).signal).toBe("SIGKILL");
    expect(JSON.parse(await r.rwOk(["show", id, "--json"]))).toMatchObject({ task: { status: "in_progress" } });
    const again = await r.rw(["run"], { env: { RW_FAST: "1" } });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`resuming ${id}`);
    expect(r.git(["show", "main:work.txt"])).toBe("done\n");
    expect(logOf(r, id)).toContain("(reused)");
    expect(eventsOnRef(r).filter((e) => e.task === id && e.type === "task.completed")).toHaveLength(1);
    await r.rwOk(["doctor"]);
  });

  it("a gate failure is retried with the gate's output in the next prompt, then the task is blocked", async () => {
    const r = await fakeRepo('max_retries = 2\ngates = ["echo the answer is not 42; exit 1"]', writeAndFinish);
    const id = await r.rwOk(["create", "Never passes"]);
    const run = await r.rw(["run", "--json"]);
    // Honest exit: a task this run took ended blocked, so the run did not succeed.
    expect(run.code, run.stderr).toBe(1);
    const events = run.stdout.trim().split("\n").map((l) => JSON.parse(l) as { event: string; task?: string; will_retry?: boolean });
    expect(events.filter((e) => e.event === "task.failed").map((e) => e.will_retry)).toEqual([true, false]);
    expect(logOf(r, id)).toMatch(/previous attempt \(1\) failed[\s\S]*the answer is not 42/);
    expect(JSON.parse(await r.rwOk(["show", id, "--json"]))).toMatchObject({ task: { status: "blocked" } });
    await r.rwOk(["doctor"]);
  });
});

describe("rw run --parallel 2, two fake agents editing the same line", { timeout: 180_000 }, () => {
  it("one merges, the other conflicts, is told which file, redoes its work on top, and merges", async () => {
    repo = makeRepo();
    dir = mkdtempSync(join(tmpdir(), "rw-e2e-run-"));
    await repo.rwOk(["init"]);
    writeFileSync(join(repo.dir, "greeting.txt"), "hello\n");
    repo.git(["add", "greeting.txt"]);
    repo.git(["commit", "-q", "-m", "greeting"]);
    for (const who of ["a", "b"]) {
      writeFileSync(join(dir, `worker-say-${who}.json`), JSON.stringify({ turns: [
        { tool_calls: [{ name: "write_file", input: { path: "greeting.txt", content: `hello from ${who}\n` } }] },
        { tool_calls: [{ name: "finish", input: { summary: `greeting by ${who}` } }] },
      ] }));
    }
    configure(repo, join(dir, "wt"), `gates = ["sleep 1"]\n[roles.worker]\nprovider = "fake"\nscript = ${JSON.stringify(join(dir, "worker-{slug}.json"))}\n`);
    const a = await repo.rwOk(["create", "Say a", "-p", "1"]);
    const b = await repo.rwOk(["create", "Say b", "-p", "1"]);
    const run = await repo.rw(["run", "--parallel", "2"]);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const events = eventsOnRef(repo);
    const failed = events.filter((e) => e.type === "task.failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]!.data).toMatchObject({ kind: "conflict" });
    expect(String(failed[0]!.data.error)).toContain("greeting.txt");
    for (const id of [a, b]) expect(events.filter((e) => e.task === id && e.type === "task.completed")).toHaveLength(1);
    const loser = failed[0]!.task!;
    expect(logOf(repo, loser)).toMatch(/previous attempt \(1\) failed[\s\S]*greeting\.txt/);
    expect(repo.git(["show", "main:greeting.txt"])).toBe(`hello from ${loser === a ? "a" : "b"}\n`);
    expect(repo.git(["status", "--porcelain", "--untracked-files=no"])).toBe("");
    await repo.rwOk(["doctor"]);
  });
});

describe("rw run with a real SDK client against a local Messages API", { timeout: 180_000 }, () => {
  it("the anthropic worker writes through tool calls; the gate passes; the task is merged", async () => {
    const server = await startLlmServer([
      anthropicSse({ text: "Writing it.", tools: [{ id: "toolu_1", name: "write_file", input: { path: "api.txt", content: "from the api\n" } }] }),
      anthropicSse({ tools: [{ id: "toolu_2", name: "finish", input: { summary: "api.txt written" } }] }),
    ]);
    servers.push(server);
    repo = makeRepo();
    dir = mkdtempSync(join(tmpdir(), "rw-e2e-run-"));
    await repo.rwOk(["init"]);
    configure(repo, join(dir, "wt"), `gates = ["test -f api.txt"]\n[roles.worker]\nprovider = "anthropic"\nmodel = "claude-sonnet-4-6"\nbase_url = "${server.url}"\napi_key_env = "TEST_KEY"\n`);
    const id = await repo.rwOk(["create", "Via the API"]);
    const run = await repo.rw(["run"], { env: { TEST_KEY: "sk-ant-test-0123456789" } });
    expect(run.code, run.stderr).toBe(0);
    expect(repo.git(["show", "main:api.txt"])).toBe("from the api\n");
    expect(server.requests).toHaveLength(2);
    const done = eventsOnRef(repo).find((e) => e.task === id && e.type === "task.completed")!;
    expect(done.data).toMatchObject({ files_changed: ["api.txt"], summary: "api.txt written" });
    expect((done.data.tokens as { input: number }).input).toBeGreaterThan(0);
    await repo.rwOk(["doctor"]);
  });
});

describe("rw plan with the fake planner", { timeout: 180_000 }, () => {
  const plan = (tasks: unknown[]) => ({ turns: [{ tool_calls: [{ name: "submit_plan", input: { initiative: { title: "Login", body: "Let users log in.\n" }, phases: [{ title: "API" }], tasks } }] }] });
  async function planRepo(script: unknown): Promise<TempRepo> {
    repo = makeRepo();
    dir = mkdtempSync(join(tmpdir(), "rw-e2e-plan-"));
    await repo.rwOk(["init"]);
    writeFileSync(join(dir, "planner.json"), JSON.stringify(script));
    writeFileSync(join(repo.dir, "prd.md"), "# Login\n\nUsers log in with a password.\n");
    configure(repo, join(dir, "wt"), `[roles.planner]\nprovider = "fake"\nscript = ${JSON.stringify(join(dir, "planner.json"))}\n`);
    return repo;
  }

  it("refuses a plan with a dependency cycle and writes nothing", async () => {
    const r = await planRepo(plan([
      { key: "a", title: "A", body: "x", phase: 1, deps: ["b"] },
      { key: "b", title: "B", body: "y", phase: 1, deps: ["a"] },
    ]));
    const out = await r.rw(["plan", "prd.md"]);
    expect(out.code).toBe(2); // invalid input: nothing written (the exit-code table)
    expect(out.stderr).toMatch(/not valid, nothing was written[\s\S]*dependency cycle/);
    // Only the planner's spend was recorded: no initiative, no task.
    expect(r.git(["ls-tree", "-r", "--name-only", "rewind"]).split("\n").filter((f) => /^(tasks|initiatives)\//.test(f))).toEqual([]);
  });

  it("--dry-run shows the plan; without it, one commit holds the draft initiative and its tasks", async () => {
    const r = await planRepo(plan([
      { key: "api", title: "POST /login", body: "## Acceptance criteria\n- [ ] 200 with a token", phase: 1, priority: 1, gates: ["npm test"] },
      { key: "docs", title: "Document login", body: "docs", phase: 1, deps: ["api"] },
    ]));
    const files = (): string[] => r.git(["ls-tree", "-r", "--name-only", "rewind"]).split("\n").filter((f) => /^(tasks|initiatives)\//.test(f));
    const dry = await r.rwOk(["plan", "prd.md", "--dry-run"]);
    expect(dry).toContain("would plan: Login (1 phases, 2 tasks); nothing written");
    expect(files()).toEqual([]);
    const json = JSON.parse(await r.rwOk(["plan", "prd.md", "--json"])) as { commit: string; written: { initiative: string; status: string; tasks: Array<{ key: string; id: string; deps: string[] }> } };
    expect(json.written.status).toBe("draft");
    // One commit added the initiative and both tasks.
    expect(r.git(["diff-tree", "--no-commit-id", "--name-only", "-r", json.commit]).split("\n").filter((f) => /^(tasks|initiatives)\//.test(f))).toHaveLength(3);
    expect(files()).toHaveLength(3);
    const [api, docs] = json.written.tasks;
    expect(docs!.deps).toEqual([api!.id]);
    expect(r.git(["show", `rewind:tasks/${docs!.id}.md`])).toContain(`initiative: ${json.written.initiative}`);
    expect((await r.rw(["claim", "--next"], { actor: "a" })).code).toBe(4); // a draft's tasks are not ready
    await r.rwOk(["doctor"]);
  });
});
