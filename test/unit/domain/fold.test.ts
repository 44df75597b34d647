import { describe, expect, it } from "vitest";
import { apply, fold } from "../../../src/domain/fold.ts";
import { emptyState, type RwEvent, type Task } from "../../../src/domain/types.ts";
import { T0, at } from "../../helpers/domain.ts";

let n = 0;
const ev = (type: string, data: Record<string, unknown> = {}, opts: { task?: string; actor?: string; ts?: string } = {}): RwEvent => ({
  v: 1, id: `01FOLD${String(++n).padStart(20, "0")}`, ts: opts.ts ?? at(n * 1000), actor: opts.actor ?? "alice", type,
  task: opts.task ?? "rw-aaaa", data,
});

const created = (extra: Record<string, unknown> = {}): RwEvent => ev("task.created", { title: "A", priority: 1, type: "feature", ...extra }, { ts: T0 });
const taskAfter = (...events: RwEvent[]): Task => fold([created(), ...events]).tasks["rw-aaaa"]!;

describe("fold", () => {
  it("task.created fills defaults for absent fields", () => {
    const s = fold([ev("task.created", { title: "Bare" }, { ts: T0 })]);
    expect(s.tasks["rw-aaaa"]).toEqual({
      id: "rw-aaaa", title: "Bare", status: "open", priority: 2, type: "task", labels: [], deps: [], gates: [],
      created_at: T0, updated_at: T0, body: "", retry_count: 0, notes: [],
    });
    expect(s.event_count).toBe(1);
    expect(s.last_ts).toBe(T0);
  });

  it("task.created keeps every optional field", () => {
    const t = fold([created({ labels: ["api"], deps: ["rw-b"], gates: ["g"], parent: "rw-p", initiative: "in-1", phase: 2, defer_until: at(9e6), body: "B\n" })]).tasks["rw-aaaa"]!;
    expect(t).toMatchObject({ labels: ["api"], deps: ["rw-b"], gates: ["g"], parent: "rw-p", initiative: "in-1", phase: 2, defer_until: at(9e6), body: "B\n" });
  });

  const cases: Array<[string, RwEvent[], Partial<Task>, string[]]> = [
    ["task.edited sets fields and ignores prev", [ev("task.edited", { title: "A2", labels: ["x"], prev: { title: "A", labels: [] } })], { title: "A2", labels: ["x"] }, []],
    ["task.edited with null clears a field", [ev("task.edited", { parent: "rw-p" }), ev("task.edited", { parent: null, prev: { parent: "rw-p" } })], {}, ["parent"]],
    ["task.claimed: in progress, the actor is the assignee", [ev("task.claimed", { lease_until: at(9e6) }, { actor: "bob" })], { status: "in_progress", assignee: "bob", lease_until: at(9e6) }, []],
    ["task.heartbeat moves the lease", [ev("task.claimed", { lease_until: at(1e6) }), ev("task.heartbeat", { lease_until: at(2e6) })], { lease_until: at(2e6) }, []],
    ["task.released: open, no assignee or lease", [ev("task.claimed", { lease_until: at(1e6) }), ev("task.released")], { status: "open" }, ["assignee", "lease_until"]],
    ["task.lease_expired: open, no assignee or lease", [ev("task.claimed", { lease_until: at(1e6) }), ev("task.lease_expired")], { status: "open" }, ["assignee", "lease_until"]],
    ["task.completed keeps who did it, drops the lease", [ev("task.claimed", { lease_until: at(1e6) }, { actor: "bob" }), ev("task.completed")], { status: "done", assignee: "bob" }, ["lease_until"]],
    ["task.failed with a retry: open again, counted", [ev("task.claimed", { lease_until: at(1e6) }), ev("task.failed", { error: "x", retry_count: 1, will_retry: true })], { status: "open", retry_count: 1 }, ["assignee"]],
    ["task.failed without a retry: blocked with the reason", [ev("task.failed", { error: "tests", retry_count: 3, will_retry: false })], { status: "blocked", retry_count: 3, blocked_reason: "failed 3 times: tests" }, []],
    ["task.failed without a count counts one more", [ev("task.failed", { error: "x" }), ev("task.failed", { error: "y" })], { status: "open", retry_count: 2 }, []],
    ["task.blocked keeps the reason", [ev("task.blocked", { reason: "ops" })], { status: "blocked", blocked_reason: "ops" }, []],
    ["task.unblocked clears the reason", [ev("task.blocked", { reason: "ops" }), ev("task.unblocked")], { status: "open" }, ["blocked_reason"]],
    ["task.reopened resets the retry count", [ev("task.failed", { retry_count: 2, will_retry: true }), ev("task.completed"), ev("task.reopened")], { status: "open", retry_count: 0 }, []],
    ["task.cancelled keeps the assignee", [ev("task.claimed", { lease_until: at(1e6) }, { actor: "bob" }), ev("task.cancelled")], { status: "cancelled", assignee: "bob" }, ["lease_until"]],
    ["task.noted appends a note", [ev("task.noted", { text: "hi" }, { actor: "bob", ts: at(5000) })], { notes: [{ ts: at(5000), actor: "bob", text: "hi" }] }, []],
    ["an unknown event type changes nothing", [ev("agent.tool_called", { tool: "read" })], { status: "open", title: "A" }, []],
  ];
  it.each(cases)("%s", (_name, events, expected, absent) => {
    const t = taskAfter(...events);
    expect(t).toMatchObject(expected);
    for (const key of absent) expect(t).not.toHaveProperty(key);
  });

  it("stamps updated_at with the last event that touched the task", () => {
    const e = ev("task.noted", { text: "x" }, { ts: at(60_000) });
    expect(taskAfter(e).updated_at).toBe(at(60_000));
    expect(taskAfter(ev("weird.type", {}, { ts: at(70_000) })).updated_at, "an unknown event touches nothing").toBe(T0);
  });

  it("ignores events for tasks it has never seen, but counts them", () => {
    const s = fold([created(), ev("task.claimed", { lease_until: at(1e6) }, { task: "rw-ghost" })]);
    expect(Object.keys(s.tasks)).toEqual(["rw-aaaa"]);
    expect(s.event_count).toBe(2);
  });

  it("last_ts is the newest event time, whatever the order", () => {
    const s = fold([created(), ev("task.noted", { text: "b" }, { ts: at(9000) }), ev("task.noted", { text: "a" }, { ts: at(3000) })]);
    expect(s.last_ts).toBe(at(9000));
  });

  it("is pure: folding the same events twice gives equal states, and the events are not changed", () => {
    const events = [created({ labels: ["a"] }), ev("task.edited", { labels: ["a", "b"] }), ev("task.claimed", { lease_until: at(1e6) })];
    const frozen = JSON.stringify(events);
    const one = fold(events);
    one.tasks["rw-aaaa"]!.labels.push("mutated");
    const two = fold(events);
    expect(two.tasks["rw-aaaa"]!.labels).toEqual(["a", "b"]);
    expect(JSON.stringify(events)).toBe(frozen);
  });

  it("apply on a given state is fold continued (bringing a cache forward gives the same state)", () => {
    const events = [created(), ev("task.claimed", { lease_until: at(1e6) }), ev("task.completed")];
    const partial = fold(events.slice(0, 1));
    for (const e of events.slice(1)) apply(partial, e);
    expect(partial).toEqual(fold(events));
    expect(fold([])).toEqual(emptyState());
  });
});
