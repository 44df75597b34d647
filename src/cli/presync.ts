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
  const session = process.env.RW_AGENT_SESSION;
  if (session) {
    // rw set this for an agent it started: what changed in .rewind/ may be the agent's edit,
    // and recording it here would record it as whoever runs this command.
    process.stderr.write(`rw: .rewind/ has changes that are not recorded: this command runs inside an agent session (RW_AGENT_SESSION=${session}), and mirror edits are recorded only from commands a person runs\n`);
    return;
  }
  await syncMirror(store, { actor: await actor() });
}
