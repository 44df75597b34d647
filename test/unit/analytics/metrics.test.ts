import { describe, expect, it } from "vitest";
import { barChart, humanDuration } from "../../../src/analytics/chart.ts";
import { filterEvents, logLine } from "../../../src/analytics/events.ts";
import { computeAnalytics, percentiles } from "../../../src/analytics/metrics.ts";
import type { RwEvent } from "../../../src/domain/types.ts";

let n = 0;
const H = 3_600_000;
const T0 = Date.parse("2026-11-01T00:00:00Z");
function ev(h: number, actor: string, type: string, task: string | undefined, data: Record<string, unknown> = {}, initiative?: string): RwEvent {
  const e: RwEvent = { v: 1, id: `E${String(n++).padStart(6, "0")}`, ts: new Date(T0 + h * H).toISOString(), actor, type, data };
  if (task) e.task = task;
  if (initiative) e.initiative = initiative;
  return e;
}

/** Three tasks: a done in 2h of work, b failed once then done, c still open; plus usage. */
const LOG: RwEvent[] = [
  ev(0, "alice", "task.created", "a", { title: "A", initiative: "in-1" }),
  ev(0, "alice", "task.created", "b", { title: "B" }),
  ev(0, "alice", "task.created", "c", { title: "C" }),
  ev(1, "agent-1", "task.claimed", "a"),
  ev(1.5, "agent-1", "agent.tool_called", "a", { tool: "read_file" }),
  ev(3, "agent-1", "task.completed", "a"),
  ev(3, "agent-1", "session.ended", "a", { session: "s1", role: "worker", model: "claude-x", tokens: { input: 1000, output: 500 }, cost: 0.25 }),
  ev(4, "agent-2", "task.claimed", "b"),
  ev(5, "agent-2", "task.failed", "b", { error: "tests", retry_count: 1, will_retry: true }),
  ev(5, "agent-2", "session.ended", "b", { session: "s2", role: "worker", model: "gpt-y", tokens: 300, cost: 0.05 }),
  ev(24, "agent-1", "task.claimed", "b"),
  ev(30, "agent-1", "task.completed", "b"),
  ev(30, "agent-3", "session.ended", "b", { session: "s3", role: "verifier", model: "claude-x", tokens: 200, cost: 0.01 }),
  ev(31, "agent-3", "task.claimed", "c"),
  ev(32, "agent-3", "task.released", "c"),
];

describe("computeAnalytics", () => {
  const a = computeAnalytics(LOG, { now: "2026-11-02T12:00:00.000Z" });

  it("measures cycle time from the last claim and lead time from creation", () => {
    expect(a.cycle_time).toMatchObject({ count: 2, p50: 2 * H, p90: 6 * H });
    expect(a.lead_time).toMatchObject({ count: 2, p50: 3 * H, p90: 30 * H });
  });

  it("counts throughput per day, zero days included", () => {
    expect(a.throughput).toEqual([{ day: "2026-11-01", done: 1 }, { day: "2026-11-02", done: 1 }]);
  });

  it.each([
    ["success_rate", 2 / 4],
    ["retry_rate", 1 / 2],
  ] as const)("%s", (key, want) => expect(a[key]).toBeCloseTo(want));

  it("sums tokens and cost by role, model and initiative", () => {
    expect(a.tokens.total).toBe(2000);
    expect(a.tokens.cost).toBeCloseTo(0.31);
    expect(a.tokens.by_model.map((r) => [r.key, r.tokens])).toEqual([["claude-x", 1700], ["gpt-y", 300]]);
    expect(a.tokens.by_role.map((r) => r.key)).toEqual(["worker", "verifier"]);
    expect(a.tokens.by_initiative.map((r) => [r.key, r.tokens])).toEqual([["in-1", 1500], ["(none)", 500]]);
  });

  it("ranks the busiest agents by completions", () => {
    expect(a.agents[0]).toMatchObject({ actor: "agent-1", completed: 2, claims: 2, tool_calls: 1 });
    expect(a.agents.map((g) => g.actor).slice(0, 3)).toEqual(["agent-1", "agent-2", "agent-3"]);
  });

  it("narrows to a window and to an initiative", () => {
    const late = computeAnalytics(LOG, { now: "2026-11-02T12:00:00.000Z", since: "2026-11-02T00:00:00.000Z" });
    expect(late.throughput).toEqual([{ day: "2026-11-02", done: 1 }]);
    expect(late.attempts).toEqual({ completed: 1, failed: 0, released: 1, expired: 0 });
    const one = computeAnalytics(LOG, { now: "2026-11-02T12:00:00.000Z", initiative: "in-1" });
    expect(one.cycle_time.count).toBe(1);
    expect(one.tokens.total).toBe(1500);
  });

  it("leaves the events of an import out, but counts later work on imported tasks (not its lead time)", () => {
    const log = [
      ev(100, "importer", "task.created", "x", { title: "X", source: "beads" }),
      ev(100, "importer", "task.completed", "x"),
      ev(100, "importer", "task.created", "y", { title: "Y", source: "beads" }),
      ev(101, "agent-1", "task.claimed", "y"),
      ev(102, "agent-1", "task.completed", "y"),
    ];
    const r = computeAnalytics(log, { now: "2026-11-06T00:00:00.000Z" });
    expect(r.attempts.completed).toBe(1);
    expect(r.cycle_time.count).toBe(1);
    expect(r.lead_time.count).toBe(0);
  });

  it("answers an empty log with zeros and no rates", () => {
    const r = computeAnalytics([], { now: "2026-11-02T00:00:00.000Z" });
    expect(r).toMatchObject({ success_rate: null, retry_rate: null, throughput: [], agents: [] });
  });
});

describe("percentiles", () => {
  it.each([
    [[], { count: 0, p50: 0, p90: 0 }],
    [[5], { count: 1, p50: 5, p90: 5, p99: 5, mean: 5 }],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], { p50: 5, p90: 9, p99: 10, mean: 6 }],
    [[10, 1, 5], { p50: 5, p90: 10 }],
  ])("%j", (values, want) => expect(percentiles(values)).toMatchObject(want));
});

describe("filterEvents and logLine", () => {
  it.each([
    [{ actors: ["agent-3"] }, 3],
    [{ types: ["task.claimed"] }, 4],
    [{ types: ["session.*"] }, 3],
    [{ task: "c" }, 3],
    [{ since: "2026-11-02T00:00:00.000Z" }, 5],
    [{ types: ["task.claimed", "task.failed"], actors: ["agent-2"] }, 2],
  ])("%j matches %i events", (f, count) => expect(filterEvents(LOG, f)).toHaveLength(count));

  it("prints one line per event with its salient data", () => {
    expect(logLine(LOG[8]!)).toBe("2026-11-01T05:00:00Z  agent-2       task.failed           b           error: tests");
  });
});

describe("chart", () => {
  it("scales bars to the largest value", () => {
    expect(barChart([{ label: "mon", value: 4 }, { label: "tue", value: 2 }, { label: "wed", value: 0 }], 8)).toEqual(["mon  ████████ 4", "tue  ████ 2", "wed   0"]);
  });
  it.each([[30_000, "30s"], [12 * 60_000, "12m"], [3.5 * H, "3.5h"], [50 * H, "2.1d"]])("humanDuration(%i) = %s", (ms, want) => expect(humanDuration(ms)).toBe(want));
});
