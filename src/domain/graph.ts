import { isClosed, type State, type Task } from "./types.ts";

/** Returns the dependency path that adding `from -> to` would close into a cycle, or undefined. */
export function findCycle(tasks: Record<string, Task>, from: string, to: string): string[] | undefined {
  if (from === to) return [from, from];
  // A cycle appears iff `from` is reachable from `to` through existing deps.
  const stack: string[][] = [[to]];
  const seen = new Set<string>([to]);
  while (stack.length > 0) {
    const path = stack.pop()!;
    const node = path[path.length - 1]!;
    for (const dep of tasks[node]?.deps ?? []) {
      if (dep === from) return [from, ...path, from];
      if (!seen.has(dep)) {
        seen.add(dep);
        stack.push([...path, dep]);
      }
    }
  }
  return undefined;
}

/**
 * For each requested task, how many unfinished tasks transitively wait on it. Used to order
 * ready work: finishing a task that unblocks more comes first. One BFS per requested task over
 * the reverse edges of unfinished tasks, with a stamp array instead of a fresh Set each time.
 */
export function unblockCounts(state: State, ids: readonly string[]): Map<string, number> {
  const index = new Map<string, number>();
  const open: Task[] = [];
  for (const t of Object.values(state.tasks)) {
    if (isClosed(t.status)) continue;
    index.set(t.id, open.length);
    open.push(t);
  }
  const dependents: number[][] = open.map(() => []);
  open.forEach((t, i) => {
    for (const dep of t.deps) {
      const j = index.get(dep);
      if (j !== undefined) dependents[j]!.push(i);
    }
  });
  const stamp = new Int32Array(open.length);
  const queue = new Int32Array(open.length);
  const out = new Map<string, number>();
  let epoch = 0;
  for (const id of ids) {
    const start = index.get(id);
    if (start === undefined) {
      out.set(id, 0);
      continue;
    }
    epoch++;
    let head = 0;
    let tail = 0;
    let count = 0;
    stamp[start] = epoch;
    queue[tail++] = start;
    while (head < tail) {
      for (const next of dependents[queue[head++]!]!) {
        if (stamp[next] === epoch) continue;
        stamp[next] = epoch;
        queue[tail++] = next;
        count++;
      }
    }
    out.set(id, count);
  }
  return out;
}
