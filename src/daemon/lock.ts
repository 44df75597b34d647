import { linkSync, mkdirSync, readFileSync, renameSync, rmdirSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RwError } from "../domain/errors.ts";
import { isAlive } from "../store/mirror-index.ts";

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

/** The process's start time as the kernel reports it, or "" where /proc is unavailable. */
export function processStart(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces and parentheses: count from its closing paren.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19] ?? "";
  } catch {
    return "";
  }
}

export function readLock(dir: string): LockInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(lockPath(dir), "utf8")) as LockInfo;
    return typeof info.pid === "number" ? info : undefined;
  } catch {
    return undefined;
  }
}

/** True when the lock's process is alive and is the same process that wrote it. */
export function lockIsLive(info: LockInfo): boolean {
  if (!isAlive(info.pid)) return false;
  if (info.start === "") return true;
  const now = processStart(info.pid);
  return now === "" || now === info.start;
}

/** Takes the daemon lock or throws naming the running daemon. Returns the release function. */
export function acquireDaemonLock(dir: string, info: Omit<LockInfo, "pid" | "start">): () => void {
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

/** Moves a stale lock aside under a short mutex, so two starters cannot both remove a fresh lock. */
function takeOverStale(dir: string, seen: LockInfo | undefined): void {
  const mutex = join(dir, "daemon.lock.takeover");
  try {
    mkdirSync(mutex);
  } catch {
    return; // another starter is taking over; our next attempt sees its lock
  }
  try {
    const now = readLock(dir);
    if (now?.pid === seen?.pid && now?.start === seen?.start) renameSync(lockPath(dir), join(dir, `daemon.lock.stale`));
  } catch {
    // vanished meanwhile: fine
  } finally {
    rmdirSync(mutex);
  }
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
