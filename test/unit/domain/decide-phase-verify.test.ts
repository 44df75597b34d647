import { describe, expect, it } from "vitest";
import { decideCancel, decideDone } from "../../../src/domain/decide-lifecycle.ts";
import { decideInitiativeApprove, decideInitiativeNew, decideInitiativeSubmit } from "../../../src/domain/decide-initiative.ts";
import { decidePhaseEdit, decidePhaseVerified, needsVerification, type GoalResult } from "../../../src/domain/decide-phase-verify.ts";
import { decideCreate } from "../../../src/domain/decide-task.ts";
import { fold } from "../../../src/domain/fold.ts";
import { World } from "../../helpers/domain.ts";

/** in-t, one approved phase with one task done: the phase is done and waits for its verdict. */
function world(): World {
  const w = new World();
  w.run(decideInitiativeNew({ id: "in-t", title: "API", phases: ["Answer"] }));
  w.run(decideInitiativeSubmit("in-t"));
  w.run(decideInitiativeApprove("in-t", 1));
  w.run(decideCreate({ id: "rw-a", title: "write api.js", initiative: "in-t", phase: 1 }));
  w.run(decideDone("rw-a", { force: true }));
  return w;
}

const met: GoalResult = { kind: "artifact", goal: "api.js exists", met: true, evidence: "api.js" };
const gap = (n: number): GoalResult => ({ kind: "wiring", goal: `entry point ${n} calls the API`, met: false, evidence: `cli${n}.js never requires ./api`, fix: `require it in cli${n}.js` });
const verify = (goals: GoalResult[], max = 2, proposed?: string[]) =>
  decidePhaseVerified({ initiative: "in-t", phase: 1, goals, branch: "feat/api", commit: "abc123", max, trigger: "run", ...(proposed ? { proposed_verify: proposed } : {}) });
const types = (events: Array<{ type: string }>): string[] => events.map((e) => e.type);
const phase = (w: World) => w.state.initiatives["in-t"]!.phases[0]!;
/** Finishes every open remediation task, as `rw run` would. */
const finishOpen = (w: World): void => {
  for (const t of Object.values(w.state.tasks)) if (t.status === "open") w.run(decideDone(t.id, { force: true }));
};

