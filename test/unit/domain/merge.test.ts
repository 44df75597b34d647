import { describe, expect, it } from "vitest";
import { fold } from "../../../src/domain/fold.ts";
import { mergeLogs } from "../../../src/domain/merge.ts";
import { emptyState, type RwEvent } from "../../../src/domain/types.ts";

let seq = 0;
/** An event at minute `min` (so tests read as a timeline); ids sort like ULIDs by time. */
function ev(min: number, actor: string, type: string, task: string, data: Record<string, unknown> = {}): RwEvent {
  const ts = new Date(Date.UTC(2026, 10, 21, 10, min)).toISOString();
  seq++;
  return { v: 1, id: `01TEST${String(min).padStart(4, "0")}${String(seq).padStart(6, "0")}`, ts, actor, type, task, data };
}

const lease = (min: number): string => new Date(Date.UTC(2026, 10, 21, 10, min + 30)).toISOString();

describe("mergeLogs", () => {
  const base = [ev(0, "h", "task.created", "t-1", { title: "one" }), ev(1, "h", "task.created", "t-2", { title: "two" })];

  it("keeps every event once, in (ts, id) order, and needs no resolution when nothing conflicts", () => {
    const a = [...base, ev(2, "alice", "task.claimed", "t-1", { lease_until: lease(2) })];
    const b = [...base, ev(3, "bob", "task.claimed", "t-2", { lease_until: lease(3) })];
    const m = mergeLogs({ base, ours: a, theirs: b });
    expect(m.events.map((e) => e.id)).toEqual([...base, a[2]!, b[2]!].map((e) => e.id));
    expect(m.resolutions).toEqual([]);
    expect(m.incoming.map((e) => e.id)).toEqual([b[2]!.id]);
    expect(m.outgoing.map((e) => e.id)).toEqual([a[2]!.id]);
    expect(m.state.tasks["t-1"]!.assignee).toBe("alice");
    expect(m.state.tasks["t-2"]!.assignee).toBe("bob");
  });

  it("gives a task claimed on both machines to the earlier claim and records task.claim_lost", () => {
    const a = [...base, ev(5, "alice", "task.claimed", "t-1", { lease_until: lease(5) })];
    const b = [...base, ev(3, "bob", "task.claimed", "t-1", { lease_until: lease(3) }), ev(7, "bob", "task.completed", "t-1")];
    for (const [ours, theirs] of [[a, b], [b, a]] as const) {
      const m = mergeLogs({ base, ours, theirs });
      const task = fold(m.events, emptyState()).tasks["t-1"]!;
      expect(task).toMatchObject({ status: "done", assignee: "bob" });
      expect(m.resolutions.map((e) => [e.type, e.task, e.data.loser, e.data.winner])).toEqual([["task.claim_lost", "t-1", "alice", "bob"]]);
    }
  });

  it("voids the loser's later work on the task, and the result is the same in both directions", () => {
    const a = [...base, ev(2, "alice", "task.claimed", "t-1", { lease_until: lease(2) })];
    const b = [...base, ev(3, "bob", "task.claimed", "t-1", { lease_until: lease(3) }), ev(4, "bob", "task.completed", "t-1"), ev(4, "bob", "task.noted", "t-1", { text: "hi" })];
    const ab = mergeLogs({ base, ours: a, theirs: b });
    const ba = mergeLogs({ base, ours: b, theirs: a });
    expect(ab.events).toEqual(ba.events);
    const task = ab.state.tasks["t-1"]!;
    expect(task).toMatchObject({ status: "in_progress", assignee: "alice" });
    expect(task.notes.map((n) => n.text)).toEqual(["hi"]); // not claimant-only: kept
    expect(ab.resolutions[0]!.data.voided).toEqual([b[2]!.id, b[3]!.id]);
  });

  it("lets a claim through when the other machine's lease had run out by then", () => {
    const a = [...base, ev(2, "alice", "task.claimed", "t-1", { lease_until: lease(-28) })];
    const b = [...base, ev(5, "bob", "task.claimed", "t-1", { lease_until: lease(5) })];
    const m = mergeLogs({ base, ours: a, theirs: b });
    expect(m.resolutions).toEqual([]);
    expect(m.state.tasks["t-1"]!.assignee).toBe("bob");
  });

  it("keeps a cancellation over concurrent work; the edits stay and an event says so", () => {
    const a = [...base, ev(6, "alice", "task.cancelled", "t-2")];
    const b = [...base, ev(4, "bob", "task.edited", "t-2", { title: "two!", prev: { title: "two" } }), ev(8, "bob", "task.claimed", "t-2", { lease_until: lease(8) })];
    const m = mergeLogs({ base, ours: a, theirs: b });
    expect(m.state.tasks["t-2"]).toMatchObject({ status: "cancelled", title: "two!" });
    expect(m.resolutions.map((e) => e.type)).toEqual(["task.cancel_kept"]);
    expect(m.resolutions[0]!.data).toMatchObject({ edits: [b[2]!.id], voided: [b[3]!.id], cancelled_by: "alice" });
    expect(mergeLogs({ base, ours: b, theirs: a }).events).toEqual(m.events);
  });

  it("renames the later of two tasks created with one ID and rewrites that side's references", () => {
    const a = [...base, ev(2, "alice", "task.created", "t-9", { title: "alice's" })];
    const b = [...base, ev(3, "bob", "task.created", "t-9", { title: "bob's" }), ev(4, "bob", "task.created", "t-10", { title: "after", deps: ["t-9"] }),
      ev(5, "bob", "task.noted", "t-9", { text: "mine" })];
    const m = mergeLogs({ base, ours: b, theirs: a });
    const renamed = m.resolutions.find((e) => e.type === "task.renamed")!;
    const to = renamed.task!;
    expect(to).toMatch(/^t-[0-9a-z]{4}$/);
    expect(m.state.tasks["t-9"]).toMatchObject({ title: "alice's", notes: [] });
    expect(m.state.tasks[to]).toMatchObject({ id: to, title: "bob's", notes: [{ text: "mine" }] });
    expect(m.state.tasks["t-10"]!.deps).toEqual([to]);
    expect(mergeLogs({ base, ours: a, theirs: b }).events).toEqual(m.events);
  });

  it("does not resolve the same conflict twice when a merge is merged again", () => {
    const a = [...base, ev(2, "alice", "task.claimed", "t-1", { lease_until: lease(2) }), ev(2, "alice", "task.created", "t-9", { title: "a" })];
    const b = [...base, ev(3, "bob", "task.claimed", "t-1", { lease_until: lease(3) }), ev(3, "bob", "task.created", "t-9", { title: "b" })];
    const first = mergeLogs({ base, ours: a, theirs: b });
    const later = [...first.events, ev(40, "carol", "task.noted", "t-2", { text: "x" })];
    const again = mergeLogs({ base: a, ours: later, theirs: [...b, ev(41, "bob", "task.noted", "t-2", { text: "y" })] });
    expect(again.resolutions).toEqual([]);
    expect(Object.keys(again.state.tasks).sort()).toEqual(Object.keys(first.state.tasks).sort());
  });
});
