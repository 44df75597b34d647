import { describe, expect, it } from "vitest";
import { applyCopy, fold } from "../../../src/domain/fold.ts";
import { carryReadyMemo, newReadyMemo, bestReady, potentialOrder, readyFromMemo } from "../../../src/domain/ready-memo.ts";
import { readyPage } from "../../../src/domain/ready.ts";
import type { RwEvent, State, Task } from "../../../src/domain/types.ts";
import { renderViews, ViewIndex } from "../../../src/views/index.ts";
import type { SavedViewIndex } from "../../../src/views/view-index.ts";
import { mulberry32 as rng } from "../../helpers/prng.ts";
import { queryTasks, SORTS } from "../../../src/domain/task-query.ts";
import { LISTED_WITHOUT, taskJson } from "../../../src/domain/task-json.ts";

const TYPES = ["task.claimed", "task.completed", "task.blocked", "task.unblocked", "task.released", "task.cancelled", "task.edited", "task.review_requested", "task.heartbeat", "task.created", "task.reopened"];

/**
 * A carried index must give the very bytes a fresh scan gives: the views are written on the ref
 * and `rw doctor` re-renders them from the log. Random histories over 160 tasks (more than a
 * board column shows, so the kept tops empty out and refill), one event at a time, the index
 * and ready memo carried as Store.transact carries them.
 */
