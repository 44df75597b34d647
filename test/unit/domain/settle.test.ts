import { describe, expect, it } from "vitest";
import { decideCancel, decideClaim, decideDone, decideReopen } from "../../../src/domain/decide-lifecycle.ts";
import { decideInitiativeApprove, decideInitiativeNew, decideInitiativeSubmit } from "../../../src/domain/decide-initiative.ts";
import { decideCreate, decideEdit } from "../../../src/domain/decide-task.ts";
import { fold } from "../../../src/domain/fold.ts";
import { DomainWorld } from "../../helpers/domain.ts";

/** in-t with phases 1 and 2 both approved; rw-a, rw-b in phase 1, rw-c in phase 2. */
function world(): DomainWorld {
  const w = new DomainWorld();
  w.run(decideInitiativeNew({ id: "in-t", title: "Auth rewrite", phases: ["Tokens", "Login"] }));
  w.run(decideInitiativeSubmit("in-t"));
  w.run(decideInitiativeApprove("in-t", 1));
  w.run(decideInitiativeApprove("in-t", 2));
  w.run(decideCreate({ id: "rw-a", title: "a", initiative: "in-t", phase: 1 }));
  w.run(decideCreate({ id: "rw-b", title: "b", initiative: "in-t", phase: 1 }));
  w.run(decideCreate({ id: "rw-c", title: "c", initiative: "in-t", phase: 2 }));
  return w;
}

const phases = (w: DomainWorld): string[] => w.state.initiatives["in-t"]!.phases.map((p) => `${p.n}:${p.status}`);

describe("phases and initiatives complete with their last task, in the same decision", () => {
  it("the first claim starts an approved initiative", () => {
    const w = world();
    expect(w.types(w.run(decideClaim("rw-a")).events)).toEqual(["task.claimed", "initiative.started"]);
    expect(w.state.initiatives["in-t"]!.status).toBe("in_progress");
    expect(w.types(w.run(decideClaim("rw-b")).events)).toEqual(["task.claimed"]);
  });

  it("a phase completes when its last task is done; the initiative when its last phase is", () => {
    const w = world();
    w.run(decideClaim("rw-a"));
    expect(w.types(w.run(decideDone("rw-a")).events)).toEqual(["task.completed"]);
    expect(phases(w)).toEqual(["1:approved", "2:approved"]);
    const last = w.run(decideDone("rw-b", { force: true })).events;
    expect(w.types(last)).toEqual(["task.completed", "phase.completed"]);
    expect(last[1]).toMatchObject({ initiative: "in-t", data: { phase: 1 }, actor: "alice" });
    expect(phases(w)).toEqual(["1:done", "2:approved"]);
    expect(w.types(w.run(decideDone("rw-c", { force: true })).events)).toEqual(["task.completed", "phase.completed", "initiative.completed"]);
    expect(phases(w)).toEqual(["1:done", "2:done"]);
    expect(w.state.initiatives["in-t"]!.status).toBe("completed");
    expect(fold(w.log)).toEqual(w.state);
  });

  it("cancelled tasks count as finished", () => {
    const w = world();
    w.run(decideDone("rw-a", { force: true }));
    expect(w.types(w.run(decideCancel("rw-b")).events)).toEqual(["task.cancelled", "phase.completed"]);
  });

  it("reopening a task of a done phase reopens the phase and the initiative", () => {
    const w = world();
    for (const id of ["rw-a", "rw-b", "rw-c"]) w.run(decideDone(id, { force: true }));
    expect(w.state.initiatives["in-t"]!.status).toBe("completed");
    const events = w.run(decideReopen("rw-b")).events;
    expect(w.types(events)).toEqual(["task.reopened", "phase.reopened", "initiative.reopened"]);
    expect(events[1]!.data).toEqual({ phase: 1, task: "rw-b" });
    expect(phases(w)).toEqual(["1:approved", "2:done"]);
    expect(w.state.initiatives["in-t"]!.status).toBe("in_progress");
    expect(w.types(w.run(decideDone("rw-b", { force: true })).events)).toEqual(["task.completed", "phase.completed", "initiative.completed"]);
  });

  it("a new task in a done phase reopens it", () => {
    const w = world();
    w.run(decideDone("rw-a", { force: true }));
    w.run(decideDone("rw-b", { force: true }));
    expect(w.types(w.run(decideCreate({ id: "rw-d", title: "d", initiative: "in-t", phase: 1 })).events)).toEqual(["task.created", "phase.reopened"]);
  });

  it("moving the last open task out of a phase completes the phase it left", () => {
    const w = world();
    w.run(decideDone("rw-a", { force: true }));
    const events = w.run(decideEdit("rw-b", { patch: { phase: 2 } })).events;
    expect(w.types(events)).toEqual(["task.edited", "phase.completed"]);
    expect(phases(w)).toEqual(["1:done", "2:approved"]);
  });

  it("tasks of phases not yet approved never complete a phase", () => {
    const w = new DomainWorld();
    w.run(decideInitiativeNew({ id: "in-t", title: "t", phases: ["One", "Two"] }));
    w.run(decideInitiativeSubmit("in-t"));
    w.run(decideInitiativeApprove("in-t", 1));
    w.run(decideCreate({ id: "rw-x", title: "x", initiative: "in-t", phase: 2 }));
    expect(w.types(w.run(decideDone("rw-x", { force: true })).events)).toEqual(["task.completed", "initiative.started"]);
    expect(phases(w)).toEqual(["1:approved", "2:planned"]);
    // Approving a phase whose tasks are all finished completes it at once.
    expect(w.types(w.run(decideInitiativeApprove("in-t", 2)).events)).toEqual(["initiative.approved", "phase.completed"]);
  });

  it("tasks without an initiative cause no follow-ups", () => {
    const w = new DomainWorld();
    w.run(decideCreate({ id: "rw-z", title: "z" }));
    expect(w.types(w.run(decideDone("rw-z", { force: true })).events)).toEqual(["task.completed"]);
  });
});

describe("moving tasks between initiatives and phases", () => {
  it("clears and sets links with the same checks as create", () => {
    const w = world();
    expect(() => w.run(decideEdit("rw-c", { patch: { phase: 9 } }))).toThrow("in-t has no phase 9");
    w.run(decideEdit("rw-c", { patch: { phase: "" as unknown as number } }));
    expect(w.state.tasks["rw-c"]!.phase).toBeUndefined();
    w.run(decideEdit("rw-c", { patch: { initiative: "" } }));
    expect(w.state.tasks["rw-c"]!.initiative).toBeUndefined();
    expect(() => w.run(decideEdit("rw-c", { patch: { initiative: "in-nope" } }))).toThrow("initiative in-nope not found");
  });
});
