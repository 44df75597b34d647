import { describe, expect, it } from "vitest";
import { decideRecordDecision } from "../../../src/domain/decide-initiative.ts";
import { decideCreate } from "../../../src/domain/decide-task.ts";
import { applyCopy, fold } from "../../../src/domain/fold.ts";
import type { RwEvent } from "../../../src/domain/types.ts";
import { DomainWorld } from "../../helpers/domain.ts";

const ev = (id: string, ts: string, type: string, data: Record<string, unknown>, extra: Partial<RwEvent> = {}): RwEvent =>
  ({ v: 1, id, ts, actor: "agent-2", type, ...extra, data });

describe("sessions fold from session.* events", () => {
  it("a started and ended session has its outcome, tokens, cost and duration", () => {
    const state = fold([
      ev("01A", "2026-11-21T10:00:00.000Z", "session.started", { session: "s-1", role: "worker" }, { task: "rw-7k2f" }),
      ev("01B", "2026-11-21T10:05:30.000Z", "session.ended", { session: "s-1", outcome: "completed", tokens: { input: 1200, output: 300 }, cost: 0.042 }, { task: "rw-7k2f" }),
      ev("01C", "2026-11-21T10:06:00.000Z", "session.started", { session: "s-2", tasks: ["rw-a", "rw-b"] }),
    ]);
    expect(state.sessions["s-1"]).toEqual({
      id: "s-1", actor: "agent-2", tasks: ["rw-7k2f"], started_at: "2026-11-21T10:00:00.000Z", ended_at: "2026-11-21T10:05:30.000Z",
      outcome: "completed", tokens: 1500, cost: 0.042, duration_ms: 330_000,
    });
    expect(state.sessions["s-2"]).toEqual({ id: "s-2", actor: "agent-2", tasks: ["rw-a", "rw-b"], started_at: "2026-11-21T10:06:00.000Z" });
  });

  it("an explicit duration wins, a failure is recorded, and an event without a session id changes nothing", () => {
    const state = fold([
      ev("01A", "2026-11-21T10:00:00.000Z", "session.ended", { session: "s-9", outcome: "failed", duration_ms: 1234, tokens: 10 }),
      ev("01B", "2026-11-21T10:00:01.000Z", "session.ended", { outcome: "failed" }),
    ]);
    expect(Object.keys(state.sessions)).toEqual(["s-9"]);
    expect(state.sessions["s-9"]).toMatchObject({ outcome: "failed", duration_ms: 1234, tokens: 10 });
  });

  it("reads the shape `rw run` writes: task list, counts, cost_usd", () => {
    const state = fold([
      ev("01A", "2026-11-21T10:00:00.000Z", "session.started", { session: "run-1", command: "run", parallel: 2 }),
      ev("01B", "2026-11-21T10:10:00.000Z", "session.ended", {
        session: "run-1", completed: 2, failed: 1, tokens: { input: 5000, output: 700 }, cost_usd: 0.31, duration_ms: 600_000,
        tasks: ["rw-a", "rw-b", "rw-c"], interrupted: false, outcome: "completed",
      }),
    ]);
    expect(state.sessions["run-1"]).toMatchObject({ tasks: ["rw-a", "rw-b", "rw-c"], outcome: "completed", done_count: 2, failed_count: 1, tokens: 5700, cost: 0.31, duration_ms: 600_000 });
  });

  it("applyCopy leaves the state it was given untouched", () => {
    const before = fold([ev("01A", "2026-11-21T10:00:00.000Z", "session.started", { session: "s-1" })]);
    const snapshot = JSON.stringify(before);
    const after = applyCopy(before, [ev("01B", "2026-11-21T10:01:00.000Z", "session.ended", { session: "s-1", outcome: "completed" })]);
    expect(JSON.stringify(before)).toBe(snapshot);
    expect(after.sessions["s-1"]!.outcome).toBe("completed");
  });
});

describe("decisions", () => {
  it("are recorded with their reason and links, oldest first", () => {
    const w = new DomainWorld();
    w.run(decideCreate({ id: "rw-a", title: "a" }));
    const first = w.run(decideRecordDecision({ text: "Use JWT, not sessions", why: "stateless servers", task: "rw-a" }), "bob");
    w.run(decideRecordDecision({ text: "Keep bcrypt" }));
    expect(w.state.decisions).toEqual([
      { id: first.result.id, ts: first.events[0]!.ts, actor: "bob", text: "Use JWT, not sessions", why: "stateless servers", task: "rw-a" },
      expect.objectContaining({ text: "Keep bcrypt", actor: "alice" }),
    ]);
    // A decision about a task does not change the task.
    expect(w.state.tasks["rw-a"]!.updated_at).toBe(w.state.tasks["rw-a"]!.created_at);
  });

  it("refuse empty text and unknown links", () => {
    const w = new DomainWorld();
    expect(() => w.run(decideRecordDecision({ text: "  " }))).toThrow("decision must not be empty");
    expect(() => w.run(decideRecordDecision({ text: "x", task: "rw-nope" }))).toThrow("task rw-nope not found");
    expect(() => w.run(decideRecordDecision({ text: "x", initiative: "in-nope" }))).toThrow("initiative in-nope not found");
  });
});
