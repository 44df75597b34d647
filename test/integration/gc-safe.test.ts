import { spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { decideCreate } from "../../src/domain/decide-task.ts";
import { Store } from "../../src/store/store.ts";
import { baseEnv, makeRepo, type TempRepo } from "../helpers/repo.ts";
import { expectDoctorOk } from "../helpers/rw.ts";

let repo: TempRepo;
afterEach(() => repo?.cleanup());

function gitRun(dir: string, args: string[]): Promise<number | null> {
  return new Promise((done) => {
    const child = spawn("git", args, { cwd: dir, env: baseEnv(), stdio: "ignore" });
    child.on("exit", (code) => done(code));
  });
}

/**
 * Issue 14: a long-lived store (`rw mcp`, the daemon) remembered which `objects/xx/` folders it
 * had made; `git gc` and `git repack -ad` remove emptied ones, and the next write failed with a
 * raw ENOENT. Here one Store keeps writing while gc and repack run back to back the whole time.
 */
describe("object writes during git gc and repack", () => {
  it("a long-lived store loses no write while gc and repack -ad run repeatedly", async () => {
    repo = makeRepo({ init: true });
    const store = await Store.open({ cwd: repo.dir, env: baseEnv(), now: () => new Date() });
    const actor = { name: "writer", email: "writer@example.com" };
    let writing = true;
    let maintenanceRuns = 0;
    const maintenance = (async () => {
      // gc packs and removes loose objects (and their emptied folders); repack -ad does the same through prune-packed.
      for (let i = 0; writing; i++) {
        await gitRun(repo.dir, i % 2 === 0 ? ["gc", "--quiet"] : ["repack", "-ad", "-q"]);
        maintenanceRuns++;
      }
    })();
    const ids: string[] = [];
    const failures: string[] = [];
    try {
      // Keep writing until maintenance has run several times over (and at least 60 writes).
      for (let i = 0; i < 400 && (i < 60 || maintenanceRuns < 6); i++) {
        try {
          ids.push((await store.transact(decideCreate({ title: `Task ${i}` }), actor)).result.id);
        } catch (err) {
          failures.push((err as Error).message);
        }
      }
    } finally {
      writing = false;
      await maintenance;
      store.close();
    }
    expect(failures).toEqual([]);
    expect(maintenanceRuns).toBeGreaterThanOrEqual(6);
    const listed = JSON.parse(await repo.rwOk(["list", "--all", "--json"])) as { tasks: Array<{ id: string }> };
    expect(listed.tasks.map((t) => t.id).sort()).toEqual([...ids].sort());
    expect(repo.git(["fsck", "--no-progress", "--connectivity-only"]).trim()).toBe("");
    await expectDoctorOk(repo);
  });
});
