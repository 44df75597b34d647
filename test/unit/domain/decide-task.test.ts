import { beforeEach, describe, expect, it } from "vitest";
import { decideCreate, decideDepAdd, decideDepRemove, decideEdit, decideNote, type CreateInput, type EditInput } from "../../../src/domain/decide-task.ts";
import { decideClaim, decideDone } from "../../../src/domain/decide-lifecycle.ts";
import { decideReviewRequested } from "../../../src/domain/decide-run.ts";
import { decideInitiativeNew } from "../../../src/domain/decide-initiative.ts";
import type { ErrorCode } from "../../../src/domain/errors.ts";
import { T0, World, shape } from "../../helpers/domain.ts";

let w: World;
/** Three tasks: A, B (depends on A), C. */
beforeEach(() => {
  w = new World();
  w.run(decideCreate({ title: "A", id: "rw-aaaa" }));
  w.run(decideCreate({ title: "B", id: "rw-bbbb", deps: ["rw-aaaa"] }));
  w.run(decideCreate({ title: "C", id: "rw-cccc" }));
});

describe("decideCreate", () => {
  it("creates a task with defaults and a generated 4-character hash ID", () => {
    const fresh = new World();
    const d = fresh.run(decideCreate({ title: "  Add login endpoint  " }));
    expect(d.result.id).toMatch(/^rw-[0-9a-z]{4}$/);
    expect(d.summary).toBe(`create ${d.result.id}: Add login endpoint`);
    expect(shape(d.events)).toEqual([{ type: "task.created", task: d.result.id, actor: "alice", data: { title: "Add login endpoint", priority: 2, type: "task" } }]);
    expect(d.events[0]!.ts).toBe(T0);
    expect(fresh.task(d.result.id)).toMatchObject({ status: "open", priority: 2, type: "task", labels: [], deps: [], created_at: T0 });
  });

  it("records every given field, de-duplicates labels and deps, normalises defer_until", () => {
    const d = w.run(decideCreate({
      title: "Full", id: "US-003", priority: 0, type: "feature", labels: ["api", "api", "auth"], deps: ["rw-aaaa", "rw-aaaa", "rw-cccc"],
      parent: "rw-cccc", gates: ["npm test -- auth"], defer_until: "2026-12-01", body: "Body\n",
    }));
    expect(d.result.id).toBe("US-003");
    expect(d.events[0]!.data).toEqual({
      title: "Full", priority: 0, type: "feature", labels: ["api", "auth"], deps: ["rw-aaaa", "rw-cccc"], parent: "rw-cccc",
      gates: ["npm test -- auth"], defer_until: "2026-12-01T00:00:00.000Z", body: "Body\n",
    });
  });

  it("uses the configured prefix and widens the suffix as the backlog grows", () => {
    const big = new World();
    big.config = { ...big.config, prefix: "bd" };
    for (let i = 0; i < 500; i++) big.run(decideCreate({ title: `t${i}`, id: `imp-${i}` }));
    expect(big.run(decideCreate({ title: "next" })).result.id).toMatch(/^bd-[0-9a-z]{5}$/);
  });

  it("never reuses an existing ID when the random bytes collide: it widens instead", () => {
    const fresh = new World();
    fresh.fixedBytes = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const first = fresh.run(decideCreate({ title: "one" })).result.id;
    const second = fresh.run(decideCreate({ title: "two" })).result.id;
    expect(first).toHaveLength(7);
    expect(second).not.toBe(first);
    expect(second).toHaveLength(8);
  });

  const refused: Array<[string, CreateInput, ErrorCode, RegExp]> = [
    ["empty title", { title: "" }, "usage", /title must not be empty/],
    ["blank title", { title: "   " }, "usage", /title must not be empty/],
    ["path-traversal ID", { title: "x", id: "../x" }, "invalid_id", /invalid task ID "\.\.\/x"/],
    ["ID with a slash", { title: "x", id: "a/b" }, "invalid_id", /invalid task ID/],
    ["existing ID", { title: "x", id: "rw-aaaa" }, "conflict", /rw-aaaa already exists/],
    ["depends on itself", { title: "x", id: "rw-self", deps: ["rw-self"] }, "cycle", /cannot depend on itself/],
    ["missing dependency", { title: "x", deps: ["rw-zzzz"] }, "not_found", /task rw-zzzz not found/],
    ["invalid dependency ID", { title: "x", deps: ["../etc"] }, "invalid_id", /invalid dependency ID/],
    ["missing parent", { title: "x", parent: "rw-zzzz" }, "not_found", /rw-zzzz not found/],
    ["invalid parent ID", { title: "x", parent: "a b" }, "invalid_id", /invalid parent ID/],
    ["invalid initiative ID", { title: "x", initiative: "../in" }, "invalid_id", /invalid initiative ID/],
    ["a missing initiative", { title: "x", initiative: "in-zzzz", phase: 1 }, "not_found", /initiative in-zzzz not found/],
    ["priority above 4", { title: "x", priority: 5 }, "invalid_input", /priority must be a whole number from 0/],
    ["negative priority", { title: "x", priority: -1 }, "invalid_input", /priority/],
    ["fractional priority", { title: "x", priority: 1.5 }, "invalid_input", /priority/],
    ["type with spaces", { title: "x", type: "big feature" }, "invalid_input", /invalid type/],
    ["uppercase type", { title: "x", type: "Feature" }, "invalid_input", /invalid type/],
    ["label with a space", { title: "x", labels: ["a b"] }, "invalid_input", /invalid label "a b"/],
    ["label with a colon", { title: "x", labels: ["a:b"] }, "invalid_input", /invalid label/],
    ["defer that is not a date", { title: "x", defer_until: "tomorrow" }, "invalid_input", /defer_until is not a date/],
  ];
  it.each(refused)("refuses %s", (_name, input, code, message) => {
    w.refuse(decideCreate(input), code, message);
  });
});

