import type { ReadyMemo } from "../domain/ready-memo.ts";
import { packUints, unpackUints } from "../format/packed.ts";
import type { ViewIndex } from "../views/view-index.ts";

/*
 * What the index base keeps besides the state (issue 17): the view index and the ready memo of
 * that state, so the next command need not scan every task. The view index saves itself
 * (views/view-index.ts); the ready memo's form is here.
 */

/** What a base keeps besides the state, to spare the next command a scan of every task. */
export interface Derived { index?: ViewIndex | undefined; readyMemo?: ReadyMemo | undefined }

/** `make` run once, on first call. */
export function once<T>(make: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) [value, done] = [make(), true];
    return value;
  };
}

/** Task ID -> position in a base's ID list. */
export function positions(ids: readonly string[]): Map<string, number> {
  const at = new Map<string, number>();
  for (let i = 0; i < ids.length; i++) at.set(ids[i]!, i);
  return at;
}

/** The ready order saved in a base: positions in its ID list, each one's unblock count, the special ones (ReadyMemo.special), packed. */
export interface SavedReady { order: string; counts: string; special: string }

/** `memo` as a base keeps it, by position (`at`: task ID -> position in the base); undefined when it has no order or no special set yet. */
export function savedReady(memo: ReadyMemo | undefined, at: ReadonlyMap<string, number>): SavedReady | undefined {
  // Without its special set it is found by the next full walk, and saved then.
  if (!memo?.order || !memo.special) return undefined;
  const order: number[] = [];
  const counts: number[] = [];
  for (const id of memo.order) {
    const i = at.get(id);
    const n = memo.counts.get(id);
    if (i === undefined || n === undefined) return undefined;
    order.push(i);
    counts.push(n);
  }
  return { order: packUints(order), counts: packUints(counts), special: packUints([...memo.special].map((id) => at.get(id)!)) };
}

/** The memo a base kept, or undefined when it is missing or not this form. */
export function restoredReady(saved: SavedReady | undefined, ids: readonly string[]): ReadyMemo | undefined {
  const at = unpackUints(saved?.order);
  const n = unpackUints(saved?.counts);
  const specialAt = unpackUints(saved?.special);
  if (!at || !n || !specialAt || at.length !== n.length) return undefined;
  const order = Array.from(at, (i) => ids[i]!);
  const counts = new Map<string, number>();
  for (let i = 0; i < order.length; i++) counts.set(order[i]!, n[i]!);
  return { order, counts, uses: 2, special: new Set(Array.from(specialAt, (i) => ids[i]!)) };
}
