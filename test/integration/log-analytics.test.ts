import { afterEach, describe, expect, it } from "vitest";
import { makeRepo, type TempRepo } from "../helpers/repo.ts";

let repo: TempRepo | undefined;
afterEach(() => repo?.cleanup());

async function workedRepo(): Promise<{ repo: TempRepo; a: string; b: string }> {
  const r = makeRepo({ init: true });
  const a = await r.rwOk(["create", "First"], { actor: "alice" });
  const b = await r.rwOk(["create", "Second"], { actor: "alice" });
  await r.rwOk(["claim", a], { actor: "agent-1" });
  await r.rwOk(["done", a], { actor: "agent-1" });
  await r.rwOk(["claim", b], { actor: "agent-2" });
  await r.rwOk(["fail", b, "--reason", "tests failed"], { actor: "agent-2" });
  await r.rwOk(["claim", b], { actor: "agent-1" });
  await r.rwOk(["done", b], { actor: "agent-1" });
  return { repo: r, a, b };
}

describe("rw log", () => {
  it("filters the event stream by actor, type, task and time", async () => {
    const w = await workedRepo();
    repo = w.repo;
    const byAgent2 = (await repo.rwOk(["log", "--actor", "agent-2"])).split("\n");
    expect(byAgent2.map((l) => l.split(/\s+/)[2])).toEqual(["task.claimed", "task.failed"]);
    expect(byAgent2[1]).toContain("error: tests failed");
    const json = JSON.parse(await repo.rwOk(["log", "--type", "task.*", "--task", w.b, "--json"])) as { count: number; events: Array<{ type: string }> };
    expect(json.events.map((e) => e.type)).toEqual(["task.created", "task.claimed", "task.failed", "task.claimed", "task.completed"]);
    expect(await repo.rwOk(["log", "--since", "2099-01-01"])).toBe("no events match");
    expect(await repo.rwOk(["log", "-n", "1"])).toContain("task.completed");
    const bad = await repo.rw(["log", "--since", "yesterday-ish"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("use a duration back from now (2d, 12h) or a date");
  });
});

describe("rw analytics", () => {
  it("reports rates, times, a throughput chart and the busiest agents", async () => {
    const w = await workedRepo();
    repo = w.repo;
    const json = JSON.parse(await repo.rwOk(["analytics", "--json"])) as {
      success_rate: number; retry_rate: number; cycle_time: { count: number }; lead_time: { count: number };
      throughput: Array<{ day: string; done: number }>; agents: Array<{ actor: string; completed: number }>;
    };
    expect(json.success_rate).toBeCloseTo(2 / 3);
    expect(json.retry_rate).toBeCloseTo(1 / 2);
    expect(json.cycle_time.count).toBe(2);
    expect(json.lead_time.count).toBe(2);
    expect(json.throughput.reduce((n, d) => n + d.done, 0)).toBe(2);
    expect(json.agents[0]).toMatchObject({ actor: "agent-1", completed: 2 });
    const text = await repo.rwOk(["analytics", "--since", "1d"]);
    expect(text).toMatch(/\d{4}-\d\d-\d\d {2}█+ 2/);
    expect(text).toContain("success rate: 67% of 3 finished attempts");
    expect(text).toContain("no agent sessions recorded");
  });
});
