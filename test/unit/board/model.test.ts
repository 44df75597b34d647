import { describe, expect, it } from "vitest";
import type { BoardDelta, BoardSnapshot, Card } from "../../../src/board/protocol.ts";
import { applyDelta, applySnapshot, columns, nextColumns, noFilters, type Columns, type Filters } from "../../../src/board/web/model.ts";
import { mulberry32 } from "../../helpers/prng.ts";

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

  it("columns moved card by card after each delta are the columns sorted afresh, with and without a filter", () => {
    const rand = mulberry32(11);
    const statuses: Card["status"][] = ["open", "in_progress", "blocked", "done", "cancelled"];
    const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const at = (n: number): string => new Date(Date.parse("2026-01-01T00:00:00Z") + n * 60_000).toISOString();
    const mk = (i: number): Card => ({ ...card(`t-${i}`, pick(statuses)), priority: Math.floor(rand() * 4), labels: rand() < 0.5 ? ["api"] : [], created_at: at(Math.floor(rand() * 50)), updated_at: at(Math.floor(rand() * 50)) });
    let m = applySnapshot(snapshot(Array.from({ length: 60 }, (_, i) => mk(i))));
    const filters: Filters[] = [noFilters(), { ...noFilters(), label: "api" }];
    const prev: Array<Columns | undefined> = [undefined, undefined];
    for (let step = 0; step < 200; step++) {
      const ids = [...m.cards.keys()];
      const changed = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => (rand() < 0.2 ? mk(100 + step) : { ...m.cards.get(pick(ids))!, status: pick(statuses), updated_at: at(step), priority: Math.floor(rand() * 4) }));
      const removed = rand() < 0.2 ? [pick(ids)].filter((id) => !changed.some((c) => c.id === id)) : [];
      m = applyDelta(m, { v: 1, tip: `t${step}`, from: m.tip, cards: changed, removed, totals: m.totals })!;
      filters.forEach((f, k) => {
        prev[k] = nextColumns(prev[k], m, f);
        expect(prev[k].cols).toEqual(columns(m, f));
      });
    }
  });

  it("a resync's snapshot is never taken for the cards the columns were made from", () => {
    const f = noFilters();
    const first = nextColumns(undefined, applySnapshot(snapshot([card("t-1", "open")])), f);
    const again = nextColumns(first, applySnapshot(snapshot([card("t-1", "done")])), f);
    expect(again.cols.get("done")!.map((c) => c.id)).toEqual(["t-1"]);
    expect(again.cols.get("open")).toEqual([]);
  });
});
