import { describe, expect, it } from "vitest";
import { fold } from "../../../src/domain/fold.ts";
import type { RwEvent } from "../../../src/domain/types.ts";
import { renderBoard } from "../../../src/views/board.ts";
import { renderViews } from "../../../src/views/index.ts";
import { topK } from "../../../src/views/md.ts";
import { STATE_SECTIONS } from "../../../src/views/sections.ts";
import { composeState, type StateSection } from "../../../src/views/state-md.ts";

/** A small event log builder: deterministic ids and times, one minute apart. */
function log() {
  const events: RwEvent[] = [];
  let n = 0;
  const add = (type: string, task: string, data: Record<string, unknown> = {}, actor = "alice"): void => {
    n++;
    const ts = new Date(Date.UTC(2026, 10, 21, 9, 0) + n * 60_000).toISOString();
    events.push({ v: 1, id: `01JDA${String(n).padStart(21, "0")}`, ts, actor, type, task, data });
  };
  return { events, add };
}

function sampleEvents(): RwEvent[] {
  const { events, add } = log();
  add("task.created", "rw-aaaa", { title: "Set up the database", priority: 1, type: "chore" });
  add("task.created", "rw-bbbb", { title: "Add login endpoint", priority: 1, type: "feature", labels: ["api"], deps: ["rw-aaaa"] });
  add("task.created", "rw-cccc", { title: "Write the | pipe docs", priority: 3, type: "docs" });
  add("task.created", "rw-dddd", { title: "Fix flaky test", priority: 0, type: "bug" });
  add("task.created", "rw-eeee", { title: "Talk to legal", priority: 2 });
  add("task.created", "rw-ffff", { title: "Old idea", priority: 4 });
  add("task.claimed", "rw-aaaa", { lease_until: "2026-11-21T09:37:00.000Z" }, "agent-1");
  add("task.claimed", "rw-aaaa", { lease_until: "2026-11-21T10:08:00.000Z", renewed: true }, "agent-1");
  add("task.claimed", "rw-dddd", { lease_until: "2026-11-21T09:10:00.000Z" }, "agent-2");
  add("task.blocked", "rw-eeee", { reason: "waiting for the contract" });
  add("task.cancelled", "rw-ffff", {});
  add("task.created", "rw-gggg", { title: "Ship it", priority: 2 });
  add("task.claimed", "rw-gggg", { lease_until: "2026-11-21T10:00:00.000Z" }, "agent-3");
  add("task.completed", "rw-gggg", {}, "agent-3");
  return events;
}

describe("STATE.md and BOARD.md", () => {
  it("pins the bytes of both views for a known log", async () => {
    const views = renderViews(fold(sampleEvents()));
    await expect(views["STATE.md"]).toMatchFileSnapshot("__snapshots__/STATE.md");
    await expect(views["BOARD.md"]).toMatchFileSnapshot("__snapshots__/BOARD.md");
  });

  it("shows since = the claim's start (a renewal keeps it) and an expired lease as expired", () => {
    const text = renderViews(fold(sampleEvents()))["STATE.md"]!;
    const row = text.split("\n").find((l) => l.includes("rw-aaaa") && l.includes("agent-1"));
    expect(row).toContain("2026-11-21 09:07");
    expect(text.split("\n").find((l) => l.includes("rw-dddd") && l.includes("agent-2"))).toContain("expired 2026-11-21 09:10");
  });

  it("is the same bytes whatever order the tasks were folded into the map", () => {
    const state = fold(sampleEvents());
    const reversed = { ...state, tasks: Object.fromEntries(Object.entries(state.tasks).reverse()) };
    expect(renderViews(reversed)).toEqual(renderViews(state));
  });

  it("keeps STATE.md under 150 lines with 10,000 tasks, with 'and N more'", () => {
    const { events, add } = log();
    for (let i = 0; i < 10_000; i++) add("task.created", `rw-${i.toString(36).padStart(4, "0")}`, { title: `Task ${i}`, priority: i % 5 });
    for (let i = 0; i < 300; i++) add("task.claimed", `rw-${i.toString(36).padStart(4, "0")}`, { lease_until: "2030-01-01T00:00:00.000Z" }, `agent-${i % 8}`);
    for (let i = 300; i < 3300; i++) add("task.completed", `rw-${i.toString(36).padStart(4, "0")}`);
    for (let i = 3300; i < 3400; i++) add("task.blocked", `rw-${i.toString(36).padStart(4, "0")}`, { reason: "needs review" });
    const views = renderViews(fold(events));
    const lines = views["STATE.md"]!.split("\n");
    expect(lines.length).toBeLessThan(150);
    expect(views["STATE.md"]).toContain("… and 285 more (`rw list --status in_progress`)");
    expect(views["STATE.md"]).toMatch(/… and \d+ more \(`rw ready`\)/);
    expect(views["BOARD.md"]).toContain("## Done (3000)");
    expect(views["BOARD.md"]!.split("\n").length).toBeLessThan(400);
  });

  it("lists ready tasks in `rw ready` order: priority, then what they unblock", () => {
    const { events, add } = log();
    add("task.created", "rw-a", { title: "leaf", priority: 2 });
    add("task.created", "rw-b", { title: "root", priority: 2 });
    add("task.created", "rw-c", { title: "needs root", priority: 2, deps: ["rw-b"] });
    add("task.created", "rw-d", { title: "urgent", priority: 0 });
    const text = composeState(fold(events), STATE_SECTIONS.filter((s) => s.key === "ready"));
    const order = [...text.matchAll(/\[(rw-.)\]/g)].map((m) => m[1]);
    expect(order).toEqual(["rw-d", "rw-b", "rw-a"]);
  });

  it("lets another module fill a section by key", () => {
    const mine: StateSection = { key: "position", title: "Current position", render: () => ["Initiative in-1: phase 2 of 3"] };
    const sections = STATE_SECTIONS.map((s) => (s.key === mine.key ? mine : s));
    expect(composeState(fold(sampleEvents()), sections)).toContain("Initiative in-1: phase 2 of 3");
  });

  it("renders an empty backlog", () => {
    expect(renderBoard(fold([]))).toContain("## Open (0)");
    expect(renderViews(fold([]))["STATE.md"]).toContain("No tasks yet.");
  });
});

describe("topK", () => {
  it.each([
    [[5, 1, 4, 2, 3], 3, [1, 2, 3]],
    [[1, 1, 1], 2, [1, 1]],
    [[], 3, []],
    [[3, 2], 0, []],
    [[9, 8, 7, 6, 5, 4, 3, 2, 1, 0], 4, [0, 1, 2, 3]],
  ])("topK(%j, %i) = %j", (items, k, want) => {
    expect(topK(items, k, (a, b) => a - b)).toEqual(want);
  });
});
