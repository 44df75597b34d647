import { describe, expect, it } from "vitest";
import type { BoardDelta, BoardSnapshot, Card } from "../../../src/board/protocol.ts";
import { applyDelta, applySnapshot, columns, noFilters } from "../../../src/board/web/model.ts";

/** The page's model (pure): columns follow the statuses the cards have, deltas apply to their own tip only. */
const card = (id: string, status: Card["status"]): Card => ({ id, title: id, status, priority: 2, type: "task", labels: [], waits: [], created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z" });
const snapshot = (cards: Card[], statuses = ["open", "in_progress", "blocked", "done", "cancelled"]): BoardSnapshot => ({
  v: 1, tip: "a", repo: "/r", actor: "me", statuses, review: false, cards, initiatives: [], sessions: [], totals: { tasks: cards.length, by_status: {}, tokens: 0, cost_usd: 0 },
});

describe("board page model", () => {
  it("a task in review gets a Review column even when the policy is not human (rw run --review)", () => {
    const m = applySnapshot(snapshot([card("t-1", "open")]));
    expect(m.statuses).not.toContain("review");
    const d: BoardDelta = { v: 1, tip: "b", from: "a", cards: [card("t-1", "review")], removed: [], initiatives: [], sessions: [], totals: m.totals };
    const next = applyDelta(m, d)!;
    expect(next.statuses).toEqual(["open", "in_progress", "review", "blocked", "done", "cancelled"]);
    expect(columns(next, noFilters()).get("review")!.map((c) => c.id)).toEqual(["t-1"]);
    expect(applySnapshot(snapshot([card("t-2", "review")])).statuses[2]).toBe("review");
  });

  it("a delta from another tip is refused (the page resyncs from a fresh snapshot)", () => {
    const m = applySnapshot(snapshot([card("t-1", "open")]));
    expect(applyDelta(m, { v: 1, tip: "c", from: "b", cards: [], removed: [], initiatives: [], sessions: [], totals: m.totals })).toBeNull();
  });
});
