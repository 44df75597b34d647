import { watch, type FSWatcher } from "node:fs";
import { join } from "node:path";

/**
 * Watches the mirror's folders with one `fs.watch` each, not one per file: at 10,000 task files
 * a per-file watcher (chokidar) holds 10,000 handles and re-reads the whole folder on every
 * event, which cost the daemon ~90% of a core and 200 MB (bench/README.md). The kernel already
 * reports which entry changed; that name is all a sync round needs.
 *
 * `onName(sub, name)` gets the changed entry (`sub` is "tasks" or "initiatives"); `onLost()` is
 * called when a name could not be told (the platform gave none, a folder was replaced, the
 * watcher failed): the caller then scans everything. Folders that do not exist yet are watched
 * as soon as they appear (the watch on `.rewind/` itself sees them arrive).
 */
export interface MirrorWatcher { close(): void }

export function watchMirror(root: string, subs: readonly string[], onName: (sub: string, name: string) => void, onLost: (why: string) => void): MirrorWatcher {
  const children = new Map<string, FSWatcher>();
  let closed = false;

  const arm = (sub: string): void => {
    children.get(sub)?.close();
    children.delete(sub);
    if (closed) return;
    try {
      const w = watch(join(root, sub), { persistent: true }, (_event, name) => {
        if (name) onName(sub, name.toString());
        else onLost(`${sub}/: the platform did not say which file changed`);
      });
      w.on("error", () => {
        // The folder was removed (or the watch broke): watch it again when it is back.
        children.get(sub)?.close();
        children.delete(sub);
        onLost(`${sub}/ was removed or cannot be watched`);
      });
      children.set(sub, w);
    } catch {
      // Not there yet: the watch on the root arms it when it appears.
    }
  };

  for (const sub of subs) arm(sub);
  let top: FSWatcher | undefined;
  try {
    top = watch(root, { persistent: true }, (_event, name) => {
      const sub = name?.toString();
      // A folder created, deleted or replaced (`git checkout`, `rm -rf`, a restore): re-arm it.
      if (sub === undefined || subs.includes(sub)) {
        for (const s of sub ? [sub] : subs) arm(s);
        onLost(`${sub ?? ".rewind"}/ changed`);
      }
    });
    top.on("error", () => onLost(".rewind/ cannot be watched"));
  } catch {
    onLost(".rewind/ cannot be watched");
  }
  return {
    close(): void {
      closed = true;
      top?.close();
      for (const w of children.values()) w.close();
      children.clear();
    },
  };
}
