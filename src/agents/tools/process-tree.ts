import { readdirSync, readFileSync } from "node:fs";

/**
 * Everything a tool command started, found and killed without cgroups (Linux /proc). A command
 * runs as the leader of a new session; its processes are those of that session or process
 * group, their descendants, and any process whose environment still carries the command's
 * token (`RW_TOOL_RUN`). The token is what catches `setsid`, double forks and `nohup … &`
 * children that were re-parented to init: they leave the session and the parent chain, but
 * inherit the environment. A process that clears its whole environment *and* leaves the
 * session escapes this; an agent that can do that can also just not be run (see README,
 * "Agent sandbox"). Where /proc is missing, only the session's process group is signalled.
 */

export const TOKEN_VAR = "RW_TOOL_RUN";

interface Proc { pid: number; ppid: number; pgrp: number; sid: number; zombie: boolean }

function readProc(pid: number): Proc | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 2 (the command name) may hold spaces and parentheses: read after the last ')'.
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { pid, ppid: Number(f[1]), pgrp: Number(f[2]), sid: Number(f[3]), zombie: f[0] === "Z" || f[0] === "X" };
  } catch {
    return undefined;
  }
}

function hasToken(pid: number, marker: Buffer): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`).includes(marker);
  } catch {
    return false;
  }
}

function allPids(): number[] | undefined {
  try {
    return readdirSync("/proc").filter((n) => /^\d+$/.test(n)).map(Number);
  } catch {
    return undefined;
  }
}

/** The live processes a command (session leader `leader`, environment token `token`) started. */
export function processesOf(leader: number, token: string): number[] | undefined {
  const pids = allPids();
  if (!pids) return undefined;
  const marker = Buffer.from(`${TOKEN_VAR}=${token}\0`);
  const procs = pids.map(readProc).filter((p): p is Proc => p !== undefined && !p.zombie && p.pid !== process.pid);
  const found = new Set<number>();
  for (const p of procs) {
    if (p.pid === leader || p.sid === leader || p.pgrp === leader || hasToken(p.pid, marker)) found.add(p.pid);
  }
  // Descendants of what was found (a child that cleared its environment but kept its parent).
  for (let grew = true; grew;) {
    grew = false;
    for (const p of procs) {
      if (!found.has(p.pid) && found.has(p.ppid)) {
        found.add(p.pid);
        grew = true;
      }
    }
  }
  found.delete(process.pid);
  return [...found];
}

const signal = (pid: number, sig: NodeJS.Signals): void => {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
};

/**
 * Kills every process of the command: stop them all first (so none forks while we look), then
 * SIGKILL, and look again until nothing is left. Synchronous, so it also works in an exit handler.
 */
export function killAll(leader: number, token: string): number {
  let killed = 0;
  for (let round = 0; round < 50; round++) {
    const found = processesOf(leader, token);
    if (found === undefined) {
      signal(-leader, "SIGKILL");
      return killed;
    }
    if (found.length === 0) return killed;
    for (const pid of found) signal(pid, "SIGSTOP");
    for (const pid of found) signal(pid, "SIGKILL");
    killed += found.length;
    // Give the kernel a moment to reap before looking again (busy-wait: this must stay sync).
    const until = Date.now() + 5;
    while (Date.now() < until) { /* spin */ }
  }
  return killed;
}

/** Sends `sig` to every process of the command (the polite first step before killAll). */
export function signalAll(leader: number, token: string, sig: NodeJS.Signals): void {
  const found = processesOf(leader, token);
  if (found === undefined) signal(-leader, sig);
  else for (const pid of found) signal(pid, sig);
}

/** Commands still running in this process: killed if rw exits while they run. */
const live = new Map<string, number>();
let exitHook = false;

export function register(token: string, leader: number): () => void {
  live.set(token, leader);
  if (!exitHook) {
    exitHook = true;
    process.on("exit", () => {
      for (const [t, l] of live) killAll(l, t);
    });
  }
  return () => live.delete(token);
}
