import { byPriority } from "./order.ts";
import { initiativeGate } from "./ready.ts";
import { isClosed, type State, type Status, type Task, recordValues } from "./types.ts";

export interface Blocker { id: string; title: string; status: Status | "missing" }

export interface WaitingTask {
  id: string;
  title: string;
  status: Status;
  priority: number;
  /** Set for a task in status blocked: why (as given to `rw block` or by the retry limit). */
  blocked_reason?: string;
  /** Unfinished (or missing) tasks it depends on. */
  waits_on: Blocker[];
  /** An initiative phase that is not approved yet. */
  gate?: string;
}

/**
 * `rw blocked` and the MCP `blocked` tool: tasks in status blocked with their reason, and open
 * tasks that wait on unfinished dependencies or an unapproved phase, with what they wait on.
 */
export function waitingTasks(state: State): WaitingTask[] {
  const out: WaitingTask[] = [];
  for (const t of recordValues(state.tasks).sort(byPriority)) {
    if (isClosed(t.status)) continue;
    const waitsOn = blockersOf(state, t);
    const gate = t.status === "open" ? initiativeGate(state, t) : undefined;
    if (t.status !== "blocked" && waitsOn.length === 0 && gate === undefined) continue;
    out.push({
      id: t.id, title: t.title, status: t.status, priority: t.priority,
      ...(t.status === "blocked" ? { blocked_reason: t.blocked_reason ?? "no reason given" } : {}),
      waits_on: waitsOn, ...(gate !== undefined ? { gate } : {}),
    });
  }
  return out;
}

export function blockersOf(state: State, t: Task): Blocker[] {
  const out: Blocker[] = [];
  for (const dep of t.deps) {
    const d = Object.hasOwn(state.tasks, dep) ? state.tasks[dep] : undefined;
    if (!d) out.push({ id: dep, title: "", status: "missing" });
    else if (!isClosed(d.status)) out.push({ id: d.id, title: d.title, status: d.status });
  }
  return out;
}

export interface DepNode {
  id: string;
  title: string;
  status: Status | "missing";
  /** Set when this task was already shown elsewhere in the tree (not expanded again). */
  seen?: true;
  /** Set when this task is its own ancestor here: the dependencies loop back (not followed). */
  cycle?: true;
  /** Set when the depth limit stopped the walk below this task although it has more. */
  truncated?: true;
  children: DepNode[];
}

/**
 * `rw dep tree`: what a task waits on (down its dependencies) or what waits on it (up its
 * dependents), as a tree in backlog order. A task reached a second time is shown marked `seen`,
 * a loop back to an ancestor marked `cycle`; neither is expanded again, so a cycle in the data
 * (a merge of two logs can make one) never loops. A dependency that names no task is "missing".
 */
export function depTree(state: State, id: string, direction: "deps" | "dependents", maxDepth = 20): DepNode {
  const dependents = new Map<string, string[]>();
  if (direction === "dependents") {
    for (const t of recordValues(state.tasks).sort(byPriority)) for (const d of t.deps) dependents.set(d, [...(dependents.get(d) ?? []), t.id]);
  }
  const rank = (ids: readonly string[]): string[] => [...ids].sort((a, b) => {
    const ta = Object.hasOwn(state.tasks, a) ? state.tasks[a] : undefined;
    const tb = Object.hasOwn(state.tasks, b) ? state.tasks[b] : undefined;
    return ta && tb ? byPriority(ta, tb) : ta ? -1 : tb ? 1 : a < b ? -1 : 1;
  });
  const seen = new Set<string>();
  const path = new Set<string>();
  const walk = (node: string, depth: number): DepNode => {
    const t = Object.hasOwn(state.tasks, node) ? state.tasks[node] : undefined;
    const base = { id: node, title: t?.title ?? "", status: t?.status ?? ("missing" as const) };
    if (path.has(node)) return { ...base, cycle: true, children: [] };
    if (seen.has(node)) return { ...base, seen: true, children: [] };
    seen.add(node);
    const next = direction === "deps" ? (t?.deps ?? []) : (dependents.get(node) ?? []);
    if (depth >= maxDepth) return { ...base, ...(next.length > 0 ? { truncated: true as const } : {}), children: [] };
    path.add(node);
    const children = (direction === "deps" ? rank(next) : next).map((n) => walk(n, depth + 1));
    path.delete(node);
    return { ...base, children };
  };
  return walk(id, 0);
}
