import { closeSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, watch, writeSync, type FSWatcher } from "node:fs";
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
  let held = false;
  let waiter: DirWaiter | undefined;
  let judged = 0;
  for (;;) {
    try {
      take(dir, path);
      held = true;
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EAGAIN") continue; // owner file made again (take)
      if ((err as NodeJS.ErrnoException).code !== "EEXIST" || Date.now() > deadline) break;
      // Whether the holder died is asked every STALE_CHECK_MS, not on every wake-up.
      let stale: string | undefined;
      if (Date.now() - judged >= STALE_CHECK_MS) {
        stale = staleHolder(path);
        judged = Date.now();
      }
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
      waiter ??= new DirWaiter(dir);
      await waiter.wait();
    }
  }
  waiter?.close();
  if (held && opts.refLock) clearStaleRefLock(opts.refLock, report);
  try {
    return await fn();
  } finally {
    if (held) rmSync(path, { force: true });
  }
}

/** How often a waiting writer asks whether the lock's holder is still alive. */
const STALE_CHECK_MS = 50;

/**
 * Waits for the lock to be released: woken by the lock folder changing (the release is an
 * unlink there; inotify through fs.watch), or after a short while if no event comes (a file
 * system without change events, a missed one). Polling every few ms instead kept 7 waiting
 * `rw claim` processes waking ~1,400 times a second on 2 cores.
 */
class DirWaiter {
  private watcher: FSWatcher | undefined;
  private wake: (() => void) | undefined;

  constructor(dir: string) {
    try {
      this.watcher = watch(dir, { persistent: false }, () => this.wake?.());
      this.watcher.on("error", () => this.close());
    } catch {
      this.watcher = undefined; // no change events here: poll
    }
  }

  wait(): Promise<void> {
    // Jittered, so waiters woken together do not try again in lockstep.
    const ms = this.watcher ? 20 + Math.random() * 30 : 2 + Math.random() * 6;
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.wake?.();
  }
}

/** This process's owner file per lock folder (see take). */
const owners = new Map<string, string>();

/**
 * Creates `path` holding this process's owner line, or throws EEXIST. The lock is a hard link to
 * an owner file made once per process (`tx.owner.<pid>`), so taking and dropping it make and
 * remove a name, not a file: measured on the benchmark machine, creating a file cost ~0.4-0.9 ms
 * of kernel time (removing it as much again), a link and an unlink ~10 µs together. link(2) is
 * as exclusive as O_EXCL. Where links are refused (some file systems), the file is created.
 */
function take(dir: string, path: string): void {
  let owner = owners.get(dir);
  if (owner === undefined) {
    mkdirSync(dir, { recursive: true });
    owner = join(dir, `tx.owner.${process.pid}`);
    sweepOwners(dir);
    writeOwner(owner, false);
    owners.set(dir, owner);
    if (owners.size === 1) process.once("exit", () => { for (const f of owners.values()) rmSync(f, { force: true }); });
  }
  try {
    linkSync(owner, path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw err;
    if (code === "ENOENT") {
      owners.delete(dir); // the folder or the owner file was removed: make them again next time
      throw Object.assign(new Error("owner file gone"), { code: "EAGAIN" });
    }
    writeOwner(path); // no hard links here
  }
}

/** `exclusive`: the lock itself (no links here); else this process's own owner file, whatever an earlier process of this PID left. */
function writeOwner(path: string, exclusive = true): void {
  const fd = openSync(path, exclusive ? "wx" : "w");
  try {
    writeSync(fd, `${ownerLine(me())}\n`);
  } finally {
    closeSync(fd);
  }
}

/** Removes owner files of processes that are gone (killed before their exit handler ran). */
function sweepOwners(dir: string): void {
  for (const name of readdirSync(dir)) {
    if (!name.startsWith("tx.owner.")) continue;
    const file = join(dir, name);
    try {
      const o = parseOwner(readFileSync(file, "utf8"));
      if (o && !ownerIsLive(o)) unlinkSync(file);
    } catch {
      // gone meanwhile
    }
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
