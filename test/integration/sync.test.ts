import { describe, expect, it, onTestFinished } from "vitest";
import { makeBare, makeClone, seedRemote, serveGitDaemon, setSyncConfig, type BareRemote } from "../helpers/remote.ts";
import { track, type TempRepo } from "../helpers/repo.ts";
import { eventsOnRef, rwJson } from "../helpers/rw.ts";

/** Offline work on two machines that share t-1..t-4: creates, edits, completes, a claim of the same task. */
async function divergentWork(a: TempRepo, b: TempRepo): Promise<void> {
  await a.rwOk(["claim", "t-1"], { actor: "alice" });
  await a.rwOk(["create", "Alice's new task", "--id", "t-9"]);
  await a.rwOk(["cancel", "t-3", "--reason", "not needed"]);
  await a.rwOk(["claim", "t-4"], { actor: "alice" });
  await a.rwOk(["done", "t-4"], { actor: "alice" });
  await b.rwOk(["claim", "t-1"], { actor: "bob" });
  await b.rwOk(["done", "t-1"], { actor: "bob" });
  await b.rwOk(["edit", "t-3", "--title", "Task 3, sharpened", "--priority", "0"]);
  await b.rwOk(["create", "Bob's new task", "--id", "t-9"]);
  await b.rwOk(["create", "Follows Bob's task", "--id", "t-10", "--dep", "t-9"]);
  await b.rwOk(["edit", "t-2", "--add-label", "backend"]);
}

describe("rw sync between diverged clones", () => {
  for (const order of [["a", "b"], ["b", "a"]] as const) {
    it(`merges by the union of events, resolving conflicts as events (sync order ${order.join(", ")})`, async () => {
      const remote: BareRemote = track(makeBare());
      track(await seedRemote(remote, 4));
      const a = track(await makeClone(remote.url, "alice"));
      const b = track(await makeClone(remote.url, "bob"));
      await divergentWork(a, b);
      const before = new Set([...eventsOnRef(a), ...eventsOnRef(b)].map((e) => e.id));
      const clones = { a, b };
      const first = clones[order[0]];
      const second = clones[order[1]];
      expect((await rwJson<{ action: string }>(first, ["sync"])).action).toBe("pushed");
      const merged = await rwJson<{ action: string; conflicts: Array<{ kind: string; task: string }> }>(second, ["sync"]);
      expect(merged.action).toBe("merged");
      expect(merged.conflicts.map((c) => `${c.kind} ${c.task}`).sort()).toEqual(["cancel_kept t-3", "claim_lost t-1", expect.stringMatching(/^renamed t-[0-9a-z]{4}$/)]);
      expect((await rwJson<{ action: string; incoming: unknown[] }>(first, ["sync"])).action).toBe("fast_forward");

      // Identical trees and logs on both machines, and on the remote.
      expect(a.git(["rev-parse", "rewind^{tree}"])).toBe(b.git(["rev-parse", "rewind^{tree}"]));
      expect(remote.git(["rev-parse", "rewind"])).toBe(a.git(["rev-parse", "rewind"]));
      const log = eventsOnRef(a);
      expect(log).toEqual(eventsOnRef(b));
      // Nothing lost: every event either machine wrote is in the merged log, exactly once.
      for (const id of before) expect(log.filter((e) => e.id === id)).toHaveLength(1);

      const renamed = log.find((e) => e.type === "task.renamed")!;
      for (const clone of [a, b]) {
        const doctor = await rwJson<{ ok: boolean; index: string }>(clone, ["doctor"]);
        expect(doctor).toMatchObject({ ok: true, index: "ok" });
        const { tasks } = await rwJson<{ tasks: Array<{ id: string; status: string; title: string; priority: number; assignee?: string; deps: string[] }> }>(clone, ["list", "--all"]);
        const byId = new Map(tasks.map((t) => [t.id, t]));
        // Alice claimed t-1 first: she keeps it; Bob's completion was set aside, not deleted.
        expect(byId.get("t-1")).toMatchObject({ status: "in_progress", assignee: "alice" });
        expect(byId.get("t-3")).toMatchObject({ status: "cancelled", title: "Task 3, sharpened", priority: 0 });
        expect(byId.get("t-9")!.title).toBe("Alice's new task");
        expect(byId.get(renamed.task!)!.title).toBe("Bob's new task");
        expect(byId.get("t-10")!.deps).toEqual([renamed.task]);
        expect(byId.get("t-4")!.status).toBe("done");
      }
      const lost = log.find((e) => e.type === "task.claim_lost")!;
      expect(lost).toMatchObject({ task: "t-1", actor: "rw-sync", data: { loser: "bob", winner: "alice" } });

      // History is linear again: new work on either side syncs as a plain fast-forward.
      await b.rwOk(["note", "t-2", "after the merge"]);
      expect((await rwJson<{ action: string }>(b, ["sync"])).action).toBe("pushed");
      expect((await rwJson<{ action: string; incoming: unknown[] }>(a, ["sync"])).incoming).toHaveLength(1);
    }, 240_000);
  }

  it("works over git:// (git daemon), and a fresh clone's rw init picks up the remote's state", async () => {
    const remote = track(makeBare());
    const seed = track(await seedRemote(remote, 2));
    const daemon = await serveGitDaemon(remote);
    onTestFinished(daemon.stop);
    const clone = track(await makeClone(daemon.url, "carol"));
    expect(await clone.rwOk(["list"])).toContain("t-1");
    expect(clone.git(["rev-parse", "rewind"])).toBe(seed.git(["rev-parse", "rewind"]));
    await clone.rwOk(["create", "From carol", "--id", "t-3"]);
    await seed.rwOk(["create", "From the seed", "--id", "t-4"]);
    setSyncConfig(seed, [`remote = "${daemon.url}"`]);
    expect((await rwJson<{ action: string }>(clone, ["sync"])).action).toBe("pushed");
    const report = await rwJson<{ action: string; incoming: Array<{ task: string }> }>(seed, ["sync"]);
    expect(report.action).toBe("merged");
    expect(report.incoming.map((e) => e.task)).toEqual(["t-3"]);
    await clone.rwOk(["sync"]);
    expect(clone.git(["rev-parse", "rewind"])).toBe(seed.git(["rev-parse", "rewind"]));
    await clone.rwOk(["doctor"]);
  }, 120_000);

  it("says what to do when the remote cannot be reached, and changes nothing", async () => {
    const remote = track(makeBare());
    const seed = track(await seedRemote(remote, 1));
    const tip = seed.git(["rev-parse", "rewind"]);
    const r = await seed.rw(["sync", "file:///nonexistent/remote.git"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/could not fetch refs\/heads\/rewind from file:\/\/\/nonexistent/);
    expect(seed.git(["rev-parse", "rewind"])).toBe(tip);
  }, 30_000);
});