describe("decideEdit", () => {
  const allowed: Array<[string, EditInput, Record<string, unknown>]> = [
    ["a new title", { patch: { title: "A2" } }, { title: "A2", prev: { title: "A" } }],
    ["priority", { patch: { priority: 0 } }, { priority: 0, prev: { priority: 2 } }],
    ["type", { patch: { type: "bug" } }, { type: "bug", prev: { type: "task" } }],
    ["a label added", { patch: {}, addLabels: ["api"] }, { labels: ["api"], prev: { labels: [] } }],
    ["a body", { patch: { body: "new\n" } }, { body: "new\n", prev: { body: "" } }],
    ["gates", { patch: { gates: ["make"] } }, { gates: ["make"], prev: { gates: [] } }],
    ["a defer date, normalised", { patch: { defer_until: "2026-12-24" } }, { defer_until: "2026-12-24T00:00:00.000Z", prev: { defer_until: null } }],
    ["a parent", { patch: { parent: "rw-cccc" } }, { parent: "rw-cccc", prev: { parent: null } }],
    ["deps", { patch: { deps: ["rw-cccc"] } }, { deps: ["rw-cccc"], prev: { deps: [] } }],
  ];
  it.each(allowed)("records only the changed field and its previous value: %s", (_name, input, data) => {
    const d = w.run(decideEdit("rw-aaaa", input));
    expect(d.result).toEqual({ id: "rw-aaaa", changed: 1 });
    expect(d.summary).toBe("edit rw-aaaa: A");
    expect(shape(d.events)).toEqual([{ type: "task.edited", task: "rw-aaaa", actor: "alice", data }]);
  });

  it("changes nothing when the values are the same", () => {
    const d = w.run(decideEdit("rw-aaaa", { patch: { title: "A", priority: 2 } }));
    expect(d.events).toEqual([]);
    expect(d.result.changed).toBe(0);
  });

  it("clears a field given as empty, and removes labels", () => {
    w.run(decideEdit("rw-aaaa", { patch: { parent: "rw-cccc", labels: ["x", "y"] } }));
    const d = w.run(decideEdit("rw-aaaa", { patch: { parent: "" }, removeLabels: ["x"] }));
    expect(d.events[0]!.data).toEqual({ parent: null, labels: ["y"], prev: { parent: "rw-cccc", labels: ["x", "y"] } });
    expect(w.task("rw-aaaa").parent).toBeUndefined();
    expect(w.task("rw-aaaa").labels).toEqual(["y"]);
  });

  it("clearing the initiative clears the phase with it", () => {
    w.run(decideInitiativeNew({ id: "in-t", title: "Auth", body: "", phases: ["One"] }));
    w.run(decideEdit("rw-aaaa", { patch: { initiative: "in-t", phase: 1 } }));
    const d = w.run(decideEdit("rw-aaaa", { patch: { initiative: "" } }));
    expect(d.events[0]!.data).toEqual({ initiative: null, phase: null, prev: { initiative: "in-t", phase: 1 } });
    expect(w.task("rw-aaaa").phase).toBeUndefined();
  });

  const statuses: Array<[string, () => void, EditInput["status"], string[], string]> = [
    ["open -> blocked", () => undefined, "blocked", ["task.blocked"], "blocked"],
    ["open -> cancelled", () => undefined, "cancelled", ["task.cancelled"], "cancelled"],
    ["open -> done", () => undefined, "done", ["task.completed"], "done"],
    ["open -> in_progress", () => undefined, "in_progress", ["task.claimed"], "in_progress"],
    ["in_progress -> open (release)", () => void w.run(decideClaim("rw-aaaa")), "open", ["task.released"], "open"],
    ["blocked -> open (unblock)", () => void w.run(decideEdit("rw-aaaa", { patch: {}, status: "blocked" })), "open", ["task.unblocked"], "open"],
    ["done -> open (reopen)", () => void w.run(decideDone("rw-aaaa", { force: true })), "open", ["task.reopened"], "open"],
  ];
  it.each(statuses)("a status change becomes a lifecycle event: %s", (_name, setup, status, types, after) => {
    setup();
    const d = w.run(decideEdit("rw-aaaa", { patch: {}, ...(status ? { status } : {}) }));
    expect(d.events.map((e) => e.type)).toEqual(types);
    expect(w.task("rw-aaaa").status).toBe(after);
  });

  it("done from review needs --force (recorded): the work is not merged yet", () => {
    w.run(decideClaim("rw-aaaa"));
    w.run(decideReviewRequested("rw-aaaa", { attempt: 1, commit: "c0ffee", base: "ba5e", gates: [], verdicts: [], ticks: [], diffstat: " a.txt | 1 +" }));
    expect(w.task("rw-aaaa").status).toBe("review");
    w.refuse(decideEdit("rw-aaaa", { patch: {}, status: "done" }), "wrong_state", /waits for review: its work is not merged yet/);
    const forced = w.run(decideEdit("rw-aaaa", { patch: {}, status: "done", force: true }));
    expect(forced.events[0]).toMatchObject({ type: "task.completed", data: { forced: true, skipped_review: true } });
    expect(w.task("rw-aaaa").status).toBe("done");
  });

  it("puts field edits before the status change in one decision", () => {
    const d = w.run(decideEdit("rw-aaaa", { patch: { title: "A!" }, status: "blocked", reason: "waiting for ops" }));
    expect(d.events.map((e) => e.type)).toEqual(["task.edited", "task.blocked"]);
    expect(w.task("rw-aaaa")).toMatchObject({ title: "A!", status: "blocked", blocked_reason: "waiting for ops" });
  });

  const refused: Array<[string, string, EditInput, ErrorCode, RegExp]> = [
    ["an unknown task", "rw-zzzz", { patch: { title: "x" } }, "not_found", /rw-zzzz not found/],
    ["an invalid ID", "../x", { patch: { title: "x" } }, "invalid_id", /invalid task ID/],
    ["an empty title", "rw-aaaa", { patch: { title: " " } }, "usage", /title must not be empty/],
    ["priority 7", "rw-aaaa", { patch: { priority: 7 } }, "invalid_input", /priority/],
    ["a bad type", "rw-aaaa", { patch: { type: "Not A Type" } }, "invalid_input", /invalid type/],
    ["a bad label", "rw-aaaa", { patch: {}, addLabels: ["has space"] }, "invalid_input", /invalid label/],
    ["a bad defer date", "rw-aaaa", { patch: { defer_until: "someday" } }, "invalid_input", /not a date/],
    ["a missing dependency", "rw-aaaa", { patch: { deps: ["rw-zzzz"] } }, "not_found", /rw-zzzz not found/],
    ["a dependency cycle", "rw-aaaa", { patch: { deps: ["rw-bbbb"] } }, "cycle", /cycle: rw-aaaa -> rw-bbbb -> rw-aaaa/],
    ["a missing parent", "rw-aaaa", { patch: { parent: "rw-zzzz" } }, "not_found", /rw-zzzz not found/],
  ];
  it.each(refused)("refuses %s", (_name, id, input, code, message) => {
    w.refuse(decideEdit(id, input), code, message);
  });
});

