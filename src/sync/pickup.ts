import { advanceRef } from "../store/merge-commit.ts";
import type { Store } from "../store/store.ts";
import { fetchState, lastFetched, remoteExists } from "./remote.ts";
import { syncRemote } from "./sync.ts";

/**
 * `rw init` in a fresh clone: when the remote already has the state ref, start from it instead
 * of a new orphan (two unrelated histories would only be joined by the first sync's merge).
 * Offline, the tip `git clone` fetched is good enough. Null when there is nothing to pick up.
 */
export async function pickUpRemoteState(store: Store): Promise<{ remote: string; tip: string } | null> {
  if (await store.cat.read(store.ref)) return null;
  const remote = syncRemote(store);
  if (!(await remoteExists(store, remote))) return null;
  let tip: string | null;
  try {
    tip = await fetchState(store, remote);
  } catch {
    tip = await lastFetched(store, remote);
  }
  if (!tip) return null;
  // Compare-and-swap from "no ref": if something created it meanwhile, init keeps that.
  return (await advanceRef(store, tip, null, `rw init: from ${remote}`)) ? { remote, tip } : null;
}
