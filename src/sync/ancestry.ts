import { mergeBase } from "../store/merge-commit.ts";
import { parseCommitParents } from "../store/objects.ts";
import type { Store } from "../store/store.ts";

/** How many commits the in-process walk reads before leaving the question to `git merge-base`. */
const WALK_LIMIT = 64;

/**
 * The merge base of two tips, as `git merge-base` answers it. In a claim loop one side is nearly
 * always a few commits behind the other (another clone claimed, or we noted locally), and a
 * walk back from both tips through the store's long-lived cat-file answers that without a git
 * process per round. A walk proves only "X is an ancestor of Y" (then X is the merge base); when
 * it does not find one within the bound, or the history has merges or missing (shallow)
 * commits in the way, git decides.
 */
export async function syncBase(store: Store, ours: string, theirs: string): Promise<string | null> {
  const walks = [
    { from: [theirs], seen: new Set<string>(), target: ours },
    { from: [ours], seen: new Set<string>(), target: theirs },
  ];
  let read = 0;
  while (read < WALK_LIMIT && walks.some((w) => w.from.length > 0)) {
    for (const w of walks) {
      const oid = w.from.shift();
      if (oid === undefined || w.seen.has(oid)) continue;
      if (oid === w.target) return oid;
      w.seen.add(oid);
      const obj = await store.cat.read(oid);
      read++;
      if (!obj || obj.type !== "commit") return mergeBase(store, ours, theirs); // shallow or odd: git knows
      w.from.push(...parseCommitParents(obj.data));
    }
  }
  return mergeBase(store, ours, theirs);
}
