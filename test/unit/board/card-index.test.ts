import { describe, expect, it } from "vitest";
import { CardIndex } from "../../../src/board/card-index.ts";
import { initiativeViews, toCard } from "../../../src/board/cards.ts";
import type { Card } from "../../../src/board/protocol.ts";
import { decideInitiativeApprove, decideInitiativeNew, decideInitiativeSubmit } from "../../../src/domain/decide-initiative.ts";
import { decideCancel, decideClaim, decideDone, decideReopen } from "../../../src/domain/decide-lifecycle.ts";
import { decideCreate, decideDepAdd, decideDepRemove, decideEdit } from "../../../src/domain/decide-task.ts";
import type { Decider } from "../../../src/domain/decide.ts";
import { fold } from "../../../src/domain/fold.ts";
import { recordValues, type State } from "../../../src/domain/types.ts";
import { DomainWorld } from "../../helpers/domain.ts";
import { mulberry32 } from "../../helpers/prng.ts";

/**
 * The board's index works out a delta from what changed only: checked here against the plain
 * answer (every card of the state built afresh), across writes, a replay with new records
 * everywhere, and rewinds to older states (a reset ref).
 */
const byId = (a: Card, b: Card): number => (a.id < b.id ? -1 : 1);
const fresh = (s: State): Card[] => recordValues(s.tasks).map((t) => toCard(s, t)).sort(byId);
const counts = (s: State): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const t of recordValues(s.tasks)) out[t.status] = (out[t.status] ?? 0) + 1;
  return out;
};

/** Applies a delta to the cards a page held, as the page does. */
function applyTo(held: Map<string, Card>, d: { changed: Card[]; removed: string[] }): void {
  for (const c of d.changed) held.set(c.id, c);
  for (const id of d.removed) held.delete(id);
}

function expectInStep(index: CardIndex, held: Map<string, Card>, s: State): void {
  const d = index.update(s);
  applyTo(held, d);
  expect([...held.values()].sort(byId)).toEqual(fresh(s));
  expect([...index.cards()].sort(byId)).toEqual(fresh(s));
  expect(index.totals(s)).toMatchObject({ tasks: Object.keys(s.tasks).length, by_status: counts(s) });
  expect(index.initiativeViews()).toEqual(initiativeViews(s));
}

describe("board card index", () => {
  it("a cancelled dependency frees its dependent; a reopened one holds it again; only those cards change", () => {
    const w = new DomainWorld();
    const a = w.run(decideCreate({ title: "A" })).result.id;
    const b = w.run(decideCreate({ title: "B", deps: [a] })).result.id;
    w.run(decideCreate({ title: "C" }));
    const index = new CardIndex();
    index.update(w.state);
    w.run(decideCancel(a));
    const d = index.update(w.state);
    expect(d.changed.map((c) => c.id).sort()).toEqual([a, b].sort());
    expect(d.changed.find((c) => c.id === b)!.waits).toEqual([]);
    expect(index.totals(w.state).by_status).toEqual({ open: 2, cancelled: 1 });
    w.run(decideReopen(a));
    expect(index.update(w.state).changed.find((c) => c.id === b)!.waits).toEqual([a]);
    expect(index.update(w.state)).toEqual({ changed: [], removed: [], initiatives: false });
  });

  it("a rewind to an older state removes the tasks created since and puts moved cards back", () => {
    const w = new DomainWorld();
    const a = w.run(decideCreate({ title: "A" })).result.id;
    const b = w.run(decideCreate({ title: "B", deps: [a] })).result.id;
    const before = w.state;
    w.run(decideClaim(a), "agent-1");
    w.run(decideDone(a), "agent-1");
    const c = w.run(decideCreate({ title: "C", deps: [b] })).result.id;
    const index = new CardIndex();
    const held = new Map<string, Card>();
    expectInStep(index, held, w.state);
    const d = index.update(before);
    applyTo(held, d);
    expect(d.removed).toEqual([c]);
    expect(d.changed.map((x) => [x.id, x.status, x.waits])).toEqual(expect.arrayContaining([[a, "open", []], [b, "open", [a]]]));
    expect([...held.values()].sort(byId)).toEqual(fresh(before));
    expect(index.totals(before).by_status).toEqual({ open: 2 });
  });

  it("a replay (new records everywhere, same content) reports nothing changed", () => {
    const w = new DomainWorld();
    const a = w.run(decideCreate({ title: "A" })).result.id;
    w.run(decideCreate({ title: "B", deps: [a] }));
    const index = new CardIndex();
    index.update(w.state);
    expect(index.update(fold(w.log))).toEqual({ changed: [], removed: [], initiatives: false });
  });

  it("initiative views follow their tasks, and only initiatives that changed are reported", () => {
    const w = new DomainWorld();
    const ini = w.run(decideInitiativeNew({ title: "Auth", phases: ["Tokens", "Login"] })).result.id;
    const t1 = w.run(decideCreate({ title: "T1", initiative: ini, phase: 1 })).result.id;
    const other = w.run(decideCreate({ title: "Other" })).result.id;
    w.run(decideInitiativeSubmit(ini));
    w.run(decideInitiativeApprove(ini, 1));
    const index = new CardIndex();
    const held = new Map<string, Card>();
    expectInStep(index, held, w.state);
    w.run(decideEdit(other, { patch: { title: "Other 2" } }));
    expect(index.update(w.state).initiatives).toBe(false);
    w.run(decideEdit(t1, { patch: { phase: 2 } }));
    expect(index.update(w.state).initiatives).toBe(true);
    expect(index.initiativeViews()[0]!.phases.map((p) => p.total)).toEqual([0, 1]);
  });

  it("random writes and rewinds: the delta always brings a page to the state's cards", () => {
    for (let seed = 1; seed <= 6; seed++) {
      const rand = mulberry32(seed);
      const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
      const w = new DomainWorld();
      const ini = w.run(decideInitiativeNew({ title: "I", phases: ["One", "Two"] })).result.id;
      const history: State[] = [];
      const index = new CardIndex();
      const held = new Map<string, Card>();
      for (let step = 0; step < 60; step++) {
        const ids = Object.keys(w.state.tasks);
        const id = ids.length ? pick(ids) : "";
        const moves: Array<() => Decider<unknown>> = [
          () => decideCreate({ title: `T${step}`, deps: ids.length && rand() < 0.5 ? [pick(ids)] : [], ...(rand() < 0.4 ? { initiative: ini, phase: 1 + Math.floor(rand() * 2) } : {}) }),
          () => decideClaim(id), () => decideDone(id), () => decideCancel(id), () => decideReopen(id),
          () => decideEdit(id, { patch: { title: `E${step}`, priority: Math.floor(rand() * 4) } }),
          () => decideDepAdd(id, pick(ids)), () => decideDepRemove(id, pick(w.state.tasks[id]?.deps ?? [""])),
        ];
        try {
          w.run(ids.length ? pick(moves)() : moves[0]!(), "agent");
        } catch {
          continue; // refused by the domain (a cycle, a wrong state): nothing changed
        }
        history.push(w.state);
        // Now and then the page is shown an older state (a ref reset), then the newest again.
        const shown = rand() < 0.2 ? pick(history) : w.state;
        expectInStep(index, held, shown);
        if (shown !== w.state) expectInStep(index, held, w.state);
      }
    }
  });
});
