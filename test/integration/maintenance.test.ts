import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { decideCreate } from "../../src/domain/decide-task.ts";
import { COMMITS_PER_MAINTENANCE } from "../../src/store/maintenance.ts";
import { Store } from "../../src/store/store.ts";
import { baseEnv, makeRepo, waitFor, type TempRepo } from "../helpers/repo.ts";
import { expectDoctorOk } from "../helpers/rw.ts";

let repo: TempRepo;
afterEach(() => repo?.cleanup());

function countObjects(r: TempRepo): { loose: number; packs: number } {
  const out = Object.fromEntries(r.git(["count-objects", "-v"]).trim().split("\n").map((l) => l.split(": ") as [string, string]));
  return { loose: Number(out.count), packs: Number(out.packs) };
}

describe("repository maintenance", () => {
  it("packs rw's loose objects by itself every few dozen commits, without --prune=now", async () => {
    repo = makeRepo();
    repo.git(["config", "--unset", "gc.auto"]); // the test helper turns gc off; a user's repository has it on
    await repo.rwOk(["init"]);
    expect(countObjects(repo).packs).toBe(0);
    const store = await Store.open({ cwd: repo.dir, env: baseEnv(), now: () => new Date() });
    const actor = { name: "writer", email: "writer@example.com" };
    try {
      for (let i = 0; i < COMMITS_PER_MAINTENANCE + 2; i++) await store.transact(decideCreate({ title: `Task ${i}` }), actor);
    } finally {
      store.close();
    }
    // The run is detached: poll for its result, then for its lock to go (so cleanup does not race it).
    await waitFor(() => countObjects(repo).packs >= 1, { timeoutMs: 60_000, what: "a pack written by rw's maintenance" });
    await waitFor(() => !existsSync(join(repo.dir, ".git", "rewind", "maintenance.lock")), { timeoutMs: 60_000, what: "the maintenance run to finish" });
    // The reachable loose objects went into the pack; only those written after the run stay loose.
    expect(countObjects(repo).loose).toBeLessThan(60);
    expect(repo.git(["fsck", "--no-progress", "--connectivity-only"]).trim()).toBe("");
    expect((JSON.parse(await repo.rwOk(["list", "--all", "--json"])) as { tasks: unknown[] }).tasks).toHaveLength(COMMITS_PER_MAINTENANCE + 2);
    await expectDoctorOk(repo);
  }, 120_000);
});
