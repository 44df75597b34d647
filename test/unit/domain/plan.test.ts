import { describe, expect, it } from "vitest";
import type { DecideContext } from "../../../src/domain/decide.ts";
import { applyCopy, fold } from "../../../src/domain/fold.ts";
import { decidePlan, planProblems, type PlanDraft } from "../../../src/domain/plan.ts";
import { readyTasks } from "../../../src/domain/ready.ts";

let n = 0;
const ctx = (): DecideContext => ({
  actor: "planner", now: "2026-11-21T10:00:00.000Z", nextEventId: () => `E${String(n++).padStart(6, "0")}`,
  randomBytes: (k) => new Uint8Array(k).map(() => (n++ * 37) % 256), config: { prefix: "t", leaseMs: 60_000, maxRetries: 3 },
});

const draft = (): PlanDraft => ({
  initiative: { title: "Greetings", body: "Say hello in more languages.\n" },
  phases: [{ title: "Core" }, { title: "Polish" }],
  tasks: [
    { key: "docs", title: "Document greet", body: "## Acceptance criteria\n- [ ] README lists languages", phase: 2, deps: ["fr"] },
    { key: "fr", title: "French greeting", body: "## Acceptance criteria\n- [ ] greet('fr') says bonjour", phase: 1, priority: 1, gates: ["node test.js"] },
  ],
});

describe("rw plan: validation", () => {
  const broken: Array<[string, (p: PlanDraft) => void, RegExp]> = [
    ["an unknown dependency", (p) => (p.tasks[0]!.deps = ["nope"]), /depends on "nope", which is not in the plan/],
    ["a cycle", (p) => (p.tasks[1]!.deps = ["docs"]), /dependency cycle: (docs -> fr -> docs|fr -> docs -> fr)/],
    ["a missing phase", (p) => (p.tasks[1]!.phase = 3), /phase 3 does not exist/],
    ["a dependency in a later phase", (p) => { p.tasks[1]!.deps = ["docs"]; p.tasks[0]!.deps = []; }, /depends on docs, which is in a later phase/],
    ["duplicate keys", (p) => (p.tasks[1]!.key = "docs"), /two tasks have the key "docs"/],
    ["no tasks", (p) => (p.tasks = []), /no tasks/],
  ];
  it.each(broken)("refuses %s", (_name, breakIt, message) => {
    const p = draft();
    breakIt(p);
    expect(planProblems(p).join("\n")).toMatch(message);
    expect(() => decidePlan(p, { approve: false })(fold([]), ctx())).toThrow(/the plan is not valid/);
  });
  it("accepts a good plan", () => expect(planProblems(draft())).toEqual([]));
});

describe("rw plan: writing", () => {
  it("writes a draft initiative with its tasks, dependencies mapped to the new IDs; nothing is ready until approved", () => {
    const d = decidePlan(draft(), { approve: false })(fold([]), ctx());
    const state = applyCopy(fold([]), d.events);
    const { initiative, tasks } = d.result;
    expect(d.result.status).toBe("draft");
    expect(state.initiatives[initiative]).toMatchObject({ title: "Greetings", status: "draft" });
    const fr = tasks.find((t) => t.key === "fr")!;
    const docs = tasks.find((t) => t.key === "docs")!;
    expect(state.tasks[docs.id]).toMatchObject({ deps: [fr.id], initiative, phase: 2 });
    expect(state.tasks[fr.id]).toMatchObject({ priority: 1, gates: ["node test.js"] });
    expect(readyTasks(state, "2026-11-21T11:00:00.000Z")).toHaveLength(0);
  });
  it("with approve, submits and approves every phase, so the first tasks are ready", () => {
    const d = decidePlan(draft(), { approve: true })(fold([]), ctx());
    const state = applyCopy(fold([]), d.events);
    expect(d.result.status).toBe("approved");
    const ready = readyTasks(state, "2026-11-21T11:00:00.000Z").map((r) => r.task.title);
    expect(ready).toEqual(["French greeting"]);
  });
});
