import { statSync, watch, type FSWatcher } from "node:fs";
import { join } from "node:path";

/**
 * Watches the mirror's folders with one `fs.watch` each, not one per file: at 10,000 task files
 * a per-file watcher (chokidar) holds 10,000 handles and re-reads the whole folder on every
 * event, which cost the daemon ~90% of a core and 200 MB (bench/README.md). The kernel already
 * reports which entry changed; that name is all a sync round needs.
 *
 * `onName(sub, name)` gets the changed entry (`sub` is "tasks" or "initiatives"); `onLost()` is
 * called when a name could not be told (the platform gave none, a folder was replaced, the
 * watcher failed): the caller then scans everything. `ensure()` re-arms any watch whose folder
 * was removed or replaced since (one stat per folder); the daemon calls it after each round.
 */
export interface MirrorWatcher {
  ensure(): void;
  close(): void;
}

interface Armed { watcher: FSWatcher; ino: number }

const inodeOf = (path: string): number | undefined => statSync(path, { throwIfNoEntry: false })?.ino;

export function watchMirror(root: string, subs: readonly string[], onName: (sub: string, name: string) => void, onLost: (why: string) => void): MirrorWatcher {
  const armed = new Map<string, Armed>(); // "" is the root itself
  let closed = false;

  const drop = (key: string): void => {
    armed.get(key)?.watcher.close();
    armed.delete(key);
  };
  const arm = (key: string, onEvent: (name: string | undefined) => void): void => {
    drop(key);
    const dir = key === "" ? root : join(root, key);
    const ino = inodeOf(dir);
    if (closed || ino === undefined) return; // not there yet: ensure() arms it once it is
    try {
      const watcher = watch(dir, { persistent: true }, (_event, name) => onEvent(name?.toString()));
      watcher.on("error", () => {
        // The folder was removed (or the watch broke): look at everything; ensure() re-arms it.
        drop(key);
        onLost(`${key || ".rewind"}/ was removed or cannot be watched`);
      });
      armed.set(key, { watcher, ino });
    } catch {
      // gone between the stat and the watch: ensure() tries again
    }
  };
  const armSub = (sub: string): void => arm(sub, (name) => {
    if (name) onName(sub, name);
    else onLost(`${sub}/: the platform did not say which file changed`);
  });
  const armRoot = (): void => arm("", (name) => {
    // A folder created, deleted or replaced (`rm -rf`, a restore): re-arm it, look at everything.
    if (name === undefined || subs.includes(name)) {
      for (const s of name ? [name] : subs) armSub(s);
      onLost(`${name ?? ".rewind"}/ changed`);
    }
  });

  const ensure = (): void => {
    if (closed) return;
    for (const key of ["", ...subs]) {
      const a = armed.get(key);
      const ino = inodeOf(key === "" ? root : join(root, key));
      if (a && a.ino === ino) continue;
      if (key === "") armRoot();
      else armSub(key);
      if (a) onLost(`${key || ".rewind"}/ was replaced`);
    }
  };
  ensure();
  return {
    ensure,
    close(): void {
      closed = true;
      for (const key of [...armed.keys()]) drop(key);
    },
  };
}
