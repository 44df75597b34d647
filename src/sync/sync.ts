import { RwError } from "../domain/errors.ts";
import type { MergeConflict } from "../domain/merge.ts";
import type { RwEvent } from "../domain/types.ts";
import { advanceRef, buildMergeCommit, eventsAt } from "../store/merge-commit.ts";
import type { Actor, Store } from "../store/store.ts";
import { syncBase } from "./ancestry.ts";
import { fetchState, pushState } from "./remote.ts";

export type SyncAction = "up_to_date" | "fast_forward" | "pushed" | "merged" | "created";

export interface SyncReport {
  remote: string;
  ref: string;
  action: SyncAction;
  /** Events this machine did not have before. */
  incoming: RwEvent[];
  /** Events the remote did not have before. */
  outgoing: RwEvent[];
  conflicts: MergeConflict[];
  /** Derived events the merge wrote to resolve the conflicts. */
  resolutions: RwEvent[];
  tip: string;
  /** 1 unless another machine pushed between our fetch and our push. */
  attempts: number;
}

const MAX_ATTEMPTS = 50;

/** The remote `rw sync` uses: the argument, else `[sync] remote`, else origin. */
export function syncRemote(store: Store, arg?: string): string {
  return arg ?? store.config.sync.remote ?? "origin";
}

/**
 * One exchange with the remote (DESIGN §9): fetch its state ref; fast-forward whichever side is
 * behind; when the histories diverged, write a merge commit of the union of events, push it with
 * a lease on the remote tip it merged, and only then move the local ref (compare-and-swap). A
 * push that loses to another machine, or a local writer that moves the ref meanwhile, starts the
 * round again from a fresh fetch. The daemon calls this for `sync.auto`.
 */
export async function syncOnce(store: Store, remote: string, actor: Actor, opts: { details?: boolean } = {}): Promise<SyncReport> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const report = await round(store, remote, actor, attempt, opts.details ?? true);
    if (report) return report;
    await new Promise((r) => setTimeout(r, Math.random() * Math.min(250, 5 * 2 ** Math.min(attempt, 6))));
  }
  throw new RwError("conflict", `gave up syncing with ${remote} after ${MAX_ATTEMPTS} attempts: other machines kept pushing`, {
    hint: "run `rw sync` again",
  });
}

async function round(store: Store, remote: string, actor: Actor, attempts: number, details: boolean): Promise<SyncReport | null> {
  // Listing what moved reads both logs; a remote claim only needs the refs to agree.
  const newEvents = details ? eventsBetween : async (): Promise<RwEvent[]> => [];
  const theirs = await fetchState(store, remote);
  const ours = (await store.cat.read(store.ref))?.oid ?? null;
  const base = { remote, ref: store.ref, conflicts: [], resolutions: [], attempts };
  if (!ours && !theirs) {
    throw new RwError("not_initialized", `neither this repository nor ${remote} has ${store.ref}`, { hint: "run `rw init` first" });
  }
  if (ours === theirs) return { ...base, action: "up_to_date", incoming: [], outgoing: [], tip: ours! };
  if (!ours) {
    const tip = theirs!;
    if (!(await advanceRef(store, tip, null, `rw sync: from ${remote}`))) return null;
    return { ...base, action: "created", incoming: await newEvents(store, tip, null), outgoing: [], tip };
  }
  if (!theirs) {
    if (!(await pushState(store, remote, ours, null, actor))) return null;
    return { ...base, action: "pushed", incoming: [], outgoing: await newEvents(store, ours, null), tip: ours };
  }
  // One merge base answers both "is one side behind?" questions (a side that is an ancestor of
  // the other is their merge base) and gives the merge its base; mostly found in-process.
  const common = await syncBase(store, ours, theirs);
  if (common === ours) {
    // Through the store's ref updater (in-process where git would do the same; the claim's own
    // CAS uses it next), not a one-shot process: this runs before every remote claim.
    const log = { name: actor.name, email: actor.email, when: new Date(), message: `rw sync: fast-forward from ${remote}` };
    if (!(await store.refs.cas(store.ref, theirs, ours, store.zeroOid, log))) return null;
    const incoming = await newEvents(store, theirs, ours);
    await store.trySnapshot(); // bring the index forward now, not on the next read
    return { ...base, action: "fast_forward", incoming, outgoing: [], tip: theirs };
  }
  if (common === theirs) {
    if (!(await pushState(store, remote, ours, theirs, actor))) return null;
    return { ...base, action: "pushed", incoming: [], outgoing: await newEvents(store, ours, theirs), tip: ours };
  }
  const built = await buildMergeCommit(store, { ours, theirs, base: common }, actor, `sync: merge ${store.ref} from ${remote}`);
  if (!(await pushState(store, remote, built.commit, theirs, actor))) return null;
  // The remote has the merge now; if a local command moved our ref meanwhile, the next round
  // merges that too (the remote tip is then a descendant of what we pushed).
  if (!(await advanceRef(store, built.commit, ours, `rw sync: merge from ${remote}`, built.snapshot))) return null;
  const m = built.merge;
  return { ...base, action: "merged", incoming: m.incoming, outgoing: m.outgoing, conflicts: m.conflicts, resolutions: m.resolutions, tip: built.commit };
}

/** Events at `tip` that `since` did not have. */
async function eventsBetween(store: Store, tip: string, since: string | null): Promise<RwEvent[]> {
  const [now, before] = await Promise.all([eventsAt(store, tip), eventsAt(store, since)]);
  const known = new Set(before.map((e) => e.id));
  return now.filter((e) => !known.has(e.id));
}
