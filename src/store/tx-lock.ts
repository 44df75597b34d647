import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { me, ownerIsLive, ownerLine, parseOwner } from "./owner.ts";

/**
 * Git holds `<ref>.lock` for the milliseconds of one ref update; one this old, found while we
 * hold tx.lock (so no rw transaction of this repository is between prepare and commit), was
 * left by a killed git and would fail every write until removed.
 */
const REF_LOCK_STALE_MS = 2000;
/** A lock whose owner cannot be read (an older rw, a torn write) is taken as stale after this long. */
const STALE_MS = 3000;
/** After waiting this long a writer goes ahead without the lock: compare-and-swap still decides. */
const GIVE_UP_MS = 5000;

/**
 * Runs one transaction attempt under an advisory lock file (`<git-common-dir>/rewind/tx.lock`),
 * so racing writers queue instead of each building a commit of which only one can land. It is
 * an optimisation only: `git update-ref` with an old value remains what makes writes correct,
 * so a writer that waited too long proceeds, and a missing directory or any other error simply
 * means running without it. The file holds the owner's PID and process start time: a lock left
 * by a killed writer (dead PID, or a PID reused by another process) is taken over at once and
 * reported on stderr. Measured: without the lock, 8 racing `rw claim --next` processes wasted
 * most of their work on lost races.
 */
export async function withTxLock<T>(dir: string, fn: () => Promise<T>, opts: { refLock?: string; report?: (line: string) => void } = {}): Promise<T> {
  const report = opts.report ?? ((l: string) => process.stderr.write(`rw: ${l}\n`));
  const path = join(dir, "tx.lock");
  const deadline = Date.now() + GIVE_UP_MS;
  const mine = me();
  let held = false;
  for (;;) {
    try {
      mkdirSync(dir, { recursive: true });
      const fd = openSync(path, "wx");
      writeSync(fd, `${ownerLine(mine)}\n`);
      closeSync(fd);
      held = true;
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST" || Date.now() > deadline) break;
      const stale = staleHolder(path);
      if (stale !== undefined) {
        try {
          // Move exactly the judged file aside (atomic), then drop it: a fresh lock is never removed by a blind rm.
          const aside = `${path}.stale-${process.pid}`;
          renameSync(path, aside);
          unlinkSync(aside);
          report(`took over a stale tx.lock (${stale})`);
        } catch {
          // gone meanwhile: try again
        }
        continue;
      }
      await new Promise((r) => setTimeout(r, 2 + Math.random() * 6));
    }
  }
  if (held && opts.refLock) clearStaleRefLock(opts.refLock, report);
  try {
    return await fn();
  } finally {
    if (held) rmSync(path, { force: true });
  }
}

/** Why the lock at `path` is stale, or undefined while its owner lives (or it is too fresh to judge). */
function staleHolder(path: string): string | undefined {
  let text: string;
  let mtimeMs: number;
  try {
    text = readFileSync(path, "utf8");
    mtimeMs = statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
  const owner = parseOwner(text);
  if (owner) return ownerIsLive(owner) ? undefined : `pid ${owner.pid} is gone${owner.start ? " or is another process now" : ""}`;
  // Empty: a writer between create and write, normally; only an old one is abandoned.
  return Date.now() - mtimeMs > STALE_MS ? `no owner recorded, ${Math.round((Date.now() - mtimeMs) / 1000)} s old` : undefined;
}

/** Removes a git `<ref>.lock` left by a killed process (see REF_LOCK_STALE_MS) and says so. */
function clearStaleRefLock(path: string, report: (line: string) => void): void {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return;
  const age = Date.now() - st.mtimeMs;
  if (age < REF_LOCK_STALE_MS) return;
  try {
    const aside = `${path}.stale-${process.pid}`;
    renameSync(path, aside);
    unlinkSync(aside);
    report(`removed a stale git lock ${path} (${Math.round(age / 1000)} s old, left by a killed git; no rw write was in progress)`);
  } catch {
    // gone meanwhile
  }
}
