import { describe, expect, it } from "vitest";
import { decideDone } from "../../../src/domain/decide-lifecycle.ts";
import { decideInitiativeApprove, decideInitiativeNew, decideInitiativeSubmit } from "../../../src/domain/decide-initiative.ts";
import { decideInitiativeFile, mergeInitiativeEdit, type InitiativeFileInput } from "../../../src/domain/decide-initiative-file.ts";
import { decideCreate } from "../../../src/domain/decide-task.ts";
import { RwError } from "../../../src/domain/errors.ts";
import type { Initiative, Phase } from "../../../src/domain/types.ts";
import { DomainWorld } from "../../helpers/domain.ts";

/** in-t in review with phases 1 and 2 (planned) and one task in each. */
function world(): DomainWorld {
  const w = new DomainWorld();
  w.run(decideInitiativeNew({ id: "in-t", title: "Auth", body: "Concept\n", phases: ["One", "Two"] }));
  w.run(decideInitiativeSubmit("in-t"));
  w.run(decideCreate({ id: "rw-1", title: "a", initiative: "in-t", phase: 1 }));
  w.run(decideCreate({ id: "rw-2", title: "b", initiative: "in-t", phase: 2 }));
  return w;
}

const asFile = (w: DomainWorld, change: (f: InitiativeFileInput) => void): InitiativeFileInput => {
  const i = w.state.initiatives["in-t"]!;
  const f: InitiativeFileInput = { id: i.id, title: i.title, status: i.status, phases: i.phases.map((p): Phase => ({ ...p })), body: i.body };
  change(f);
  return f;
};

const phase = (f: InitiativeFileInput, n: number): Phase => f.phases.find((p) => p.n === n)!;

describe("hand edits of initiative files become events", () => {
  it("an unchanged file changes nothing", () => {
    const w = world();
    expect(w.run(decideInitiativeFile(asFile(w, () => undefined))).events).toEqual([]);
  });

  it("title, body and phase titles are field-level edits with previous values", () => {
    const w = world();
    const { events } = w.run(decideInitiativeFile(asFile(w, (f) => { f.title = "Auth v2"; f.body = "New concept\n"; phase(f, 2).title = "Two!"; })));
    expect(w.types(events)).toEqual(["initiative.edited", "initiative.edited"]);
    expect(events[0]!.data).toEqual({ title: "Auth v2", body: "New concept\n", prev: { title: "Auth", body: "Concept\n" } });
    expect(w.state.initiatives["in-t"]!.phases[1]!.title).toBe("Two!");
  });

  it("approving a phase in the file approves it (and the initiative); a new phase is added", () => {
    const w = world();
    const { events } = w.run(decideInitiativeFile(asFile(w, (f) => { phase(f, 1).status = "approved"; f.status = "approved"; f.phases.push({ n: 3, title: "Three", status: "planned" }); })));
    expect(w.types(events)).toEqual(["phase.added", "initiative.approved"]);
    expect(w.state.initiatives["in-t"]).toMatchObject({ status: "approved", phases: [{ status: "approved" }, { status: "planned" }, { n: 3, title: "Three" }] });
  });

  it("a draft set to approved with a phase approved is submitted first", () => {
    const w = new DomainWorld();
    w.run(decideInitiativeNew({ id: "in-t", title: "Auth", phases: ["One"] }));
    const { events } = w.run(decideInitiativeFile(asFile(w, (f) => { f.status = "approved"; phase(f, 1).status = "approved"; })));
    expect(w.types(events)).toEqual(["initiative.submitted", "initiative.approved"]);
  });

  it("a new file creates a draft", () => {
    const w = new DomainWorld();
    const { events } = w.run(decideInitiativeFile({ id: "in-new", title: "New", status: "draft", phases: [{ n: 1, title: "One", status: "planned" }], body: "Why\n" }));
    expect(w.types(events)).toEqual(["initiative.created"]);
    expect(w.state.initiatives["in-new"]).toMatchObject({ title: "New", body: "Why\n", phases: [{ n: 1, title: "One", status: "planned" }] });
  });

  /** Phases 1 and 2 done with their tasks; phase 3 approved but without tasks, so nothing completes it. */
  function finished(): DomainWorld {
    const w = world();
    w.run(decideInitiativeApprove("in-t", 1));
    w.run(decideInitiativeApprove("in-t", 2));
    w.run(decideInitiativeFile(asFile(w, (f) => { f.phases.push({ n: 3, title: "Three", status: "approved" }); })));
    w.run(decideDone("rw-1", { force: true }));
    w.run(decideDone("rw-2", { force: true }));
    expect(w.state.initiatives["in-t"]).toMatchObject({ status: "in_progress", phases: [{ status: "done" }, { status: "done" }, { status: "approved" }] });
    return w;
  }

  it("marking the last phase done completes it, and the initiative follows", () => {
    const w = finished();
    const { events } = w.run(decideInitiativeFile(asFile(w, (f) => { phase(f, 3).status = "done"; })));
    expect(w.types(events)).toEqual(["phase.completed", "initiative.completed"]);
  });

  it("setting the status to completed completes the remaining phases", () => {
    const w = finished();
    const { events } = w.run(decideInitiativeFile(asFile(w, (f) => { f.status = "completed"; })));
    expect(w.types(events)).toEqual(["phase.completed", "initiative.completed"]);
    expect(events[0]!.data).toEqual({ phase: 3 });
  });
});

