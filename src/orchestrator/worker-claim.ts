import { decideHeartbeat } from "../domain/decide-lifecycle.ts";
import { RwError } from "../domain/errors.ts";
import type { RunEnv, Worker } from "./worker.ts";

/** Keeps the claim alive while the worker runs; reports a lost claim (lease expired and taken over). */
export function heartbeat(r: RunEnv, w: Worker, id: string, onLost: () => void): () => void {
  const every = Math.max(1_000, Math.floor(r.store.config.claims.lease_ms / 3));
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    r.store.transact(decideHeartbeat(id), w.actor).then(
      () => { running = false; },
      (err: unknown) => {
        running = false;
        if (err instanceof RwError && (err.code === "not_claimable" || err.code === "not_found")) onLost();
      },
    );
  }, every);
  return () => clearInterval(timer);
}

/**
 * Whether the worker still holds the task at the tip, checked right before its work lands. A
 * lease with less than half of it left is renewed first, so nobody can take the task over
 * between the merge and `task.completed`; the renewal fails if someone already has.
 */
export async function stillHolds(r: RunEnv, w: Worker, id: string): Promise<boolean> {
  const t = (await r.store.snapshot()).state.tasks[id];
  if (t?.status !== "in_progress" || t.assignee !== w.actor.name) return false;
  if (t.lease_until !== undefined && Date.parse(t.lease_until) - r.clock() > r.store.config.claims.lease_ms / 2) return true;
  try {
    await r.store.transact(decideHeartbeat(id), w.actor);
    return true;
  } catch (err) {
    if (err instanceof RwError && err.code === "not_claimable") return false;
    throw err;
  }
}

/**
 * A provider error that is about configuration or credentials, not about the task: a refused or
 * missing key, a CLI that vanished, an endpoint that cannot be reached. Retrying the task cannot
 * fix it, so the run stops, gives the claim back and does not count it as the task's failure.
 */
const CONFIG_ERROR = /\b(401|403)\b|no API key|API key was refused|invalid[ _-]?(x-)?api[ _-]?key|authentication|unauthori[sz]ed|permission denied|not found on PATH|is not executable|cannot reach|ECONNREFUSED|ENOTFOUND/i;

export const isConfigError = (text: string | undefined): boolean => text !== undefined && CONFIG_ERROR.test(text);

/** Thrown to stop the whole run: the configuration (not the task) is at fault. */
export function configStop(id: string, detail: string): RwError {
  return new RwError("config", `rw run stopped: ${detail}`, {
    hint: `fix the configuration (\`rw config check\` shows each role), then run \`rw run\` again; ${id} was released and its retry count is unchanged`,
    data: { task: id, detail },
  });
}
