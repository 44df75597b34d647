import { readFileSync } from "node:fs";

/**
 * Who holds a lock: a PID and that process's kernel start time. The start time tells the
 * process that wrote a lock from an unrelated one that reused its PID after it died, so a stale
 * lock is recognised at once instead of after a timeout. Linux /proc; elsewhere the start time
 * is "" and only the PID is checked.
 */
export interface Owner { pid: number; start: string }

export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** The process's start time (clock ticks since boot, /proc/<pid>/stat field 22), or "" where /proc is unavailable. */
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

/** This process as a lock owner. */
export const me = (): Owner => ({ pid: process.pid, start: processStart(process.pid) });

/** True when the owner is alive and is the same process (same start time) that took the lock. */
export function ownerIsLive(o: Owner): boolean {
  if (!Number.isInteger(o.pid) || o.pid <= 0 || !isAlive(o.pid)) return false;
  if (o.start === "") return true;
  const now = processStart(o.pid);
  return now === "" || now === o.start;
}

/** `"<pid> <start>"`: the one-line owner record the small lock files hold. */
export const ownerLine = (o: Owner): string => `${o.pid} ${o.start}`;

/** Parses ownerLine (a bare PID, as older versions wrote, has an unknown start). */
export function parseOwner(text: string): Owner | undefined {
  const [pid, start] = text.trim().split(/\s+/);
  const n = Number(pid);
  return Number.isInteger(n) && n > 0 ? { pid: n, start: start ?? "" } : undefined;
}
