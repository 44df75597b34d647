import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { baseEnv, RW_BIN } from "../helpers/repo.ts";
import { rwJson } from "../helpers/rw.ts";
import { runRepos } from "../helpers/run.ts";
import { NO_TMUX, startTmux, type Tmux } from "../helpers/tmux.ts";

/**
 * `rw run --tui` in a real terminal (tmux: send-keys, capture-pane) during a real run with the
 * fake provider. Each task's agent writes a file, then runs `node wait.js`, which waits until
 * the test drops `go/<id>`: the test decides when work finishes, so nothing depends on timing.
 */
const repos = runRepos();
let tmux: Tmux | undefined;
afterEach(() => {
  tmux?.kill();
  tmux = undefined;
});
if (NO_TMUX) console.warn(`run --tui tests: ${NO_TMUX}`);

describe.skipIf(NO_TMUX !== undefined)("rw run --tui under tmux", () => {
  it("shows a row per worker, streams the selected worker's output, pauses claims, and q stops with claims released", async () => {
    const { repo, wtDir } = repos.make();
    const go = join(wtDir, "go");
    mkdirSync(go, { recursive: true });
    // The wait script lives in the repository, so every task worktree has it; the folder it watches is outside.
    writeFileSync(join(repo.dir, "wait.js"), `const { existsSync } = require("node:fs");\nconst f = ${JSON.stringify(go)} + "/" + process.argv[2];\nconst t = setInterval(() => { if (existsSync(f)) { clearInterval(t); console.log("go " + process.argv[2]); } }, 100);\n`);
    repo.git(["add", "wait.js"]);
    repo.git(["commit", "-q", "-m", "wait.js"]);
    await repo.rwOk(["init"]);
    writeFileSync(join(repo.dir, ".rewind", "config.toml"), [
      "version = 1", "[ids]", 'prefix = "t"', "[execution]", `worktree_dir = ${JSON.stringify(join(wtDir, "wt"))}`,
      "[roles.worker]", 'provider = "fake"', `script = ${JSON.stringify(join(wtDir, "worker-{id}.json"))}`,
      "[tools]", 'allow_commands = ["node wait.js"]', 'command_timeout = "10m"', "",
    ].join("\n"));
    repo.git(["add", ".rewind"]);
    repo.git(["commit", "-q", "-m", "rw config"]);
    const ids: string[] = [];
    for (const title of ["Alpha task", "Beta task", "Gamma task", "Delta task"]) {
      const id = await repo.rwOk(["create", title]);
      ids.push(id);
      writeFileSync(join(wtDir, `worker-${id}.json`), JSON.stringify({ turns: [
        { text: `Thinking about ${id} out loud.`, tool_calls: [{ name: "write_file", input: { path: `note-${id}.txt`, content: "hi\n" } }] },
        { tool_calls: [{ name: "run_command", input: { command: `node wait.js ${id}`, timeout_ms: 600_000 } }] },
        { tool_calls: [{ name: "finish", input: { summary: `did ${id}` } }] },
      ] }));
    }
    const env = baseEnv({ TERM: "xterm-256color" });
    tmux = startTmux(`${JSON.stringify(process.execPath)} ${JSON.stringify(RW_BIN)} run --parallel 2 --tui`, { cwd: repo.dir, env });

    // Both workers busy, each in its own row, in their second turn (waiting in run_command).
    // The ready pane is re-read from the ref on the dashboard's tick, after the worker rows (which
    // come from the run's own events), so the screen to wait for is the one where both agree.
    const busy = await tmux.waitScreen((s) => /w1 .*t-\w+ .*agent: turn 2/.test(s) && /w2 .*t-\w+ .*agent: turn 2/.test(s) && /READY \(2\)/.test(s), "two busy workers on turn 2 (in run_command) and two tasks ready");
    expect(busy).toMatch(/WORKERS \(2 busy of 2\)/);
    const rowTask = (screen: string, w: string): string => new RegExp(`${w} +\\S+ (t-\\w+)`).exec(screen)?.[1] ?? "";
    const first = rowTask(busy, "w1");
    const second = rowTask(busy, "w2");
    expect(new Set([first, second]).size).toBe(2);

    // Select worker 2 and follow it: its agent's text and tool calls stream into the pane.
    tmux.keys("j", "Enter");
    await tmux.waitScreen((s) => s.includes(`output: w2 ${second} (following)`) && s.includes(`Thinking about ${second} out loud.`) && s.includes(`[ok] write_file note-${second}.txt`), "worker 2's output");

    // Rows update: worker 2's task finishes; it takes the next ready task.
    writeFileSync(join(go, second), "");
    const next = await tmux.waitScreen((s) => s.includes(`done    ${second}`) && rowTask(s, "w2") !== "" && rowTask(s, "w2") !== second && /w2 .*agent: turn 2/.test(s), "worker 2 on its next task");
    const third = rowTask(next, "w2");
    expect(ids).toContain(third);
    expect(next).toMatch(/done 1 · /);

    // p: new claims pause. Worker 2 finishes its task and stays idle while a task is still ready.
    tmux.keys("Escape", "p");
    await tmux.waitScreen(/new claims paused/, "the paused notice");
    writeFileSync(join(go, third), "");
    const paused = await tmux.waitScreen((s) => s.includes(`done    ${third}`) && /w2 +idle/.test(s), "worker 2 idle while paused");
    expect(paused).toMatch(/READY \(1\)/);
    expect((await rwJson<{ tasks: Array<{ id: string; status: string }> }>(repo, ["list", "--status", "open"])).tasks).toHaveLength(1);

    // q: stops cleanly like Ctrl-C: worker 1 stops before merging, its claim is released.
    tmux.keys("q");
    const ended = await tmux.waitScreen(/EXITED \d+/, "rw run to exit");
    expect(ended).toContain("EXITED 130");
    expect(ended).toContain(`stopped ${first}`);
    const all = (await rwJson<{ tasks: Array<{ id: string; status: string; assignee?: string }> }>(repo, ["list", "--all"])).tasks;
    const byId = new Map(all.map((t) => [t.id, t]));
    expect(byId.get(second)?.status).toBe("done");
    expect(byId.get(third)?.status).toBe("done");
    expect(byId.get(first)).toMatchObject({ status: "open" });
    expect(byId.get(first)?.assignee).toBeUndefined();
    expect(all.filter((t) => t.status === "in_progress")).toEqual([]);
    expect(existsSync(join(repo.dir, `note-${first}.txt`))).toBe(false); // nothing merged half-way
  }, 300_000);

  it("rw board --tui shows tasks in progress as they are claimed, and q quits", async () => {
    const { repo } = await repos.configured();
    const id = await repo.rwOk(["create", "Watch me"]);
    tmux = startTmux(`${JSON.stringify(process.execPath)} ${JSON.stringify(RW_BIN)} board --tui`, { cwd: repo.dir, env: baseEnv({ TERM: "xterm-256color" }) });
    await tmux.waitScreen((s) => s.includes("IN PROGRESS (0)") && s.includes(`${id}  P2  Watch me`), "the empty board with one ready task");
    await repo.rwOk(["claim", id], { actor: "agent-7" });
    const shown = await tmux.waitScreen((s) => s.includes("IN PROGRESS (1)") && new RegExp(`agent-7 .*${id} .*Watch me`).test(s), "the claimed task as a row");
    expect(shown).toMatch(/READY \(0\)/);
    tmux.keys("q");
    await tmux.waitScreen(/EXITED 0/, "rw board --tui to quit");
  });
});
