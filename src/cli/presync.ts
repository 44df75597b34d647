import { lockIsLive, readLock } from "../daemon/lock.ts";
import { mirrorRoot } from "../store/mirror-index.ts";
import { rwDir } from "../store/repo.ts";
import type { Actor, Store } from "../store/store.ts";

/**
 * What every command runs first while the mirror exists: nothing when a daemon is running (it
 * syncs within milliseconds) or when stats show nothing changed since the last round; a full
 * sync round otherwise. Kept small: it is on the path of `rw ready`.
 */
export async function syncBeforeCommand(store: Store, actor: () => Promise<Actor>): Promise<void> {
  const root = mirrorRoot(store.repo);
  if (!root) return;
  const daemon = readLock(rwDir(store.repo));
  if (daemon && lockIsLive(daemon)) return;
  const { mirrorUpToDate, syncMirror } = await import("../store/mirror-sync.ts");
  if (await mirrorUpToDate(store, root)) return;
  await syncMirror(store, { actor: await actor() });
}
