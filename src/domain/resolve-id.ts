import { RwError, notFound } from "./errors.ts";
import { assertValidId, isValidId } from "./ids.ts";
import type { Decider } from "./decide.ts";
import type { State } from "./types.ts";

/**
 * What a user types for an ID to the ID it means (issue 16): the exact ID, else a
 * case-insensitive match, else a unique prefix of the whole ID or of the part after the
 * project prefix (`rw show 3le9` → `slu-3le9`). Ambiguous input lists the candidates; no
 * match is "not found". Lookups use own properties only, so `constructor` or `__proto__` never
 * find a member of Object.prototype.
 */
export function resolveId(ids: Record<string, unknown>, input: string, what: "task" | "initiative" = "task", role: string = what): string {
  const id = input.trim();
  // A lookup of a harmless name that cannot be an ID (`__proto__`, `_x`) is "not found", as getTask says; path-like input stays invalid.
  if (!isValidId(id) && /^[\w.-]{1,64}$/.test(id) && !id.includes("..")) throw notFound(id, what);
  assertValidId(id, `${role} ID`);
  if (Object.hasOwn(ids, id)) return id;
  const lower = id.toLowerCase();
  const keys = Object.keys(ids);
  const exact = keys.filter((k) => k.toLowerCase() === lower);
  if (exact.length === 1) return exact[0]!;
  const candidates = exact.length > 1 ? exact : keys.filter((k) => {
    const kl = k.toLowerCase();
    if (kl.startsWith(lower)) return true;
    const dash = kl.indexOf("-");
    return dash > 0 && kl.slice(dash + 1).startsWith(lower);
  });
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length === 0) throw notFound(id, what);
  const sorted = candidates.sort();
  const shown = sorted.slice(0, 10).join(", ");
  throw new RwError("usage", `${what} ID ${JSON.stringify(id)} is ambiguous: ${shown}${sorted.length > 10 ? `, and ${sorted.length - 10} more` : ""}`, {
    hint: "give more characters of the ID",
    data: { id, candidates: sorted },
  });
}

export const resolveTaskId = (state: State, input: string): string => resolveId(state.tasks, input, "task");
export const resolveInitiativeId = (state: State, input: string): string => resolveId(state.initiatives, input, "initiative");

/**
 * A decider for the task `input` names, resolved against the very state the transaction decides
 * on (so a task created a moment ago by another writer resolves too).
 */
export function onTask<R>(input: string, decide: (id: string) => Decider<R>): Decider<R> {
  return (state, ctx) => decide(resolveTaskId(state, input))(state, ctx);
}

/** onTask for two task IDs (a dependency: the task that waits and the one it waits on). */
export function onTasks<R>(a: string, b: string, decide: (a: string, b: string) => Decider<R>): Decider<R> {
  return (state, ctx) => decide(resolveTaskId(state, a), resolveId(state.tasks, b, "task", "dependency"))(state, ctx);
}

export function onInitiative<R>(input: string, decide: (id: string) => Decider<R>): Decider<R> {
  return (state, ctx) => decide(resolveInitiativeId(state, input))(state, ctx);
}

/**
 * One of a task's own dependencies (which may name a task that no longer exists); input that
 * matches none is passed on as given, so the decider can say "does not depend on".
 */
export function resolveDep(state: State, id: string, input: string): string {
  try {
    return resolveId(Object.fromEntries(state.tasks[id]!.deps.map((d) => [d, true])), input, "task", "dependency");
  } catch (err) {
    if (err instanceof RwError && err.code === "not_found") return input.trim();
    throw err;
  }
}
