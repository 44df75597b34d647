import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { decideClaimNext } from "../../src/domain/decide-lifecycle.ts";
import { decideCreate } from "../../src/domain/decide-task.ts";
import { decideInitiativeNew } from "../../src/domain/decide-initiative.ts";
import { runDoctor } from "../../src/store/doctor.ts";
import { Store } from "../../src/store/store.ts";
import { makeRepo, type TempRepo } from "../helpers/repo.ts";

let repo: TempRepo;
afterEach(() => repo?.cleanup());

const actor = { name: "agent-1", email: "agent-1@example.com" };
const open = (): Promise<Store> => Store.open({ cwd: repo.dir, env: {}, now: () => new Date() });

/**
 * A base whose kept ready order was dropped (here by an initiative's taskless event) is renewed
 * by the next writer. Writers that all read it before that renewal must not each write a whole
 * new base again (store/state-cache.ts writeCache): the first one does, the others save nothing.
 */
describe("renewing a stale index base", () => {
  it("is done once by writers that all read the stale base, and every state stays right", async () => {
    repo = makeRepo({ init: true, config: '[ids]\nprefix = "rw"\n' });
    const once = async <R>(fn: (s: Store) => Promise<R>): Promise<R> => {
      const s = await open();
      try {
        return await fn(s);
      } finally {
        s.close();
      }
    };
    for (let i = 0; i < 6; i++) await once((s) => s.transact(decideCreate({ title: `Task ${i}`, priority: i % 3 }), actor));
    await once((s) => s.transact(decideInitiativeNew({ title: "Launch", phases: ["One"] }), actor));
    const cache = join(repo.dir, ".git", "rewind", "cache");
    const baseIno = (): number => statSync(join(cache, readdirSync(cache).find((f) => f.endsWith(".base"))!)).ino;
    const stale = baseIno();

    // Three writers read the stale base before any of them commits.
    const writers = [await open(), await open(), await open()];
    try {
      for (const w of writers) await w.prefetch();
      const claimed: string[] = [];
      const first = await writers[0]!.transact(decideClaimNext({ leaseMs: 60_000 }), actor);
      claimed.push((first.result as { id: string }).id);
      const renewed = baseIno();
      expect(renewed).not.toBe(stale);
      for (const w of writers.slice(1)) claimed.push(((await w.transact(decideClaimNext({ leaseMs: 60_000 }), actor)).result as { id: string }).id);
      expect(baseIno()).toBe(renewed);
      expect(new Set(claimed).size).toBe(3);
    } finally {
      for (const w of writers) w.close();
    }

    // The next command reads the renewed base and brings it forward: the claims are all there.
    const fourth = await once((s) => s.transact(decideClaimNext({ leaseMs: 60_000 }), actor));
    expect(fourth.result).toHaveProperty("id");
    const report = await once((s) => runDoctor(s));
    expect(report.ok).toBe(true);
    expect(report.index).toBe("ok");
    const state = await once(async (s) => (await s.snapshot()).state);
    expect(Object.values(state.tasks).filter((t) => t.status === "in_progress")).toHaveLength(4);
  });
});