describe("decideDepAdd / decideDepRemove", () => {
  it("adds a dependency as a field edit with the previous list", () => {
    const d = w.run(decideDepAdd("rw-cccc", "rw-bbbb"));
    expect(d.result).toEqual({ id: "rw-cccc", deps: ["rw-bbbb"] });
    expect(d.summary).toBe("dep add rw-cccc -> rw-bbbb");
    expect(shape(d.events)).toEqual([{ type: "task.edited", task: "rw-cccc", actor: "alice", data: { deps: ["rw-bbbb"], prev: { deps: [] } } }]);
  });

  it("adding a dependency that is already there changes nothing", () => {
    expect(w.run(decideDepAdd("rw-bbbb", "rw-aaaa")).events).toEqual([]);
  });

  it("removes a dependency", () => {
    const d = w.run(decideDepRemove("rw-bbbb", "rw-aaaa"));
    expect(d.summary).toBe("dep rm rw-bbbb -> rw-aaaa");
    expect(d.events[0]!.data).toEqual({ deps: [], prev: { deps: ["rw-aaaa"] } });
    expect(w.task("rw-bbbb").deps).toEqual([]);
  });

  it("names the whole path of a transitive cycle", () => {
    w.run(decideDepAdd("rw-cccc", "rw-bbbb")); // C -> B -> A
    const err = w.refuse(decideDepAdd("rw-aaaa", "rw-cccc"), "cycle", /rw-aaaa -> rw-cccc -> rw-bbbb -> rw-aaaa/);
    expect(err.data.cycle).toEqual(["rw-aaaa", "rw-cccc", "rw-bbbb", "rw-aaaa"]);
    expect(err.hint).toMatch(/rw dep rm/);
  });

  const refused: Array<[string, () => ReturnType<typeof decideDepAdd>, ErrorCode, RegExp]> = [
    ["add: a direct cycle", () => decideDepAdd("rw-aaaa", "rw-bbbb"), "cycle", /cycle/],
    ["add: itself", () => decideDepAdd("rw-aaaa", "rw-aaaa"), "cycle", /itself/],
    ["add: a missing dependency", () => decideDepAdd("rw-aaaa", "rw-zzzz"), "not_found", /rw-zzzz not found/],
    ["add: a missing task", () => decideDepAdd("rw-zzzz", "rw-aaaa"), "not_found", /rw-zzzz not found/],
    ["add: an invalid dependency ID", () => decideDepAdd("rw-aaaa", "../../x"), "invalid_id", /invalid dependency ID/],
    ["rm: not a dependency", () => decideDepRemove("rw-aaaa", "rw-cccc"), "invalid_input", /rw-aaaa does not depend on rw-cccc/],
    ["rm: a missing task", () => decideDepRemove("rw-zzzz", "rw-aaaa"), "not_found", /not found/],
  ];
  it.each(refused)("refuses %s", (_name, make, code, message) => {
    w.refuse(make(), code, message);
  });
});

describe("decideNote", () => {
  it("records the trimmed note", () => {
    const d = w.run(decideNote("rw-aaaa", "  token expiry is 15 minutes \n"), "bob");
    expect(shape(d.events)).toEqual([{ type: "task.noted", task: "rw-aaaa", actor: "bob", data: { text: "token expiry is 15 minutes" } }]);
    expect(d.summary).toBe("note rw-aaaa: A");
    expect(w.task("rw-aaaa").notes).toEqual([{ ts: d.events[0]!.ts, actor: "bob", text: "token expiry is 15 minutes" }]);
  });

  it.each([
    ["an empty note", "rw-aaaa", "  ", "usage"],
    ["an unknown task", "rw-zzzz", "hi", "not_found"],
    ["an invalid ID", "a/b", "hi", "invalid_id"],
  ] as Array<[string, string, string, ErrorCode]>)("refuses %s", (_name, id, text, code) => {
    w.refuse(decideNote(id, text), code);
  });
});
