import { describe, expect, it } from "vitest";
import { runIn, runRepos, ScriptedExecutor, writeIn } from "../helpers/run.ts";

const repos = runRepos();

describe("rw run --dry-run and rw logs (the binary)", { timeout: 180_000 }, () => {
  it("--dry-run lists what would run, in order, and changes nothing", async () => {
    const { repo, wtDir } = await repos.configured('gates = ["npm test"]\n[roles.worker]\nprovider = "fake"\n[roles.verifier]\nprovider = "fake"');
    const low = await repo.rwOk(["create", "Later", "-p", "3"]);
    const high = await repo.rwOk(["create", "First", "-p", "0", "--gate", "make lint"]);
    const tip = repo.git(["rev-parse", "rewind"]);
    const out = await repo.rwOk(["run", "--dry-run", "--parallel", "2"]);
    expect(out).toContain("merging into main");
    expect(out).toContain(`worktrees under ${wtDir}`);
    expect(out.indexOf(high)).toBeLessThan(out.indexOf(low));
    expect(out).toContain("gates: make lint && npm test");
    const json = JSON.parse(await repo.rwOk(["run", "--dry-run", "--max-tasks", "1", "--json"])) as { v: number; ready: Array<{ id: string }> };
    expect(json.v).toBe(1);
    expect(json.ready.map((t) => t.id)).toEqual([high]);
    expect(repo.git(["rev-parse", "rewind"])).toBe(tip);
    const notReady = await repo.rw(["run", "--task", "nope-1"]);
    expect(notReady.code).toBe(4);
  });

  it("rw logs shows a task's transcript; an unknown one exits 4", async () => {
    const { repo } = await repos.configured('gates = ["cat note.txt"]');
    const id = await repo.rwOk(["create", "Write a note"]);
    await runIn(repo, new ScriptedExecutor((req) => writeIn(req, "note.txt", "the gate prints this line\n")));
    const log = await repo.rwOk(["logs", id]);
    expect(log).toContain(`=== ${id} attempt 1 by rw-worker-1@testhost`);
    expect(log).toContain("$ cat note.txt\nthe gate prints this line");
    expect(log).toContain("merged");
    expect(JSON.parse(await repo.rwOk(["logs", id, "--json", "--tail", "1"]))).toMatchObject({ v: 1, id });
    expect((await repo.rw(["logs", "t-zzzz"])).code).toBe(4);
  });
});
