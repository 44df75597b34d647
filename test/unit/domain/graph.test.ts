import { describe, expect, it } from "vitest";
import { findCycle, unblockCounts } from "../../../src/domain/graph.ts";
import { emptyState, type State, type Status, type Task } from "../../../src/domain/types.ts";
import { T0 } from "../../helpers/domain.ts";

/** A state from an adjacency list: "a: b c" means a depends on b and c. */
function graph(spec: Record<string, string[]>, statuses: Record<string, Status> = {}): State {
  const s = emptyState();
  for (const [id, deps] of Object.entries(spec)) {
    const t: Task = { id, title: id, status: statuses[id] ?? "open", priority: 2, type: "task", labels: [], deps, gates: [], created_at: T0, updated_at: T0, body: "", retry_count: 0, notes: [] };
    s.tasks[id] = t;
  }
  return s;
}

describe("findCycle (would adding from -> to close a cycle?)", () => {
  const g = graph({ a: [], b: ["a"], c: ["b"], d: ["a"], e: ["b", "d"], lone: [] });
  const cases: Array<[string, string, string, string[] | undefined]> = [
    ["a task on itself", "a", "a", ["a", "a"]],
    ["a direct back edge", "a", "b", ["a", "b", "a"]],
    ["a transitive back edge", "a", "c", ["a", "c", "b", "a"]],
    ["through a diamond", "a", "e", ["a", "e", "d", "a"]],
    ["a forward edge", "c", "a", undefined],
    ["across a diamond, no cycle", "d", "b", undefined],
    ["an unrelated task", "lone", "e", undefined],
    ["an unknown target", "a", "ghost", undefined],
  ];
  it.each(cases)("%s", (_name, from, to, cycle) => {
    const found = findCycle(g.tasks, from, to);
    if (cycle === undefined) expect(found).toBeUndefined();
    else {
      // The path starts and ends at `from`, and each step is a real dependency edge.
      expect(found![0]).toBe(from);
      expect(found![found!.length - 1]).toBe(from);
      expect(found!.length).toBe(cycle.length);
      if (from !== to) for (let i = 1; i < found!.length - 1; i++) expect(g.tasks[found![i]!]!.deps).toContain(found![i + 1]);
    }
  });
});

describe("unblockCounts", () => {
  it("counts every unfinished task that waits on each, directly or transitively, once", () => {
    const g = graph({ a: [], b: ["a"], c: ["b"], d: ["a"], e: ["b", "d"], lone: [] });
    expect(Object.fromEntries(unblockCounts(g, ["a", "b", "c", "d", "lone", "ghost"]))).toEqual({ a: 4, b: 2, c: 0, d: 1, lone: 0, ghost: 0 });
  });

  it("ignores done and cancelled tasks on both ends", () => {
    const g = graph({ a: [], b: ["a"], c: ["b"], x: ["a"] }, { b: "done", x: "cancelled" });
    // b is done, so nothing is reached through it; x is cancelled.
    expect(Object.fromEntries(unblockCounts(g, ["a", "b"]))).toEqual({ a: 0, b: 0 });
  });
});
