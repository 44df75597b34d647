import { watch as fsWatch, type FSWatcher } from "node:fs";
import { dirname, join } from "node:path";
import type { Store } from "./store.ts";

/**
 * Watches where git keeps the state ref: the loose ref's directory (update-ref renames a lock
 * file over it), the common dir (packed-refs, reftable). Any event just triggers a cheap tip
 * check by the caller; fs.watch can miss events, so callers also poll (the daemon, `rw board`).
 */
export function watchRef(store: Store, onChange: () => void): FSWatcher[] {
  const dirs = [dirname(join(store.repo.commonDir, store.ref)), store.repo.commonDir, join(store.repo.commonDir, "reftable")];
  const out: FSWatcher[] = [];
  for (const dir of dirs) {
    try {
      out.push(fsWatch(dir, { persistent: true }, () => onChange()));
    } catch {
      // missing (no reftable, ref not yet packed): the poll covers it
    }
  }
  return out;
}
