import { describe, expect, it } from "vitest";
import { fold } from "../../../src/domain/fold.ts";
import type { RwEvent } from "../../../src/domain/types.ts";
import { renderViews } from "../../../src/views/index.ts";

/** Deterministic events one minute apart. */
function log() {
  const events: RwEvent[] = [];
  let n = 0;
  const add = (type: string, ids: { task?: string; initiative?: string }, data: Record<string, unknown> = {}, actor = "alice"): void => {
    n++;
    const ts = new Date(Date.UTC(2026, 10, 21, 9, 0) + n * 60_000).toISOString();
    events.push({ v: 1, id: `01JDB${String(n).padStart(21, "0")}`, ts, actor, type, ...ids, data });
  };
  return { events, add };
}

function planEvents(): RwEvent[] {
  const { events, add } = log();
  const auth = { initiative: "in-3m8d" };
  add("initiative.created", auth, { title: "Auth rewrite", phases: [{ n: 1, title: "Token format" }, { n: 2, title: "Login flow" }, { n: 3, title: "Migrate sessions" }] });
  add("initiative.submitted", auth);
  add("initiative.approved", auth, { phase: 1 });
  add("initiative.approved", auth, { phase: 2 });
  add("task.created", { task: "rw-a1" }, { title: "Sign tokens", initiative: "in-3m8d", phase: 1 });
  add("task.created", { task: "rw-a2" }, { title: "Verify tokens", initiative: "in-3m8d", phase: 1 });
  add("task.created", { task: "rw-b1" }, { title: "Login form", initiative: "in-3m8d", phase: 2 });
  add("task.created", { task: "rw-b2" }, { title: "Logout", initiative: "in-3m8d", phase: 2 });
  add("task.created", { task: "rw-c1" }, { title: "Copy sessions", initiative: "in-3m8d", phase: 3 });
  add("session.started", { task: "rw-a1" }, { session: "s-01", role: "worker" }, "agent-1");
  add("task.claimed", { task: "rw-a1" }, { lease_until: "2026-11-21T10:00:00.000Z", session: "s-01" }, "agent-1");
  add("initiative.started", auth, {}, "agent-1");
  add("task.completed", { task: "rw-a1" }, {}, "agent-1");
  add("session.ended", { task: "rw-a1" }, { session: "s-01", outcome: "completed", tokens: { input: 12000, output: 3400 }, cost: 0.4213 }, "agent-1");
  add("task.completed", { task: "rw-a2" }, {}, "agent-2");
  add("phase.completed", auth, { phase: 1 }, "agent-2");
  add("session.started", { task: "rw-b1" }, { session: "s-02" }, "agent-2");
  add("session.ended", { task: "rw-b1" }, { session: "s-02", outcome: "failed", tokens: 800, cost: 0.01 }, "agent-2");
  add("session.started", { task: "rw-b1" }, { session: "s-03" }, "agent-3");
  add("initiative.created", { initiative: "in-9x2a" }, { title: "Search", phases: [{ n: 1, title: "Index" }] });
  add("initiative.submitted", { initiative: "in-9x2a" });
  add("initiative.created", { initiative: "in-draf" }, { title: "Someday" });
  add("decision.recorded", auth, { text: "Use JWT, not sessions", why: "stateless API servers" }, "bob");
  add("decision.recorded", { task: "rw-b1" }, { text: "Logout | clears cookies" });
  add("session.ended", {}, { session: "run-7", completed: 3, failed: 1, tasks: ["rw-a1", "rw-a2", "rw-b1", "rw-b2"], tokens: { input: 1, output: 2 }, cost_usd: 1.5, duration_ms: 4_000_000, outcome: "interrupted" }, "runner");
  return events;
}

