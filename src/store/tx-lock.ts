import { closeSync, mkdirSync, openSync, rmSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";

/** A lock older than this is taken to belong to a stuck or dead writer and is removed. */
const STALE_MS = 3000;
/** After waiting this long a writer goes ahead without the lock: compare-and-swap still decides. */
const GIVE_UP_MS = 5000;

/**
 * Runs one transaction attempt under an advisory lock file (`<git-common-dir>/rewind/tx.lock`),
 * so racing writers queue instead of each building a commit of which only one can land. It is
 * an optimisation only: `git update-ref` with an old value remains what makes writes correct,
 * so a stale lock is broken, a writer that waited too long proceeds, and a missing directory or
 * any other error simply means running without it. Measured: without it, 8 racing
 * `rw claim --next` processes wasted most of their work on lost races.
 */
export async function withTxLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const path = join(dir, "tx.lock");
  const deadline = Date.now() + GIVE_UP_MS;
  let held = false;
  for (;;) {
    try {
      mkdirSync(dir, { recursive: true });
      const fd = openSync(path, "wx");
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      held = true;
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST" || Date.now() > deadline) break;
      try {
        if (Date.now() - statSync(path).mtimeMs > STALE_MS) rmSync(path, { force: true });
      } catch {
        // gone meanwhile: try again
      }
      await new Promise((r) => setTimeout(r, 2 + Math.random() * 6));
    }
  }
  try {
    return await fn();
  } finally {
    if (held) rmSync(path, { force: true });
  }
}
