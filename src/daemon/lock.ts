import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RwError } from "../domain/errors.ts";
import { me, ownerIsLive, ownerLine, parseOwner, processStart } from "../store/owner.ts";

export { processStart };

/**
 * One daemon per repository (DESIGN §5): `<git-common-dir>/rewind/daemon.lock` holds the PID and
 * the process's start time. The start time tells a live daemon from an unrelated process that
 * reused a dead daemon's PID; a lock whose process is gone is stale and taken over.
 */
export interface LockInfo {
  pid: number;
  /** Kernel start time of the process (clock ticks since boot, /proc/<pid>/stat field 22), "" if unknown. */
  start: string;
  started_at: string;
  log?: string;
  cwd: string;
}

export const lockPath = (dir: string): string => join(dir, "daemon.lock");

export function readLock(dir: string): LockInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(lockPath(dir), "utf8")) as LockInfo;
    return typeof info.pid === "number" ? info : undefined;
  } catch {
    return undefined;
  }
}

/** True when the lock's process is alive and is the same process that wrote it. */
export const lockIsLive = (info: LockInfo): boolean => ownerIsLive(info);

/** Takes the daemon lock or throws naming the running daemon. Returns the release function. */
export function acquireDaemonLock(dir: string, info: Omit<LockInfo, "pid" | "start">, onStale?: (line: string) => void): () => void {
  mkdirSync(dir, { recursive: true });
  const mine: LockInfo = { pid: process.pid, start: processStart(process.pid), ...info };
  const tmp = join(dir, `daemon.lock.${process.pid}.tmp`);
  writeFileSync(tmp, `${JSON.stringify(mine)}\n`);
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(tmp, lockPath(dir)); // atomic "create if absent" with the full content in place
        return () => release(dir, mine);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
      const other = readLock(dir);
      if (other && lockIsLive(other)) {
        throw new RwError("conflict", `a daemon is already running for this repository (pid ${other.pid}, since ${other.started_at})`, {
          hint: "`rw daemon status` shows it; `rw daemon stop` stops it",
          data: { pid: other.pid },
        });
      }
      if (mutexIsStale(join(dir, "daemon.lock.takeover"))) onStale?.("removed daemon.lock.takeover/ left by a daemon start that was killed");
      if (other) onStale?.(`took over the lock of a daemon that is gone (pid ${other.pid}${other.start ? ", or that PID is another process now" : ""})`);
      takeOverStale(dir, other);
    }
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
  }
  throw new RwError("conflict", "could not take the daemon lock: another daemon is starting", { hint: "retry in a moment" });
}

/**
 * Moves a stale lock aside under a short mutex (a directory holding its owner), so two starters
 * cannot both remove a fresh lock. A mutex left by a starter that was killed in between is
 * itself judged by its owner (PID + start time) and removed at once, so it never blocks later
 * starts while `rw daemon status` says nothing runs.
 */
function takeOverStale(dir: string, seen: LockInfo | undefined): void {
  const mutex = join(dir, "daemon.lock.takeover");
  if (!takeMutex(mutex)) return; // another live starter is taking over; our next attempt sees its lock
  try {
    const now = readLock(dir);
    if (now?.pid === seen?.pid && now?.start === seen?.start) renameSync(lockPath(dir), join(dir, `daemon.lock.stale`));
  } catch {
    // vanished meanwhile: fine
  } finally {
    rmSync(mutex, { recursive: true, force: true });
  }
}

function takeMutex(mutex: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      mkdirSync(mutex);
      writeFileSync(join(mutex, "owner"), ownerLine(me()));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") return false;
    }
    if (!mutexIsStale(mutex)) return false;
    rmSync(mutex, { recursive: true, force: true });
  }
  return false;
}

/** A takeover mutex whose starter died (or that has no owner and is older than a second). */
export function mutexIsStale(mutex: string): boolean {
  let text: string | undefined;
  try {
    text = readFileSync(join(mutex, "owner"), "utf8");
  } catch {
    text = undefined;
  }
  const owner = text === undefined ? undefined : parseOwner(text);
  if (owner) return !ownerIsLive(owner);
  const st = statSync(mutex, { throwIfNoEntry: false });
  return st !== undefined && Date.now() - st.mtimeMs > 1000;
}

function release(dir: string, mine: LockInfo): void {
  const now = readLock(dir);
  if (now?.pid !== mine.pid || now.start !== mine.start) return; // not ours any more
  try {
    unlinkSync(lockPath(dir));
  } catch {
    // already gone
  }
}
