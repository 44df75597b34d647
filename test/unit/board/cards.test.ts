import { describe, expect, it } from "vitest";
import { CardIndex } from "../../../src/board/card-index.ts";
import { initiativeViews, toCard } from "../../../src/board/cards.ts";
import { decideInitiativeApprove, decideInitiativeNew, decideInitiativeSubmit } from "../../../src/domain/decide-initiative.ts";
import { decideClaim, decideDone } from "../../../src/domain/decide-lifecycle.ts";
import { decideCreate, decideEdit } from "../../../src/domain/decide-task.ts";
import { DomainWorld } from "../../helpers/domain.ts";

describe("board cards", () => {
  it("a card shows what it waits on: unfinished dependencies only", () => {
    const w = new DomainWorld();
    const a = w.run(decideCreate({ title: "A" })).result.id;
    const b = w.run(decideCreate({ title: "B", deps: [a], labels: ["api"] })).result.id;
    expect(toCard(w.state, w.state.tasks[b]!)).toMatchObject({ id: b, title: "B", status: "open", labels: ["api"], waits: [a] });
    w.run(decideClaim(a), "agent-1");
    expect(toCard(w.state, w.state.tasks[a]!)).toMatchObject({ status: "in_progress", assignee: "agent-1" });
    w.run(decideDone(a), "agent-1");
    expect(toCard(w.state, w.state.tasks[b]!).waits).toEqual([]);
  });

  it("the index reports only changed cards, including a dependent whose dependency finished", () => {
    const w = new DomainWorld();
    const a = w.run(decideCreate({ title: "A" })).result.id;
    const b = w.run(decideCreate({ title: "B", deps: [a] })).result.id;
    const c = w.run(decideCreate({ title: "C" })).result.id;
    const index = new CardIndex();
    expect(index.update(w.state).changed.map((x) => x.id).sort()).toEqual([a, b, c].sort());
    expect(index.update(w.state).changed).toEqual([]);
    w.run(decideEdit(c, { patch: { title: "C2" } }));
    expect(index.update(w.state).changed.map((x) => x.id)).toEqual([c]);
    w.run(decideClaim(a), "agent-1");
    w.run(decideDone(a), "agent-1");
    const next = index.update(w.state);
    expect(next.changed.map((x) => x.id).sort()).toEqual([a, b].sort());
    expect(next.changed.find((x) => x.id === b)!.waits).toEqual([]);
    expect(index.cards()).toHaveLength(3);
  });

  it("initiatives carry phase progress", () => {
    const w = new DomainWorld();
    const ini = w.run(decideInitiativeNew({ title: "Auth", phases: ["Tokens", "Login"] })).result.id;
    w.run(decideCreate({ title: "T1", initiative: ini, phase: 1 }));
    w.run(decideInitiativeSubmit(ini));
    w.run(decideInitiativeApprove(ini, 1));
    const [view] = initiativeViews(w.state);
    expect(view).toMatchObject({ id: ini, status: "approved", done: 0, total: 1 });
    expect(view!.phases.map((p) => [p.n, p.status, p.total])).toEqual([[1, "approved", 1], [2, "planned", 0]]);
  });
});
