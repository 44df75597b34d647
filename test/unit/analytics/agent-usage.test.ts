import { describe, expect, it } from "vitest";
import { computeAnalytics } from "../../../src/analytics/metrics.ts";
import type { RwEvent } from "../../../src/domain/types.ts";

const ev = (n: number, type: string, data: Record<string, unknown>): RwEvent => ({ v: 1, id: `01J${String(n).padStart(23, "0")}`, ts: `2026-11-21T10:0${n}:00.000Z`, actor: "rw-worker-1@h", type, task: "t-1", data });

describe("analytics over the agent layer's agent.usage events", () => {
  it("counts per-call usage (input + output tokens) once, not again in the run's session.ended totals", () => {
    const events = [
      ev(0, "task.created", { title: "T" }),
      ev(1, "agent.usage", { session: "as-1", role: "worker", provider: "anthropic", model: "claude-sonnet-4-6", input_tokens: 1000, output_tokens: 100, cost_usd: 0.0045 }),
      ev(2, "agent.usage", { session: "as-2", role: "verifier", provider: "anthropic", model: "claude-haiku-4-5", input_tokens: 500, output_tokens: 50, cost_usd: 0.00075 }),
      ev(3, "session.ended", { session: "s-1", tokens: { input: 1500, output: 150 }, cost_usd: 0.00525 }),
    ];
    const a = computeAnalytics(events, { now: "2026-11-21T11:00:00.000Z" });
    expect(a.tokens.total).toBe(1650);
    expect(a.tokens.cost).toBe(0.00525);
    expect(a.tokens.by_role.map((r) => [r.key, r.tokens])).toEqual(expect.arrayContaining([["worker", 1100], ["verifier", 550]]));
  });
});
