import { describe, expect, it } from "vitest";
import { decideClaim, decideClaimNext, decideDone, decideHeartbeat, decideRelease } from "../../../src/domain/decide-lifecycle.ts";
import { decideCreate, decideEdit, decideNote } from "../../../src/domain/decide-task.ts";
import type { Decider } from "../../../src/domain/decide.ts";
import { readyPage } from "../../../src/domain/ready.ts";
import { bestReady, carryReadyMemo, newReadyMemo, type ReadyMemo } from "../../../src/domain/ready-memo.ts";
import type { Task } from "../../../src/domain/types.ts";
import { DomainWorld } from "../../helpers/domain.ts";

/** A world whose ready memo is carried forward the way Store.transact carries it. */
class MemoWorld extends DomainWorld {
  memo: ReadyMemo = newReadyMemo();

  step<R>(decide: Decider<R>, actor = "alice"): R {
    const before = this.state;
    const { result, events } = this.run(decide, actor);
    const changed: Array<[Task | undefined, Task | undefined]> = [...new Set(events.flatMap((e) => (e.task ? [e.task] : [])))].map((id) => [before.tasks[id], this.state.tasks[id]]);
    this.memo = carryReadyMemo(this.memo, changed, events.some((e) => !e.task));
    return result;
  }

  best(): string | undefined {
    return bestReady(this.state, this.now, this.memo)?.task.id;
  }

  expected(): string | undefined {
    return readyPage(this.state, this.now, 1).items[0]?.task.id;
  }
}

describe("the ready memo of a long-lived store", () => {
  it("picks the same task as a fresh ranking through claims, releases, completions, edits and new tasks", () => {
    const w = new MemoWorld();
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const deps = i > 3 && i % 3 === 0 ? [ids[i - 2]!, ids[i - 4]!] : i > 0 && i % 4 === 0 ? [ids[i - 1]!] : [];
      ids.push(w.step(decideCreate({ title: `task ${i}`, priority: i % 3, deps })).id);
    }
    const claimed: string[] = [];
    for (let round = 0; round < 40; round++) {
      expect(w.best()).toBe(w.expected());
      const op = round % 7;
      if (op === 3 && claimed.length > 0) w.step(decideDone(claimed.shift()!), "bob");
      else if (op === 5 && claimed.length > 0) w.step(decideRelease(claimed.pop()!), "bob");
      else if (op === 6) w.step(decideEdit(ids[round % ids.length]!, { patch: { priority: (round % 5) } }));
      else if (w.expected()) claimed.push(w.step(decideClaimNext(), "bob").id);
      if (round === 20) ids.push(w.step(decideCreate({ title: "late", priority: 0 })).id);
    }
    expect(w.best()).toBe(w.expected());
  });

  it("starts over when a done task is claimed again through a status edit", () => {
    const w = new MemoWorld();
    const a = w.step(decideCreate({ title: "a", priority: 1 })).id;
    const b = w.step(decideCreate({ title: "b", priority: 1, deps: [a] })).id;
    w.step(decideCreate({ title: "c", priority: 1 }));
    w.step(decideClaim(a), "bob");
    w.step(decideDone(a), "bob");
    expect(w.best()).toBe(w.expected());
    expect(w.best()).toBe(w.expected()); // the second call builds the memoised order
    w.step(decideEdit(a, { patch: {}, status: "in_progress" }), "carol");
    expect(w.state.tasks[b]!.status).toBe("open");
    expect(w.best()).toBe(w.expected());
    expect(w.best()).not.toBe(b); // b waits on a again
  });

  it("skips the claimed head of its order only while those leases hold, and counts it again after a release or renewal", () => {
    const w = new MemoWorld();
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push(w.step(decideCreate({ title: `t${i}`, priority: 1 })).id);
    const spare = w.step(decideCreate({ title: "spare", priority: 3 })).id;
    expect(w.best()).toBe(w.expected());
    expect(w.best()).toBe(w.expected()); // the memo now has its order
    // Claims from the head of the order: the third one with a lease that runs out soon.
    const claimed = [0, 1, 2, 3].map((i) => w.step(decideClaimNext(i === 2 ? { leaseMs: 5000 } : {}), "bob").id);
    expect(w.best()).toBe(w.expected());
    expect(w.memo.live, "the claimed head is known").toBe(4);
    w.step(decideRelease(claimed[1]!), "bob");
    expect(w.memo.live, "a released claim is counted again").toBe(0);
    expect(w.best()).toBe(w.expected());
    expect(w.best()).toBe(claimed[1]);
    w.step(decideClaim(claimed[1]!), "bob");
    w.step(decideHeartbeat(claimed[0]!), "bob");
    expect(w.best()).toBe(w.expected());
    // Time passes (notes change no ranking): the short lease runs out and its task is ready again.
    for (let i = 0; i < 6; i++) w.step(decideNote(spare, `tick ${i}`));
    expect(w.expected()).toBe(claimed[2]);
    expect(w.best()).toBe(claimed[2]);
  });
});
