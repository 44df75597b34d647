import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makeRepo, type TempRepo } from "../helpers/repo.ts";
import { rwJson } from "../helpers/rw.ts";

// Issue 16: `rw status` (one screen, like rewind-cn's) and `rw stats`, through the built rw.
let repo: TempRepo | undefined;
afterEach(() => {
  repo?.cleanup();
  repo = undefined;
});

interface StatusJson {
  tasks: number; by_status: Record<string, number>; ready: number; waiting: number;
  next: Array<{ id: string }>; initiatives: Array<{ id: string; done: number; total: number; phases: Array<{ status: string }> }>;
  running: Array<{ id: string; assignee: string; expired: boolean }>; blocked: Array<{ id: string; reason: string }>;
  daemon: unknown; problems: { count: number };
}

describe("rw status and rw stats", { timeout: 240_000 }, () => {
  it("rw status: counts by status, initiative progress, claims and leases, blocked, problems", async () => {
    repo = makeRepo();
    const r = repo;
    await r.rwOk(["init"]);
    const ini = await r.rwOk(["initiative", "new", "Auth rewrite", "--phase", "Tokens", "--phase", "Login"]);
    await r.rwOk(["initiative", "submit", ini]);
    await r.rwOk(["initiative", "approve", ini, "--phase", "1"]);
    const t1 = await r.rwOk(["create", "Sign tokens", "--initiative", ini, "--phase", "1", "-p", "1"]);
    const t2 = await r.rwOk(["create", "Verify tokens", "--initiative", ini, "--phase", "1"]);
    await r.rwOk(["create", "Login form", "--initiative", ini, "--phase", "2"]);
    const stuck = await r.rwOk(["create", "Order stickers"]);
    await r.rwOk(["block", stuck, "--reason", "waiting for the budget"]);
    await r.rwOk(["claim", t1], { actor: "agent-1" });
    await r.rwOk(["done", t1], { actor: "agent-1" });
    await r.rwOk(["claim", t2, "--lease", "1s"], { actor: "agent-2" });

    const s = await rwJson<StatusJson>(r, ["status"]);
    expect(s).toMatchObject({ tasks: 4, by_status: { open: 1, in_progress: 1, blocked: 1, done: 1, cancelled: 0 }, daemon: null, problems: { count: 0 } });
    expect(s.initiatives).toMatchObject([{ id: ini, done: 1, total: 3, phases: [{ status: "approved" }, { status: "planned" }] }]);
    expect(s.running).toMatchObject([{ id: t2, assignee: "agent-2" }]);
    expect(s.blocked).toEqual([{ id: stuck, title: "Order stickers", reason: "waiting for the budget" }]);
    // The login form waits on its unapproved phase.
    expect(s.waiting).toBe(1);

    const text = await r.rwOk(["status"]);
    expect(text).toContain("backlog: 4 tasks (1 open, 1 in progress, 0 review, 1 blocked, 1 done, 0 cancelled)");
    expect(text).toMatch(new RegExp(`${ini}\\s+Auth rewrite\\s+in_progress\\s+\\[###-------\\] 1/3\\s+phases 1/2 approved`));
    expect(text).toMatch(new RegExp(`${t2}\\s+Verify tokens\\s+@agent-2`));
    expect(text).toContain("waiting for the budget");
    expect(text).toContain("problems: none");
    expect(text).not.toContain("waiting for review");

    // Once the 1 s lease has run out, status says anyone may take it over.
    for (let i = 0; i < 50; i++) {
      const later = await rwJson<StatusJson>(r, ["status"]);
      if (later.running[0]?.expired) break;
      await new Promise((done) => setTimeout(done, 200));
    }
    expect(await r.rwOk(["status"])).toContain("anyone may take it over");

    // A task a person has to review (rw run --review leaves finished work there) is listed.
    const reviewed = await r.rwOk(["create", "Review me"]);
    await r.rwOk(["claim", reviewed], { actor: "agent-3" });
    await r.rwOk(["edit", reviewed, "--status", "review"], { actor: "agent-3" });
    expect((await rwJson<StatusJson & { review: Array<{ id: string }> }>(r, ["status"])).review).toEqual([{ id: reviewed, title: "Review me", assignee: "agent-3" }]);
    expect(await r.rwOk(["status"])).toMatch(new RegExp(`waiting for review \\(1\\):\\n  ${reviewed}  Review me\\s+@agent-3`));

    mkdirSync(join(r.dir, ".rewind/tasks"));
    await r.rwOk(["list"]);
    writeFileSync(join(r.dir, ".rewind/tasks/broken.md"), "---\ntitle: [unclosed\n---\n");
    expect(await r.rwOk(["status"])).toContain("problems: 1 in .rewind/PROBLEMS.md");
    expect((await rwJson<StatusJson>(r, ["status"])).problems).toEqual({ count: 1, file: ".rewind/PROBLEMS.md" });
  });

  it("rw stats: counts, ages and throughput; help points to rw analytics for the rest", async () => {
    repo = makeRepo();
    const r = repo;
    await r.rwOk(["init"]);
    const a = await r.rwOk(["create", "A bug", "--type", "bug", "-p", "0"]);
    await r.rwOk(["create", "A feature", "--type", "feature"]);
    const c = await r.rwOk(["create", "Another bug", "--type", "bug"]);
    await r.rwOk(["claim", a], { actor: "agent-1" });
    await r.rwOk(["done", a], { actor: "agent-1" });
    await r.rwOk(["cancel", c]);
    const s = await rwJson<{
      tasks: number; by_status: Record<string, number>; by_type: Record<string, number>; open_by_priority: Record<string, number>;
      open_age: { count: number }; oldest_open: { title: string }; throughput: Array<{ days: number; created: number; done: number; cancelled: number }>;
    }>(r, ["stats"]);
    expect(s).toMatchObject({ tasks: 3, by_status: { open: 1, done: 1, cancelled: 1 }, by_type: { bug: 2, feature: 1 }, open_by_priority: { 0: 0, 2: 1 } });
    expect(s.open_age.count).toBe(1);
    expect(s.oldest_open.title).toBe("A feature");
    expect(s.throughput).toEqual([
      { days: 1, created: 3, done: 1, cancelled: 1 }, { days: 7, created: 3, done: 1, cancelled: 1 }, { days: 30, created: 3, done: 1, cancelled: 1 },
    ]);
    const text = await r.rwOk(["stats"]);
    expect(text).toContain("by type:      bug 2  feature 1");
    expect(text).toMatch(/last 7d\s+3\s+1\s+1/);
    expect(await r.rwOk(["stats", "--help"])).toContain("rw analytics");
  });
});
