import { mkdirSync, readdirSync, readFileSync, realpathSync, unlinkSync, writeFileSync } from "node:fs";
import { join, relative, isAbsolute } from "node:path";
import { mirrorRoot } from "./mirror-index.ts";
import { me, ownerIsLive, type Owner } from "./owner.ts";
import { rwDir, type RepoPaths } from "./repo.ts";
import type { Actor, Store } from "./store.ts";

/**
 * Agent sessions running in the main work tree (`rw agent run` there), so the mirror can tell
 * an agent's edit of `.rewind/` from the human's. Each session writes a marker under
 * `<git-common-dir>/rewind/agent-sessions/` (its ID, PID and process start time) for as long as
 * it runs; while a live marker exists, mirror edits are not recorded as anyone (see
 * mirror-sync.ts). A marker of a process that died is ignored and removed.
 */

export interface AgentMarker extends Owner { session: string; worktree: string; started_at: string }

const dirOf = (repo: RepoPaths): string => join(rwDir(repo), "agent-sessions");

const real = (p: string): string => {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
};

/** True when `dir` is the main work tree or inside it: an agent there can reach `.rewind/`. */
export function inMainWorktree(repo: RepoPaths, dir: string): boolean {
  if (!repo.mainWorktree) return false;
  const rel = relative(real(repo.mainWorktree), real(dir));
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/** Marks a session as running in `worktree` (only when that is the main work tree); returns the unmark function. */
export function markAgentSession(repo: RepoPaths, session: string, worktree: string, startedAt: string): () => void {
  if (!inMainWorktree(repo, worktree)) return () => undefined;
  const dir = dirOf(repo);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${session.replace(/[^A-Za-z0-9._-]/g, "_")}.json`);
  const marker: AgentMarker = { ...me(), session, worktree, started_at: startedAt };
  writeFileSync(file, `${JSON.stringify(marker)}\n`);
  const unmark = (): void => {
    try {
      unlinkSync(file);
    } catch {
      // already gone
    }
  };
  process.once("exit", unmark);
  return () => {
    process.removeListener("exit", unmark);
    unmark();
  };
}

/** The live agent session in the main work tree, if any (stale markers are removed). */
export function liveAgentSession(repo: RepoPaths): AgentMarker | undefined {
  const dir = dirOf(repo);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return undefined;
  }
  for (const name of names) {
    if (!name.endsWith(".json")) continue;
    let m: AgentMarker | undefined;
    try {
      m = JSON.parse(readFileSync(join(dir, name), "utf8")) as AgentMarker;
    } catch {
      continue; // being written
    }
    if (typeof m?.pid === "number" && ownerIsLive(m)) return m;
    try {
      unlinkSync(join(dir, name));
    } catch {
      // someone else removed it
    }
  }
  return undefined;
}

/** Whether the session named is still running. */
export function sessionIsLive(repo: RepoPaths, session: string): boolean {
  return listLive(repo).some((m) => m.session === session);
}

function listLive(repo: RepoPaths): AgentMarker[] {
  const dir = dirOf(repo);
  const out: AgentMarker[] = [];
  try {
    for (const name of readdirSync(dir)) {
      try {
        const m = JSON.parse(readFileSync(join(dir, name), "utf8")) as AgentMarker;
        if (ownerIsLive(m)) out.push(m);
      } catch {
        // unreadable: not live
      }
    }
  } catch {
    // no markers
  }
  return out;
}

/**
 * Run by the session's own process as it ends, while its marker still says "agent": one sync
 * round, so every edit the agent made to `.rewind/` is held (not recorded) however late a
 * daemon would have noticed it. Waits for a round another process is running.
 */
export async function holdAgentEdits(store: Store, actor: Actor): Promise<void> {
  if (!mirrorRoot(store.repo)) return;
  const { syncMirror } = await import("./mirror-sync.ts");
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const r = await syncMirror(store, { actor, log: () => undefined });
    if (r.ran) return;
    await new Promise((res) => setTimeout(res, 50));
  }
}
