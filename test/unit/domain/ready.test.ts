import { describe, expect, it } from "vitest";
import { decideBlock, decideCancel, decideClaim, decideDone } from "../../../src/domain/decide-lifecycle.ts";
import { decideCreate, type CreateInput } from "../../../src/domain/decide-task.ts";
import { explainReady, hasLiveClaim, notReadyReasons, readyTasks } from "../../../src/domain/ready.ts";
import { MIN, World } from "../../helpers/domain.ts";

/** Builds a world from task specs in order (each created one second after the previous). */
function world(...specs: Array<CreateInput & { id: string }>): World {
  const w = new World();
  for (const s of specs) w.run(decideCreate(s));
  return w;
}
const ids = (w: World): string[] => readyTasks(w.state, w.now).map((r) => r.task.id);

describe("readyTasks ordering", () => {
  it("orders by priority first", () => {
    const w = world({ title: "p3", id: "a", priority: 3 }, { title: "p0", id: "b", priority: 0 }, { title: "p2", id: "c" });
    expect(ids(w)).toEqual(["b", "c", "a"]);
  });

  it("then by how many unfinished tasks each transitively unblocks (more first)", () => {
    // x unblocks y and z (z via y); w unblocks v only; lonely unblocks nothing.
    const w = world(
      { title: "lonely", id: "lonely" }, { title: "w", id: "w" }, { title: "v", id: "v", deps: ["w"] },
      { title: "x", id: "x" }, { title: "y", id: "y", deps: ["x"] }, { title: "z", id: "z", deps: ["y"] },
    );
    const ready = readyTasks(w.state, w.now);
    expect(ready.map((r) => [r.task.id, r.unblocks])).toEqual([["x", 2], ["w", 1], ["lonely", 0]]);
  });

  it("does not count finished dependents as unblocked work", () => {
    const w = world({ title: "x", id: "x" }, { title: "y", id: "y", deps: ["x"] }, { title: "old", id: "old" }, { title: "z", id: "z", deps: ["old"] });
    w.run(decideCancel("y"));
    expect(readyTasks(w.state, w.now).map((r) => [r.task.id, r.unblocks])).toEqual([["old", 1], ["x", 0]]);
  });

  it("then by age (older first), then by ID", () => {
    const w = world({ title: "second", id: "b2" }, { title: "first", id: "a1" });
    expect(ids(w)).toEqual(["b2", "a1"]);
    // Same created_at: the ID breaks the tie, so the order is total.
    const same = new World();
    for (const id of ["m", "k", "z"]) {
      same.run(decideCreate({ title: id, id }));
      same.tick(-1000);
    }
    expect(new Set(Object.values(same.state.tasks).map((t) => t.created_at)).size).toBe(1);
    expect(ids(same)).toEqual(["k", "m", "z"]);
  });
});

describe("readiness", () => {
  const base = (): World => world({ title: "dep", id: "dep" }, { title: "t", id: "t", deps: ["dep"] });

  it("waits while a dependency is unfinished, and says on what", () => {
    const w = base();
    expect(ids(w)).toEqual(["dep"]);
    expect(notReadyReasons(w.state, w.task("t"), w.now)).toEqual(["waits on dep (open)"]);
  });

  it.each([
    ["done", (w: World) => void w.run(decideDone("dep", { force: true }))],
    ["cancelled", (w: World) => void w.run(decideCancel("dep"))],
  ])("is ready once its dependency is %s", (_name, finish) => {
    const w = base();
    finish(w);
    expect(ids(w)).toEqual(["t"]);
  });

  it("a claimed or blocked dependency still blocks", () => {
    const w = base();
    w.run(decideClaim("dep"), "bob");
    expect(notReadyReasons(w.state, w.task("t"), w.now)).toEqual(["waits on dep (in_progress)"]);
    w.run(decideBlock("dep", "ops"), "bob");
    expect(notReadyReasons(w.state, w.task("t"), w.now)).toEqual(["waits on dep (blocked)"]);
  });

  it("names a dependency that does not exist", () => {
    const w = base();
    w.task("t").deps.push("ghost");
    expect(notReadyReasons(w.state, w.task("t"), w.now)).toContain("depends on ghost, which does not exist");
  });

  it("defer_until: waiting until the time has come, ready from then on", () => {
    const w = world({ title: "later", id: "later", defer_until: "2026-11-21T12:00:00.000Z" });
    expect(ids(w)).toEqual([]);
    expect(notReadyReasons(w.state, w.task("later"), w.now)).toEqual(["deferred until 2026-11-21T12:00:00.000Z"]);
    w.clock = Date.parse("2026-11-21T12:00:00.000Z");
    expect(ids(w)).toEqual(["later"]);
  });

  it("a live claim is not ready; an expired one is, marked for takeover", () => {
    const w = world({ title: "t", id: "t" });
    w.run(decideClaim("t", { leaseMs: 10 * MIN }), "bob");
    expect(ids(w)).toEqual([]);
    expect(hasLiveClaim(w.task("t"), w.now)).toBe(true);
    expect(notReadyReasons(w.state, w.task("t"), w.now)).toEqual([`claimed by bob until ${w.task("t").lease_until}`]);
    w.clock = Date.parse(w.task("t").lease_until!);
    expect(hasLiveClaim(w.task("t"), w.now)).toBe(false);
    const ready = readyTasks(w.state, w.now);
    expect(ready.map((r) => r.task.id)).toEqual(["t"]);
    expect(ready[0]!.expired_claim).toEqual({ assignee: "bob", lease_until: w.task("t").lease_until });
  });

  it.each([
    ["blocked", (w: World) => void w.run(decideBlock("t", "legal")), "blocked: legal"],
    ["done", (w: World) => void w.run(decideDone("t", { force: true })), "status is done"],
    ["cancelled", (w: World) => void w.run(decideCancel("t")), "status is cancelled"],
  ])("a %s task is not ready", (_name, setup, reason) => {
    const w = world({ title: "t", id: "t" });
    setup(w);
    expect(ids(w)).toEqual([]);
    expect(notReadyReasons(w.state, w.task("t"), w.now)).toEqual([reason]);
  });
});

describe("explainReady", () => {
  it("lists every unfinished task, ready ones first, with every reason", () => {
    const w = world(
      { title: "dep", id: "b-dep" }, { title: "two reasons", id: "a-two", deps: ["b-dep"], defer_until: "2030-01-01" },
      { title: "done", id: "c-done" }, { title: "ready", id: "d-ready" },
    );
    w.run(decideDone("c-done", { force: true }));
    expect(explainReady(w.state, w.now)).toEqual([
      { id: "b-dep", title: "dep", ready: true, reasons: [] },
      { id: "d-ready", title: "ready", ready: true, reasons: [] },
      { id: "a-two", title: "two reasons", ready: false, reasons: ["waits on b-dep (open)", "deferred until 2030-01-01T00:00:00.000Z"] },
    ]);
  });
});