describe("goal-backward phase verdicts (decidePhaseVerified)", () => {
  it("passed: one phase.verified event with every goal's evidence, nothing else; the verdict stands", () => {
    const w = world();
    expect(needsVerification(phase(w), "always")).toBe(true);
    expect(needsVerification(phase(w), "auto")).toBe(false); // no verify commands
    const { events, result } = w.run(verify([met]));
    expect(types(events)).toEqual(["phase.verified"]);
    expect(result).toMatchObject({ verdict: "passed", round: 0, tasks: [] });
    expect(events[0]!.data.goals).toEqual([met]);
    expect(needsVerification(phase(w), "always")).toBe(false);
  });

  it("gaps: one remediation task per gap in the same phase, linked to the verdict; the phase and initiative reopen", () => {
    const w = world();
    expect(w.state.initiatives["in-t"]!.status).toBe("completed");
    const { events, result } = w.run(verify([met, gap(1), gap(2)]));
    expect(types(events)).toEqual(["phase.verified", "task.created", "task.created", "phase.reopened", "initiative.reopened"]);
    expect(result).toMatchObject({ verdict: "gaps", round: 1 });
    expect(result.tasks).toHaveLength(2);
    const fix = w.state.tasks[result.tasks[0]!]!;
    expect(fix).toMatchObject({ initiative: "in-t", phase: 1, labels: ["remediation"], status: "open", title: "Fix wiring: entry point 1 calls the API" });
    expect(fix.body).toContain(`Remediates phase verification \`${result.event}\` (round 1)`);
    expect(fix.body).toContain("**Evidence:** cli1.js never requires ./api");
    expect(fix.body).toContain("**Suggested fix:** require it in cli1.js");
    expect(fix.body).toContain("- [ ] entry point 1 calls the API");
    expect(phase(w)).toMatchObject({ status: "approved", verification: { verdict: "gaps", round: 1, gaps: 2, stale: true } });
    // Once the remediations are done the phase is done again, and its old verdict no longer counts.
    finishOpen(w);
    expect(phase(w).status).toBe("done");
    expect(needsVerification(phase(w), "always")).toBe(true);
  });

  it("more than five gaps: four tasks of one gap each and one holding the rest", () => {
    const w = world();
    const { result } = w.run(verify([1, 2, 3, 4, 5, 6, 7].map(gap)));
    expect(result.tasks.map((id) => w.state.tasks[id]!.title)).toEqual([
      "Fix wiring: entry point 1 calls the API", "Fix wiring: entry point 2 calls the API", "Fix wiring: entry point 3 calls the API",
      "Fix wiring: entry point 4 calls the API", "Fix the remaining 3 gaps of phase 1",
    ]);
  });

  it("the bound: after max rounds of gaps in a row, one blocked task for a person with every finding; a person's fix resets the count", () => {
    const w = world();
    expect(w.run(verify([gap(1)], 2)).result).toMatchObject({ verdict: "gaps", round: 1 });
    finishOpen(w);
    expect(w.run(verify([gap(1)], 2)).result).toMatchObject({ verdict: "gaps", round: 2 });
    finishOpen(w);
    const blocked = w.run(verify([met, gap(1), gap(2)], 2));
    expect(blocked.result).toMatchObject({ verdict: "blocked", round: 2 });
    expect(types(blocked.events)).toEqual(["phase.verified", "task.created", "task.blocked", "phase.reopened", "initiative.reopened"]);
    const person = w.state.tasks[blocked.result.tasks[0]!]!;
    expect(person).toMatchObject({ status: "blocked", labels: ["remediation", "needs-person"], phase: 1 });
    expect(person.body).toContain("still has gaps after 2 remediation rounds");
    expect(person.body).toContain("### Finding 2: wiring");
    expect(person.body).toContain("### Finding 3: wiring");
    // Cancelling it accepts the phase: done again, verified again, and the count starts over.
    w.run(decideCancel(person.id, undefined, { force: true }));
    expect(phase(w).status).toBe("done");
    expect(w.run(verify([gap(1)], 2)).result).toMatchObject({ verdict: "gaps", round: 1 });
  });

  it("max_remediations = 0: the first gap goes straight to a person", () => {
    const w = world();
    expect(w.run(verify([gap(1)], 0)).result).toMatchObject({ verdict: "blocked", round: 0 });
  });

  it("refuses a verdict with no goals, and a phase not approved yet; nothing is written", () => {
    const w = world();
    w.refuse(verify([]), "invalid_input", /checked no goals/);
    w.run(decideInitiativeNew({ id: "in-u", title: "Later", phases: ["One"] }));
    w.refuse(decidePhaseVerified({ initiative: "in-u", phase: 1, goals: [met], branch: "main", commit: "x", max: 2, trigger: "manual" }), "wrong_state", /not approved yet/);
    expect(w.log.filter((e) => e.type === "phase.verified")).toEqual([]);
  });

  it("proposed verify commands are recorded and folded, never added by themselves; --adopt-proposed appends them", () => {
    const w = world();
    w.run(decidePhaseEdit("in-t", 1, { verify: ["npm test"] }));
    w.run(verify([met], 2, ["node cli.js", " "]));
    expect(phase(w).verify).toEqual(["npm test"]);
    expect(phase(w).verification?.proposed_verify).toEqual(["node cli.js"]);
    expect(fold(w.log).initiatives["in-t"]!.phases[0]!.verification?.proposed_verify).toEqual(["node cli.js"]);
    const { events } = w.run(decidePhaseEdit("in-t", 1, { adopt_proposed: true }));
    expect(events[0]!.data).toMatchObject({ verify: ["npm test", "node cli.js"], prev: { verify: ["npm test"] } });
    expect(phase(w).verify).toEqual(["npm test", "node cli.js"]);
    // Adopting twice changes nothing (the list has no duplicates).
    expect(w.run(decidePhaseEdit("in-t", 1, { adopt_proposed: true })).events).toEqual([]);
  });

  it("--adopt-proposed with nothing proposed is refused with the fix", () => {
    const w = world();
    w.run(verify([met]));
    w.refuse(decidePhaseEdit("in-t", 1, { adopt_proposed: true }), "wrong_state", /proposed no verify commands/);
  });
});
