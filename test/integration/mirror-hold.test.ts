import { existsSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { syncMirror } from "../../src/store/mirror-sync.ts";
import { Store } from "../../src/store/store.ts";
import { baseEnv, makeRepo, type TempRepo } from "../helpers/repo.ts";

/**
 * The daemon's guard against reading a removal still under way as cancellations: a round that
 * finds files gone asks `holdDeletions` first, and when told to wait it records nothing and
 * restores nothing (writing into a folder being removed breaks the user's `rm -rf`); the files
 * it saw missing are found again by the next round, which records them.
 */
let repo: TempRepo;
afterEach(() => repo?.cleanup());
const human = { name: "human", email: "human@example.com" };
const tip = (): string => repo.git(["rev-parse", "rewind"]).trim();

describe("a mirror round that finds files gone", () => {
  it("records nothing and restores nothing while held, then records the deletion once let go", async () => {
    repo = makeRepo({ init: true });
    const a = await repo.rwOk(["create", "Delete me"]);
    await repo.rwOk(["create", "Keep me"]);
    const store = await Store.open({ cwd: repo.dir, env: baseEnv(), now: () => new Date() });
    try {
      await syncMirror(store, { actor: human, log: () => undefined });
      const file = join(repo.dir, ".rewind", "tasks", `${a}.md`);
      expect(existsSync(file)).toBe(true);
      const before = tip();
      unlinkSync(file);

      let asked = 0;
      const held = await syncMirror(store, { actor: human, log: () => undefined, holdDeletions: async () => (asked++, true) });
      expect(asked).toBe(1);
      expect(held.deferred).toBe(true);
      expect(held.commit).toBeNull();
      expect(tip()).toBe(before);
      expect(existsSync(file)).toBe(false); // not written back into a folder that may be going away

      const done = await syncMirror(store, { actor: human, log: () => undefined, holdDeletions: async () => false });
      expect(done.deferred).toBeUndefined();
      expect(done.commit).not.toBeNull();
    } finally {
      store.close();
    }
    expect((JSON.parse(await repo.rwOk(["show", a, "--json"])) as { task: { status: string } }).task.status).toBe("cancelled");
  });
});
