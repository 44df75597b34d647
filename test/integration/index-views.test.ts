import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Decider } from "../../src/domain/decide.ts";
import { decideBlock, decideCancel, decideClaimNext, decideDone, decideReopen, decideUnblock } from "../../src/domain/decide-lifecycle.ts";
import { decideCreate, decideDepAdd, decideEdit, decideNote } from "../../src/domain/decide-task.ts";
import { decideInitiativeApprove, decideInitiativeNew, decideInitiativeSubmit } from "../../src/domain/decide-initiative.ts";
import { fold } from "../../src/domain/fold.ts";
import { readyPage } from "../../src/domain/ready.ts";
import { emptyState } from "../../src/domain/types.ts";
import { runDoctor } from "../../src/store/doctor.ts";
import { readAllEvents } from "../../src/store/snapshot.ts";
import { Store } from "../../src/store/store.ts";
import { renderViews } from "../../src/views/index.ts";
import { mulberry32 as rng } from "../helpers/prng.ts";
import { makeRepo, type TempRepo } from "../helpers/repo.ts";

let repo: TempRepo;
afterEach(() => repo?.cleanup());

const actor = { name: "agent-1", email: "agent-1@example.com" };

/**
 * Each one-shot command restores the view index and the ready order from the index file and
 * carries them over the journal's events (store/state-cache.ts, domain/ready-memo.ts) instead
 * of scanning every task. Random commands, each in a fresh store as a CLI process would run
 * them: after each one STATE.md and BOARD.md on the ref are what a replay of the whole log
 * renders, `claim --next` takes the task a full ranking puts first, and doctor agrees at the end.
 */
describe("the view index and ready order kept in the index file", () => {
  it("give the views and claims a full scan gives, command after command", async () => {
    repo = makeRepo({ init: true, config: '[ids]\nprefix = "rw"\n' });
    const rand = rng(7);
    let clock = Date.UTC(2026, 11, 1, 9, 0);
    const ids: string[] = [];
    const pick = (): string => ids[Math.floor(rand() * ids.length)]!;
    const tick = (): void => void (clock += 1000 + Math.floor(rand() * 600_000));
    const once = async <R>(decide: Decider<R>, ticked = false): Promise<R | undefined> => {
      if (!ticked) tick();
      const store = await Store.open({ cwd: repo.dir, env: {}, now: () => new Date(clock) });
      try {
        await store.prefetch();
        return (await store.transact(decide, actor)).result;
      } catch (err) {
        // A refusal (wrong state, a cycle, nothing claimable) commits nothing: the next step goes on.
        if (["wrong_state", "not_claimable", "invalid_input", "cycle"].includes((err as { code?: string }).code ?? "")) return undefined;
        throw err;
      } finally {
        store.close();
      }
    };
    for (let i = 0; i < 25; i++) {
      const deps = ids.length > 3 && rand() < 0.4 ? [pick()] : [];
      ids.push((await once(decideCreate({ title: `Task ${i}`, priority: Math.floor(rand() * 4), deps })))!.id);
    }
    // An initiative: its events name no task, so they drop the kept order (ready-memo.ts) and the next write renews the base.
    const initiative = (await once(decideInitiativeNew({ title: "Launch", phases: ["One", "Two"] })))!.id;
    for (let step = 0; step < 90; step++) {
      const r = rand();
      const id = pick();
      let expectFirst: string | undefined;
      if (r < 0.2) {
        tick();
        const replayed = await replay();
        expectFirst = readyPage(replayed, new Date(clock).toISOString(), 1).items[0]?.task.id;
        const got = await once(decideClaimNext({ leaseMs: rand() < 0.5 ? 60_000 : 3_600_000 }), true);
        if (expectFirst !== undefined && got && "id" in got) expect(got.id, `step ${step}: claim --next`).toBe(expectFirst);
      } else if (r < 0.35) await once(decideDone(id, { force: true }));
      else if (r < 0.45) {
        const deps = rand() < 0.5 ? [pick()] : [];
        const made = await once(decideCreate({ title: `New ${step}`, priority: Math.floor(rand() * 4), deps }));
        if (made) ids.push(made.id);
      } else if (r < 0.52) await once(decideBlock(id, `step ${step}`));
      else if (r < 0.58) await once(decideUnblock(id));
      else if (r < 0.64) await once(decideCancel(id));
      else if (r < 0.72) await once(decideReopen(id));
      else if (r < 0.82) await once(decideEdit(id, { patch: { priority: Math.floor(rand() * 4) } }));
      else if (r < 0.88) await once(decideDepAdd(id, pick()));
      else if (r < 0.93) await once(decideEdit(id, { patch: { initiative, phase: 1 + Math.floor(rand() * 2) } }));
      else await once(decideNote(id, `note ${step}`));
      // The initiative's review and approvals gate its tasks' readiness (taskless events).
      if (step === 30) expect(await once(decideInitiativeSubmit(initiative))).toBeDefined();
      if (step === 45 || step === 70) expect(await once(decideInitiativeApprove(initiative, step === 45 ? 1 : 2))).toBeDefined();
      const replayed = await replay();
      const fresh = renderViews(replayed);
      expect(show("STATE.md"), `step ${step}`).toBe(fresh["STATE.md"]);
      expect(show("BOARD.md"), `step ${step}`).toBe(fresh["BOARD.md"]);
    }
    // The base kept both (it was renewed with them): the next command restores rather than scans.
    const cache = join(repo.dir, ".git", "rewind", "cache");
    const header = JSON.parse(readFileSync(join(cache, readdirSync(cache).find((f) => f.endsWith(".base"))!), "utf8").split("\n")[0]!) as Record<string, unknown>;
    expect(header.view).toBeDefined();
    expect(header.ready).toBeDefined();
    const store = await Store.open({ cwd: repo.dir, env: {}, now: () => new Date(clock) });
    try {
      const report = await runDoctor(store);
      expect(report.ok).toBe(true);
      expect(report.index).toBe("ok");
    } finally {
      store.close();
    }
  }, 120_000);
});

function show(path: string): string {
  return repo.git(["show", `rewind:${path}`]);
}

async function replay() {
  const store = await Store.open({ cwd: repo.dir, env: {}, now: () => new Date() });
  try {
    const snap = await store.snapshot();
    const { events } = await readAllEvents(store.source, snap.root);
    return fold(events, emptyState());
  } finally {
    store.close();
  }
}
