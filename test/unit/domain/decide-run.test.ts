import { describe, expect, it } from "vitest";
import type { DecideContext } from "../../../src/domain/decide.ts";
import { decideClaim } from "../../../src/domain/decide-lifecycle.ts";
import { decideClaimNextWhere, decideCriteriaChecked, decideGateRan, decideRunFailed } from "../../../src/domain/decide-run.ts";
import { decideCreate } from "../../../src/domain/decide-task.ts";
import { fold, apply } from "../../../src/domain/fold.ts";
import type { State } from "../../../src/domain/types.ts";

let n = 0;
const ctx = (actor: string, maxRetries = 2): DecideContext => ({
  actor, now: `2026-11-21T10:00:${String(n++ % 60).padStart(2, "0")}.000Z`, nextEventId: () => `E${String(n++).padStart(6, "0")}`,
  randomBytes: (k) => new Uint8Array(k).map((_, i) => i + n), config: { prefix: "t", leaseMs: 60_000, maxRetries },
});

function run(state: State, decision: { events: Parameters<typeof apply>[1][] }): State {
  for (const e of decision.events) apply(state, e);
  return state;
}

function withTask(body: string): { state: State; id: string } {
  const state = fold([]);
  const created = decideCreate({ title: "T", body })(state, ctx("human"));
  run(state, created);
  return { state, id: created.result.id };
}

describe("rw run deciders", () => {
  it("records gates and results only for the worker that holds the claim", () => {
    const { state, id } = withTask("");
    const gate = { gate: "true", exit_code: 0, duration_ms: 5, timed_out: false, output_tail: "", attempt: 1 };
    expect(() => decideGateRan(id, gate)(state, ctx("w1"))).toThrow(/no longer held/);
    run(state, decideClaim(id)(state, ctx("w1")));
    expect(decideGateRan(id, gate)(state, ctx("w1")).events[0]!.type).toBe("gate.ran");
    expect(() => decideGateRan(id, gate)(state, ctx("w2"))).toThrow(/no longer held by w2/);
  });

  it("ticks criteria at their offsets through the fold, leaving the rest of the body alone", () => {
    const body = "Keep  *this*  as is.\n\n## Acceptance criteria\n- [ ] one\n- [ ] two\n";
    const { state, id } = withTask(body);
    run(state, decideClaim(id)(state, ctx("w1")));
    const offset = body.indexOf("[ ] two");
    run(state, decideCriteriaChecked(id, [{ index: 1, text: "two", offset }])(state, ctx("w1")));
    expect(state.tasks[id]!.body).toBe(body.replace("[ ] two", "[x] two"));
    expect(decideCriteriaChecked(id, [{ index: 1, text: "two", offset }])(state, ctx("w1")).events).toHaveLength(0);
  });

  it("fails with feedback, retries, then blocks after max_retries", () => {
    const { state, id } = withTask("");
    for (const expected of [true, false]) {
      run(state, decideClaim(id, { force: true })(state, ctx("w1")));
      const d = decideRunFailed(id, { error: "gate failed", kind: "gates", feedback: "exit 1", attempt: 1 })(state, ctx("w1"));
      expect(d.result.will_retry).toBe(expected);
      expect(d.events[0]!.data).toMatchObject({ error: "gate failed", kind: "gates", feedback: "exit 1" });
      run(state, d);
    }
    expect(state.tasks[id]).toMatchObject({ status: "blocked", retry_count: 2 });
  });

  it("claims the first ready task the filter accepts", () => {
    const { state, id } = withTask("");
    const other = decideCreate({ title: "Other", priority: 0 })(state, ctx("human"));
    run(state, other);
    const d = decideClaimNextWhere((t) => t.id === id)(state, ctx("w1"));
    expect(d.result.id).toBe(id);
    expect(() => decideClaimNextWhere(() => false)(state, ctx("w1"))).toThrow(/no task is ready/);
  });
});