describe("STATE.md: position, decisions and sessions", () => {
  it("pins the bytes for a known log", async () => {
    const state = renderViews(fold(planEvents()))["STATE.md"]!;
    await expect(state).toMatchFileSnapshot("__snapshots__/STATE-plan.md");
    expect(state).toContain("- **[in-3m8d](initiatives/in-3m8d.md) Auth rewrite** (in progress) `[####------] 2/5`");
    expect(state).toContain("  - Phase 1: Token format — done `[##########] 2/2`");
    expect(state).toContain("  - Phase 3: Migrate sessions — awaiting approval `[----------] 0/1`");
    expect(state).toContain("Awaiting review: [in-9x2a](initiatives/in-9x2a.md) Search.");
    expect(state).not.toContain("Someday");
    expect(state).toContain("| agent-1 | [rw-a1](tasks/rw-a1.md) | 2026-11-21 09:10 | completed | 15k | $0.42 | 4m 0s |");
    expect(state).toContain("| agent-3 | [rw-b1](tasks/rw-b1.md) | 2026-11-21 09:19 | running |");
    expect(state).toContain("| runner | [rw-a1](tasks/rw-a1.md), [rw-a2](tasks/rw-a2.md), [rw-b1](tasks/rw-b1.md), … | 2026-11-21 09:25 | interrupted (3 done, 1 failed) | 3 | $1.50 | 1h 6m |");
    expect(state).toContain("| bob | Use JWT, not sessions | stateless API servers | in-3m8d |");
  });

  it("shows each phase's standing verdict, and completed initiatives whose branch has not been merged yet", () => {
    const { events, add } = log();
    const api = { initiative: "in-api1" };
    add("initiative.created", api, { title: "API", phases: [{ n: 1, title: "Answer" }, { n: 2, title: "Wire" }, { n: 3, title: "Docs" }] });
    add("initiative.branch_set", api, { branch: "feat/api", base: "main" });
    add("initiative.submitted", api);
    for (const phase of [1, 2, 3]) add("initiative.approved", api, { phase });
    add("initiative.started", api);
    add("phase.verified", api, { phase: 1, verdict: "passed", round: 0, gaps: 0, tasks: [] });
    add("phase.verified", api, { phase: 2, verdict: "gaps", round: 1, gaps: 2, tasks: ["rw-f1", "rw-f2"] });
    add("phase.verified", api, { phase: 3, verdict: "blocked", round: 2, gaps: 1, tasks: ["rw-p1"] });
    const shipped = { initiative: "in-shp1" };
    add("initiative.created", shipped, { title: "Login", phases: [{ n: 1, title: "Form" }] });
    add("initiative.branch_set", shipped, { branch: "feat/login", base: "main" });
    add("initiative.submitted", shipped);
    add("initiative.approved", shipped, { phase: 1 });
    add("initiative.integrated", shipped, { branch: "feat/login", base: "main", ahead: 3 });
    add("initiative.completed", shipped);
    let text = renderViews(fold(events))["STATE.md"]!;
    expect(text).toContain("  - Phase 1: Answer — approved, verified `");
    expect(text).toContain("  - Phase 2: Wire — approved, verification: 2 gaps (remediation round 1) `");
    expect(text).toContain("  - Phase 3: Docs — approved, verification: 1 gap, blocked for a person `");
    expect(text).toContain("Completed, branch not merged yet (`rw run` merges it, or `rw initiative ship ID`): [in-shp1](initiatives/in-shp1.md) Login · branch `feat/login`, 3 commits ahead of main.");
    // A reopened phase's verdict no longer stands; a merged branch is no longer listed.
    add("phase.reopened", api, { phase: 1 });
    add("initiative.merged", shipped, { branch: "feat/login", into: "main", commit: "abc" });
    text = renderViews(fold(events))["STATE.md"]!;
    expect(text).toContain("  - Phase 1: Answer — approved `");
    expect(text).not.toContain("branch not merged yet");
  });

  it("stays under 150 lines with many initiatives, decisions and sessions and 10,000 tasks", () => {
    const { events, add } = log();
    for (let k = 0; k < 20; k++) {
      const initiative = `in-${k.toString(36).padStart(4, "0")}`;
      add("initiative.created", { initiative }, { title: `Initiative ${k}`, phases: Array.from({ length: 12 }, (_, i) => ({ n: i + 1, title: `P${i + 1}` })) });
      add("initiative.submitted", { initiative });
      if (k < 15) add("initiative.approved", { initiative }, { phase: 1 });
    }
    for (let i = 0; i < 10_000; i++) add("task.created", { task: `rw-${i.toString(36).padStart(4, "0")}` }, { title: `Task ${i}`, priority: i % 5, initiative: `in-${(i % 20).toString(36).padStart(4, "0")}`, phase: (i % 12) + 1 });
    for (let i = 0; i < 200; i++) add("decision.recorded", {}, { text: `Decision ${i}` });
    for (let i = 0; i < 200; i++) add("session.ended", { task: "rw-0001" }, { session: `s-${i}`, outcome: "completed" });
    const text = renderViews(fold(events))["STATE.md"]!;
    expect(text.split("\n").length).toBeLessThan(150);
    expect(text).toContain("… and 12 more (`rw initiative list`)");
    expect(text).toContain("  - … and 6 more phases (`rw initiative show in-0000`)");
    expect(text).toContain("… and 195 more (`rw decisions`)");
    expect(text).toContain("Decision 199");
    expect(text).toContain("… and 192 more (`git log rewind`)");
  });
});
