import { SORT_ORDERS, SORTS, type TaskSort } from "../domain/task-query.ts";
import type { Task } from "../domain/types.ts";
import { packUints, unpackUints } from "../format/packed.ts";
import type { BaseTasks } from "./view-index.ts";

/*
 * Every task of an index in each `rw list --sort` order, so `rw list --json` at 100,000 tasks
 * sorts nothing and decodes nothing (issue 17). The index file keeps, per order, the positions
 * of its tasks in that order; the tasks changed since (few: the journal is bounded) are sorted
 * on their own and merged in, each placed by a binary search over the saved order that decodes
 * ~17 of the file's tasks. The file's tasks are compared as the file has them (`baseTask`), not
 * as the state has them now: a changed one is skipped where it was and listed where it is.
 */

/** Each order's saved positions, unpacked on first use. */
export class SortedBase {
  private readonly unpacked = new Map<TaskSort, Uint32Array>();

  private constructor(private readonly saved: Readonly<Record<string, unknown>>, private readonly size: number, readonly base: BaseTasks) {}

  /** The saved orders of a base of `size` tasks; undefined unless every order is there. */
  static restore(saved: unknown, size: number, base: BaseTasks): SortedBase | undefined {
    if (typeof saved !== "object" || saved === null) return undefined;
    const rec = saved as Record<string, unknown>;
    if (!SORTS.every((s) => typeof rec[s] === "string")) return undefined;
    return new SortedBase(rec, size, base);
  }

  /** The positions of the base's tasks in `sort` order (undefined when the saved list does not fit the base). */
  order(sort: TaskSort): Uint32Array | undefined {
    let perm = this.unpacked.get(sort);
    if (!perm) {
      perm = unpackUints(this.saved[sort]);
      if (!perm || perm.length !== this.size) return undefined;
      this.unpacked.set(sort, perm);
    }
    return perm;
  }
}

/** One task of a merged order: its position in the base (unchanged since), or the task as it is now (changed or new). */
export type Visit = (pos: number, task: Task | undefined) => void;

/**
 * Visits every task in `sort` order: the base's (`perm`, skipping those `gone`) merged with
 * `changed` (tasks added or changed since the base). Without a base order, `changed` is every task.
 */
export function visitInOrder(sort: TaskSort, base: { perm: Uint32Array; gone: (pos: number) => boolean; baseTask: (pos: number) => Task } | undefined, changed: Task[], visit: Visit): void {
  const cmp = SORT_ORDERS[sort];
  const extra = changed.slice().sort(cmp);
  if (!base) {
    for (const t of extra) visit(-1, t);
    return;
  }
  const { perm, gone, baseTask } = base;
  // Where each changed task goes: before the first base task that sorts after it.
  const at = new Uint32Array(extra.length);
  let lo = 0;
  for (let k = 0; k < extra.length; k++) {
    let hi = perm.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cmp(baseTask(perm[mid]!), extra[k]!) < 0) lo = mid + 1;
      else hi = mid;
    }
    at[k] = lo;
  }
  let k = 0;
  for (let i = 0; i < perm.length; i++) {
    while (k < extra.length && at[k]! <= i) visit(-1, extra[k++]);
    const pos = perm[i]!;
    if (!gone(pos)) visit(pos, undefined);
  }
  while (k < extra.length) visit(-1, extra[k++]);
}

/** Every order as a new base keeps it: positions in its ID list (`at`); undefined when an order misses a task. */
export function saveSorted(size: number, walk: (sort: TaskSort, visit: Visit) => void, idAt: (pos: number) => string, at: ReadonlyMap<string, number>): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const sort of SORTS) {
    const positions = new Uint32Array(size);
    let n = 0;
    let ok = true;
    walk(sort, (pos, task) => {
      const i = at.get(task ? task.id : idAt(pos));
      if (i === undefined || n >= size) ok = false;
      else positions[n++] = i;
    });
    if (!ok || n !== size) return undefined;
    out[sort] = packUints(positions);
  }
  return out;
}
