import { afterEach, describe, expect, it } from "vitest";
import { makeEvent } from "../../src/domain/decide.ts";
import { Store } from "../../src/store/store.ts";
import { baseEnv, makeRepo, type TempRepo } from "../helpers/repo.ts";

let repo: TempRepo | undefined;
afterEach(() => repo?.cleanup());

describe("rw history", () => {
  it("joins a task's events, agent tool calls included, with the commits that recorded them", async () => {
    repo = makeRepo({ init: true });
    const id = await repo.rwOk(["create", "Add login endpoint"], { actor: "alice" });
    await repo.rwOk(["claim", id], { actor: "agent-2" });
    // An agent session's tool call on the task, written through the library's one write path.
    const store = await Store.open({ cwd: repo.dir, env: baseEnv(), now: () => new Date() });
    try {
      await store.transact((_s, ctx) => ({
        events: [makeEvent(ctx, "agent.tool_called", id, { tool: "read_file", args: "src/login.ts", result: "120 lines" })],
        summary: `tool call on ${id}`, result: null,
      }), { name: "agent-2", email: "agent-2@rw.invalid" });
    } finally {
      store.close();
    }
    await repo.rwOk(["done", id, "--summary", "POST /login"], { actor: "agent-2" });

    const text = await repo.rwOk(["history", id]);
    const lines = text.split("\n");
    expect(lines.map((l) => l.split(/\s+/).slice(1, 3).join(" "))).toEqual([
      "alice task.created", "agent-2 task.claimed", "agent-2 agent.tool_called", "agent-2 task.completed",
    ]);
    expect(lines[2]).toContain("read_file src/login.ts -> 120 lines");

    const json = JSON.parse(await repo.rwOk(["history", id, "--json"])) as { entries: Array<{ type: string; commit?: string }> };
    const fileLog = repo.git(["log", "--format=%H", "rewind", "--", `tasks/${id}.md`]).trim().split("\n").reverse();
    const withFileCommits = json.entries.filter((e) => e.type !== "agent.tool_called").map((e) => e.commit);
    expect(withFileCommits).toEqual(fileLog);
    expect(json.entries.find((e) => e.type === "agent.tool_called")?.commit).toBeUndefined();
  });

  it("refuses an unknown task with exit code 4", async () => {
    repo = makeRepo({ init: true });
    const r = await repo.rw(["history", "rw-zzzz"]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("task rw-zzzz not found");
  });
});
