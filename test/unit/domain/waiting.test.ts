import { describe, expect, it } from "vitest";
import { depTree, waitingTasks, type DepNode } from "../../../src/domain/waiting.ts";
import { emptyState, type State, type Status, type Task } from "../../../src/domain/types.ts";
import { T0 } from "../../helpers/domain.ts";

/** A state from an adjacency list ("a: b c" means a depends on b and c), cycles allowed: a merge of two logs can make one. */
function graph(spec: Record<string, string[]>, statuses: Record<string, Status> = {}): State {
  const s = emptyState();
  for (const [id, deps] of Object.entries(spec)) {
    const t: Task = { id, title: id.toUpperCase(), status: statuses[id] ?? "open", priority: 2, type: "task", labels: [], deps, gates: [], created_at: T0, updated_at: T0, body: "", retry_count: 0, notes: [] };
    s.tasks[id] = t;
  }
  return s;
}

/** A tree as nested [id, marks..., children] for readable expectations. */
const shape = (n: DepNode): unknown[] => [n.id, ...(n.cycle ? ["cycle"] : []), ...(n.seen ? ["seen"] : []), ...(n.truncated ? ["…"] : []), ...n.children.map(shape)];

describe("depTree", () => {
  it("walks dependencies down and dependents up", () => {
    const s = graph({ a: [], b: ["a"], c: ["b"], d: ["a", "b"] });
    expect(shape(depTree(s, "c", "deps"))).toEqual(["c", ["b", ["a"]]]);
    expect(shape(depTree(s, "a", "dependents"))).toEqual(["a", ["b", ["c"], ["d"]], ["d", "seen"]]);
  });

  it("marks a loop back to an ancestor instead of following it", () => {
    const s = graph({ a: ["c"], b: ["a"], c: ["b"] });
    expect(shape(depTree(s, "a", "deps"))).toEqual(["a", ["c", ["b", ["a", "cycle"]]]]);
    expect(shape(depTree(s, "a", "dependents"))).toEqual(["a", ["b", ["c", ["a", "cycle"]]]]);
    const self = graph({ a: ["a"] });
    expect(shape(depTree(self, "a", "deps"))).toEqual(["a", ["a", "cycle"]]);
  });

  it("shows a dependency on no task as missing, and stops at the depth limit", () => {
    const s = graph({ a: ["ghost", "b"], b: ["c"], c: [] });
    const tree = depTree(s, "a", "deps");
    expect(tree.children.map((n) => [n.id, n.status])).toEqual([["b", "open"], ["ghost", "missing"]]);
    expect(shape(depTree(s, "a", "deps", 1))).toEqual(["a", ["b", "…"], ["ghost"]]);
  });

  it("a cycle of 2,000 tasks does not overflow or loop", () => {
    const spec: Record<string, string[]> = {};
    for (let i = 0; i < 2000; i++) spec[`t${i}`] = [`t${(i + 1) % 2000}`];
    let depth = 0;
    for (let n: DepNode | undefined = depTree(graph(spec), "t0", "deps", 5000); n; n = n.children[0]) depth++;
    expect(depth).toBe(2001);
  });
});

describe("waitingTasks", () => {
  it("lists blocked tasks with their reason and waiting ones with what they wait on", () => {
    const s = graph({ a: [], b: ["a"], c: ["ghost"], d: [] }, { d: "blocked" });
    const rows = waitingTasks(s);
    expect(rows.map((w) => [w.id, w.waits_on.map((b) => `${b.id}:${b.status}`), w.blocked_reason])).toEqual([
      ["b", ["a:open"], undefined],
      ["c", ["ghost:missing"], undefined],
      ["d", [], "no reason given"],
    ]);
  });
});
