import { RwError } from "../domain/errors.ts";
import { parseCommitTree } from "./objects.ts";
import { compareAndSwap } from "./ref-store.ts";
import { readReflog, refTarget } from "./repo.ts";
import type { Store } from "./store.ts";

export interface RepairReport {
  ref: string;
  /** Whether the ref was moved. */
  repaired: boolean;
  /** What the ref named before (missing when repaired). */
  from: string | null;
  to: string | null;
  /** Reflog entries newer than the commit the ref went back to: their commits are gone. */
  lost: Array<{ oid: string; when: string; message: string }>;
  message: string;
}

/** A commit that exists and whose tree exists (what `rw` needs to read the state at it). */
async function readable(store: Store, oid: string): Promise<boolean> {
  const commit = await store.cat.read(oid);
  if (!commit || commit.type !== "commit") return false;
  const tree = await store.cat.read(parseCommitTree(commit.data));
  return tree !== null && tree.type === "tree";
}

/**
 * `rw doctor --repair`: when the state ref names a commit that is gone (e.g. `git gc --prune=now`
 * raced a write), moves it back to the newest commit in its reflog that still exists, through
 * compare-and-swap (a writer that fixed it meanwhile wins), and says which reflog entries are lost.
 */
export async function repairRef(store: Store): Promise<RepairReport> {
  const ref = store.ref;
  const from = await refTarget(store.repo, ref);
  if (from === undefined) throw new RwError("not_initialized", `there is no ${ref} to repair`, { hint: "run `rw init` to create it (or fetch it from a remote with `rw init` in a clone)" });
  if (await readable(store, from)) return { ref, repaired: false, from, to: from, lost: [], message: `${ref} is readable at ${from.slice(0, 12)}: nothing to repair` };
  const entries = await readReflog(store.repo, ref);
  const lost: RepairReport["lost"] = [];
  for (const entry of entries) {
    if (entry.new === from && lost.some((l) => l.oid === from)) continue;
    if (entry.new !== from && (await readable(store, entry.new))) {
      if (!(await compareAndSwap(store.repo.gitDir, ref, entry.new, from, store.zeroOid, `rw: doctor --repair (was ${from}, missing)`))) {
        throw new RwError("conflict", `${ref} moved while it was being repaired`, { hint: "run `rw doctor` again to see its state now" });
      }
      const message = `moved ${ref} from ${from.slice(0, 12)} (missing) back to ${entry.new.slice(0, 12)} of ${entry.when}, the newest commit in its reflog that still exists`
        + (lost.length > 0 ? `; lost: ${lost.length} later commit${lost.length === 1 ? "" : "s"} (${lost[lost.length - 1]!.when} to ${lost[0]!.when}) — redo what they recorded, or fetch them from a remote that has them` : "");
      return { ref, repaired: true, from, to: entry.new, lost, message };
    }
    lost.push({ oid: entry.new, when: entry.when, message: entry.message });
  }
  throw new RwError("corrupt", `${ref} points at ${from.slice(0, 12)}, which is missing, and no commit in its reflog still exists`, {
    hint: `take the remote's copy: \`git fetch origin ${ref.replace(/^refs\/heads\//, "")} && git update-ref ${ref} FETCH_HEAD\``,
    data: { ref, oid: from },
  });
}