describe("invalid hand edits are refused with a message and a hint", () => {
  const refusal = (w: DomainWorld, f: InitiativeFileInput): RwError => {
    try {
      w.run(decideInitiativeFile(f));
    } catch (e) {
      expect(e).toBeInstanceOf(RwError);
      return e as RwError;
    }
    throw new Error("expected a refusal");
  };
  const cases: [string, (w: DomainWorld) => void, (f: InitiativeFileInput) => void, string][] = [
    ["completing with open tasks", (w) => w.run(decideInitiativeApprove("in-t", 1)), (f) => { f.status = "completed"; }, "cannot complete in-t: phase 2 is not approved; 2 tasks are not done: rw-1, rw-2"],
    ["a phase done with open tasks", (w) => w.run(decideInitiativeApprove("in-t", 1)), (f) => { phase(f, 1).status = "done"; }, "in-t: phase 1 cannot be done: 1 task is not done (rw-1)"],
    ["withdrawing an approval", (w) => w.run(decideInitiativeApprove("in-t", 1)), (f) => { phase(f, 1).status = "planned"; }, "in-t: phase 1 is approved; an approval cannot be withdrawn"],
    ["removing a phase", () => undefined, (f) => { f.phases = f.phases.filter((p) => p.n !== 2); }, "in-t: phase 2 (Two) was removed"],
    ["skipping a phase number", () => undefined, (f) => { f.phases.push({ n: 5, title: "Five", status: "planned" }); }, "in-t: new phase 5 should be number 3"],
    ["approved without a phase approval", () => undefined, (f) => { f.status = "approved"; }, "in-t: it becomes approved when a phase is approved"],
    ["back to draft", () => undefined, (f) => { f.status = "draft"; }, "in-t: it cannot go from review back to draft"],
    ["approving a phase of a cancelled initiative", (w) => w.run(decideInitiativeFile(asFile(w, (f) => { f.status = "cancelled"; }))), (f) => { phase(f, 1).status = "approved"; }, "cannot approve a phase of in-t: it is cancelled"],
  ];
  for (const [name, setup, change, message] of cases) {
    it(name, () => {
      const w = world();
      setup(w);
      const before = w.state;
      const err = refusal(w, asFile(w, change));
      expect(err.message).toBe(message);
      expect(err.hint).toBeTruthy();
      expect(w.state).toBe(before);
    });
  }

  it("a new file that is not a draft", () => {
    const w = new DomainWorld();
    expect(refusal(w, { id: "in-n", title: "N", status: "approved", phases: [], body: "" }).message).toBe("in-n: a new initiative starts as a draft, not approved");
  });
});

describe("mergeInitiativeEdit: a hand edit onto the initiative as it is now", () => {
  const now = (): Initiative => ({
    id: "in-t", title: "Auth", status: "approved", body: "Concept\n", created_at: "t0", updated_at: "t2",
    phases: [{ n: 1, title: "One", status: "approved" }, { n: 2, title: "Two", status: "planned" }, { n: 3, title: "Three (added by rw)", status: "planned" }],
  });
  /** The copy the human's editor holds: from before phase 1 was approved and phase 3 added. */
  const base = (): InitiativeFileInput => ({ id: "in-t", title: "Auth", status: "review", body: "Concept\n", phases: [{ n: 1, title: "One", status: "planned" }, { n: 2, title: "Two", status: "planned" }] });

  const cases: Array<[string, (f: InitiativeFileInput) => void, (want: Initiative) => void]> = [
    ["an unchanged stale copy keeps everything rw did", () => undefined, () => undefined],
    ["a renamed phase is the only change", (f) => { f.phases[1]!.title = "Login"; }, (w) => { w.phases[1]!.title = "Login"; }],
    ["a new title and body win", (f) => { f.title = "Auth v2"; f.body = "New\n"; }, (w) => { w.title = "Auth v2"; w.body = "New\n"; }],
    ["approving phase 2 by hand", (f) => { f.phases[1]!.status = "approved"; }, (w) => { w.phases[1]!.status = "approved"; }],
    ["cancelling wins over the status rw set", (f) => { f.status = "cancelled"; }, (w) => { w.status = "cancelled"; }],
    ["a phase the human adds as 3 becomes 4: rw took 3 meanwhile", (f) => { f.phases.push({ n: 3, title: "Mine", status: "planned" }); },
      (w) => { w.phases.push({ n: 4, title: "Mine", status: "planned" }); }],
  ];
  it.each(cases)("%s", (_name, edit, expect_) => {
    const mine = base();
    edit(mine);
    const want = now();
    expect_(want);
    expect(mergeInitiativeEdit(mine, base(), now())).toEqual({ id: want.id, title: want.title, status: want.status, body: want.body, phases: want.phases });
  });

  it("a phase the human removed stays removed, so decideInitiativeFile refuses it", () => {
    const mine = base();
    mine.phases.pop();
    expect(mergeInitiativeEdit(mine, base(), now()).phases.map((p) => p.n)).toEqual([1, 3]);
  });
});