describe("the view index carried across writes", () => {
  it("renders STATE.md and BOARD.md byte for byte as a fresh scan, on random histories", () => {
    for (const seed of [1, 2]) {
      const rand = rng(seed);
      let n = 0;
      let clock = Date.UTC(2026, 10, 21, 9, 0);
      const ev = (type: string, task: string | undefined, data: Record<string, unknown> = {}, actor = "agent-1", initiative?: string): RwEvent => {
        n++;
        clock += 1000 + Math.floor(rand() * 60_000);
        return { v: 1, id: `01JDA${String(n).padStart(21, "0")}`, ts: new Date(clock).toISOString(), actor, type, ...(task ? { task } : {}), ...(initiative ? { initiative } : {}), data };
      };
      const ids: string[] = [];
      const boot: RwEvent[] = [ev("initiative.created", undefined, { title: "Launch", phases: [{ n: 1, title: "One" }, { n: 2, title: "Two" }] }, "alice", "in-1")];
      boot.push(ev("initiative.approved", undefined, { phase: 1 }, "alice", "in-1"), ev("initiative.started", undefined, {}, "alice", "in-1"));
      for (let i = 0; i < 160; i++) {
        const id = `rw-${seed}${i.toString(36).padStart(3, "0")}`;
        const deps = i > 5 && rand() < 0.3 ? [ids[Math.floor(rand() * ids.length)]!] : [];
        ids.push(id);
        boot.push(ev("task.created", id, { title: `Task ${i}`, priority: Math.floor(rand() * 5), deps, ...(rand() < 0.1 ? { initiative: "in-1", phase: 1 + Math.floor(rand() * 2) } : {}) }));
      }
      let state: State = fold(boot);
      let index = ViewIndex.build(state);
      let base: { ids: string[] } | undefined;
      let memo = newReadyMemo();
      for (let step = 0; step < 300; step++) {
        const type = TYPES[Math.floor(rand() * TYPES.length)]!;
        let id = ids[Math.floor(rand() * ids.length)]!;
        let data: Record<string, unknown> = {};
        if (type === "task.created") {
          id = `rw-${seed}n${step}`;
          // Now and then one that waits on others, or on an ID no task has yet (a later task may take it).
          const deps = rand() < 0.4 ? [ids[Math.floor(rand() * ids.length)]!, ...(rand() < 0.3 ? [`rw-${seed}n${step + 1 + Math.floor(rand() * 5)}`] : [])] : [];
          ids.push(id);
          data = { title: `New ${step}`, priority: Math.floor(rand() * 5), deps };
        } else if (type === "task.claimed" || type === "task.heartbeat") {
          data = { lease_until: new Date(clock + Math.floor((rand() - 0.3) * 3_600_000)).toISOString() };
        } else if (type === "task.blocked") {
          data = { reason: `reason ${step}` };
        } else if (type === "task.edited") {
          const r = rand();
          data = r < 0.3 ? { priority: Math.floor(rand() * 5) } : r < 0.5 ? { defer_until: new Date(clock + Math.floor((rand() - 0.5) * 7_200_000)).toISOString() }
            : r < 0.75 ? { deps: rand() < 0.3 ? [] : [ids[Math.floor(rand() * ids.length)]!] } : { title: `Renamed ${step}`, initiative: "in-1", phase: 1 + Math.floor(rand() * 2) };
        }
        // A claim --next now and then, as the daemon makes them: the ready order is then memoised.
        if (rand() < 0.2) {
          const best = bestReady(state, state.last_ts, memo);
          if (best) id = best.task.id;
        }
        const e = ev(type, id, data, `agent-${step % 3}`);
        const before = state.tasks[id];
        const next = applyCopy(state, [e]);
        const changed: Array<readonly [Task | undefined, Task | undefined]> = [[before, next.tasks[id]]];
        index.update(changed);
        memo = carryReadyMemo(memo, changed, false, { state: next, graph: index.bind(next) });
        state = next;
        if (memo.order) {
          // The carried order is the order a fresh ranking gives, and ranks the same ready page.
          expect(memo.order, `seed ${seed} step ${step} (${type} ${id})`).toEqual(potentialOrder(state, new Map()));
          expect(readyFromMemo(state, state.last_ts, 10, memo)).toEqual(readyPage(state, state.last_ts, 10));
          // The whole list too (`rw ready --json`, and what a filtered `rw ready` filters).
          if (step % 10 === 0) expect(readyFromMemo(state, state.last_ts, Infinity, memo)).toEqual(readyPage(state, state.last_ts, Infinity));
        }
        const fresh = renderViews(state);
        const carried = renderViews(state, { index, readyMemo: memo });
        expect(carried["BOARD.md"], `seed ${seed} step ${step} (${type} ${id})`).toBe(fresh["BOARD.md"]);
        expect(carried["STATE.md"], `seed ${seed} step ${step} (${type} ${id})`).toBe(fresh["STATE.md"]);
        if (step % 5 === 0) {
          // Every list order (`rw list --sort`) as the index walks it: the file's tasks by position, the changed ones merged in.
          for (const sort of SORTS) {
            const walked: string[] = [];
            index.walk(sort, (pos, task) => walked.push(task ? task.id : base!.ids[pos]!));
            expect(walked, `seed ${seed} step ${step} --sort ${sort}`).toEqual(queryTasks(state, { all: true }, sort).map((t) => t.id));
          }
        }
        if (step % 150 === 149) [index, base] = [ViewIndex.build(state), undefined]; // a store that lost a race starts over

        else if (step % 40 === 39) {
          // The next command restores it from the index file (saved with a new base) and carries it on.
          const keys = Object.keys(state.tasks);
          const saved = JSON.parse(JSON.stringify(index.save(keys, new Map(keys.map((k, i) => [k, i]))))) as SavedViewIndex;
          // The file's tasks as they were saved (a later fold changes the state's, not these).
          const entries = keys.map((k) => Buffer.from(JSON.stringify(taskJson(state.tasks[k]!, LISTED_WITHOUT))));
          const start = entries.map((_e, i) => entries.slice(0, i).reduce((sum, e) => sum + e.length, 0));
          base = { ids: keys };
          const file = { bytes: Buffer.concat(entries), start, length: entries.map((e) => e.length), keyish: entries.map(() => 1) };
          index = ViewIndex.restore(saved, keys, state.tasks, { task: (pos) => JSON.parse(entries[pos]!.toString()) as Task, ...file })!;
          expect(index, `seed ${seed} step ${step}: restored`).toBeDefined();
        }
      }
    }
  });
});
