import { resolveId, resolveTaskId } from "../domain/resolve-id.ts";
import { RwError } from "../domain/errors.ts";
import { checkStatuses, parsePriorityRange, SORTS, type TaskFilter, type TaskSort } from "../domain/task-query.ts";
import type { State } from "../domain/types.ts";
import { didYouMean } from "../domain/suggest.ts";
import { waitingProblems, problemsLine, type WaitingProblems } from "../store/mirror-problems.ts";
import type { Store } from "../store/store.ts";
import { int, list, one } from "./args.ts";
import type { Context } from "./context.ts";

/** The filter options `rw list` and `rw ready` share (the MCP tools take the same filters). */
export const filterArgs = {
  priority: { type: "string", alias: "p", description: "only this priority or range: 1, 0-1, 2- (0 is highest)", valueHint: "0-4" },
  label: { type: "string", alias: "l", description: "only tasks with this label (repeatable: all must match)" },
  type: { type: "string", alias: "t", description: "only tasks of this type (repeatable)" },
  initiative: { type: "string", alias: "i", description: "only tasks of this initiative" },
  phase: { type: "string", description: "only tasks of this phase (with --initiative)", valueHint: "N" },
  parent: { type: "string", description: "only children of this task" },
} as const;

type FilterArgs = Record<keyof typeof filterArgs, unknown>;

/** The filter the options ask for; task and initiative IDs resolve like any other ID argument. */
export function filterFromArgs(args: FilterArgs, state: State): TaskFilter {
  const f: TaskFilter = { labels: list(args.label), types: list(args.type) };
  const priority = one(args.priority);
  if (priority !== undefined) f.priority = parsePriorityRange(priority, "--priority");
  const initiative = one(args.initiative);
  const phase = int(args.phase, "--phase");
  if (phase !== undefined && initiative === undefined) throw new RwError("usage", "--phase needs --initiative");
  if (initiative !== undefined) f.initiative = resolveId(state.initiatives, initiative, "initiative");
  if (phase !== undefined) f.phase = phase;
  const parent = one(args.parent);
  if (parent !== undefined) f.parent = resolveTaskId(state, parent);
  return f;
}

export function statusesArg(value: unknown): TaskFilter["statuses"] {
  return checkStatuses(list(value));
}

export function sortArg(value: unknown): TaskSort {
  const sort = one(value) ?? "priority";
  if (!(SORTS as readonly string[]).includes(sort)) {
    throw new RwError("usage", `unknown sort ${JSON.stringify(sort)}${didYouMean(sort, SORTS)}`, { hint: `use one of: ${SORTS.join(", ")}` });
  }
  return sort as TaskSort;
}

/** --limit N (or --depth N): a whole number of at least 1 (undefined: no limit). */
export function limitArg(value: unknown, flag = "--limit"): number | undefined {
  const n = int(value, flag);
  if (n !== undefined && n < 1) throw new RwError("usage", `${flag} must be at least 1, got ${n}`);
  return n;
}

/**
 * Says on stderr that PROBLEMS.md lists mirror edits that were not recorded, and returns the
 * count for a JSON answer (stdout stays the answer alone).
 */
export function mentionProblems(store: Store, ctx: Context): WaitingProblems | undefined {
  const p = waitingProblems(store.repo);
  if (p) ctx.stderr(`${problemsLine(p)}\n`);
  return p;
}
