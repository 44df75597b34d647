import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makeRepo, type TempRepo } from "../../helpers/repo.ts";
import { configure } from "../../helpers/run.ts";
import { eventsOnRef } from "../../helpers/rw.ts";

let repo: TempRepo | undefined;
let dir: string | undefined;
afterEach(() => {
  repo?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("rw run driving the agent layer (fake worker and verifier, the built binary)", () => {
  it("the worker edits the worktree through the tools, the verifier judges by structured output, the task is merged", async () => {
    repo = makeRepo();
    dir = mkdtempSync(join(tmpdir(), "rw-agents-run-"));
    await repo.rwOk(["init"]);
    const worker = join(dir, "worker.json");
    const verifier = join(dir, "verifier.json");
    writeFileSync(worker, JSON.stringify({ turns: [
      { text: "Writing hello.txt.", tool_calls: [{ name: "write_file", input: { path: "hello.txt", content: "hello\n" } }] },
      { tool_calls: [{ name: "run_command", input: { command: "ls" } }, { name: "finish", input: { summary: "hello.txt written" } }] },
    ] }));
    writeFileSync(verifier, JSON.stringify({ turns: [
      { tool_calls: [{ name: "verdict", input: { verdicts: [{ index: 0, met: true, evidence: "hello.txt contains hello in the diff" }] } }] },
    ] }));
    configure(repo, join(dir, "wt"), `gates = ["test -f hello.txt"]\n[roles.worker]\nprovider = "fake"\nscript = ${JSON.stringify(worker)}\n[roles.verifier]\nprovider = "fake"\nscript = ${JSON.stringify(verifier)}\n`);
    const id = await repo.rwOk(["create", "Say hello", "--body", "Write hello.txt.\n\n## Acceptance criteria\n- [ ] hello.txt says hello\n"]);
    const run = await repo.rw(["run", "--task", id]);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(repo.git(["show", "main:hello.txt"])).toBe("hello\n");
    const task = repo.git(["show", `rewind:tasks/${id}.md`]);
    expect(task).toContain("status: done");
    expect(task).toContain("- [x] hello.txt says hello");
    const events = eventsOnRef(repo).filter((e) => e.task === id);
    expect(events.filter((e) => e.type === "agent.tool_called").map((e) => e.data.tool)).toEqual(["write_file", "run_command", "finish"]);
    expect(events.filter((e) => e.type === "agent.usage").map((e) => e.data.role)).toEqual(["worker", "worker", "verifier"]);
    expect(events.find((e) => e.type === "agent.usage")!.actor).toMatch(/^rw-worker-1@/);
    expect(await repo.rwOk(["doctor"])).toContain("ok");
  });
});
