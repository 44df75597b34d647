import type { TxHooks } from "../store/transact.ts";
import type { Actor, Store } from "../store/store.ts";
import { pushState } from "./remote.ts";
import { syncOnce, syncRemote } from "./sync.ts";

/** The remote claims go to (`sync.remote`, else origin): `rw claim` names it in its answer. */
export { syncRemote };

/**
 * `sync.claims = "remote"`: a claim is a compare-and-swap on the remote's ref. Before each
 * attempt the local ref is brought level with the remote (fetch, fast-forward or merge); the
 * decision runs on that tip; the commit is pushed with a lease on it, and only an accepted push
 * counts. Losing the push is a lost race like any other: fetch, decide again (for `--next`, on
 * the next ready task), and a task another machine took fails with exit code 3.
 */
export function remoteClaimHooks(store: Store, actor: Actor, remote = syncRemote(store)): TxHooks {
  return {
    prepare: async () => {
      await syncOnce(store, remote, actor, { details: false });
    },
    publish: (commit, parent) => pushState(store, remote, commit, parent, actor),
  };
}

/** The hooks a claim needs under this repository's config: none for `claims = "local"`. */
export function claimHooksFor(store: Store, actor: Actor): TxHooks | undefined {
  return store.config.sync.claims === "remote" ? remoteClaimHooks(store, actor) : undefined;
}
