import {
  checkLabel, checkPriority, checkTimestamp, checkType, getTask, makeEvent, optionalText, requireText, requireTitle,
  type DecideContext, type Decider, type Decision,
} from "./decide.ts";
import { RwError, invalidInput, notFound } from "./errors.ts";
import { findCycle } from "./graph.ts";
import { assertValidId, idFromBytes, suffixLength } from "./ids.ts";
import { statusChangeEvents } from "./decide-lifecycle.ts";
import { checkInitiativeLink } from "./initiative-lifecycle.ts";
import { checkLine, checkText } from "./text.ts";
import { lookup, recordKeys, type RwEvent, type State, type Status, type Task, type TaskPatch } from "./types.ts";

export type CreateInput = Pick<Task, "title"> &
  Partial<Pick<Task, "id" | "priority" | "type" | "labels" | "deps" | "parent" | "initiative" | "phase" | "gates" | "defer_until" | "body">>;

export function newTaskId(state: State, ctx: DecideContext): string {
  let length = suffixLength(recordKeys(state.tasks).length);
  for (let attempt = 0; ; attempt++) {
    const id = idFromBytes(ctx.config.prefix, ctx.randomBytes(8), length);
    if (!lookup(state.tasks, id)) return id;
    if (attempt % 8 === 7) length++; // crowded at this length: widen rather than spin
  }
}

function checkRefs(state: State, self: string, input: { deps?: string[]; parent?: string }): void {
  for (const dep of input.deps ?? []) {
    assertValidId(dep, "dependency ID");
    if (dep === self) throw new RwError("cycle", `${self} cannot depend on itself`);
    if (!lookup(state.tasks, dep)) throw notFound(dep);
  }
  if (input.parent !== undefined) {
    assertValidId(input.parent, "parent ID");
    if (!lookup(state.tasks, input.parent)) throw notFound(input.parent);
  }
}

export const decideCreate = (input: CreateInput): Decider<{ id: string }> => (state, ctx) => {
  const title = requireTitle(input.title);
  const id = input.id !== undefined ? assertValidId(input.id) : newTaskId(state, ctx);
  if (lookup(state.tasks, id)) throw new RwError("conflict", `task ${id} already exists`, { data: { id } });
  const deps = [...new Set(input.deps ?? [])];
  checkRefs(state, id, { deps, ...(input.parent !== undefined ? { parent: input.parent } : {}) });
  const data: Record<string, unknown> = {
    title,
    priority: checkPriority(input.priority ?? 2),
    type: checkType(input.type ?? "task"),
  };
  const labels = [...new Set((input.labels ?? []).map(checkLabel))];
  if (labels.length > 0) data.labels = labels;
  if (deps.length > 0) data.deps = deps;
  if (input.parent !== undefined) data.parent = input.parent;
  checkInitiativeLink(state, input.initiative, input.phase);
  if (input.initiative !== undefined) data.initiative = input.initiative;
  if (input.phase !== undefined) data.phase = input.phase;
  if (input.gates && input.gates.length > 0) data.gates = checkGates(input.gates);
  if (input.defer_until !== undefined) data.defer_until = checkTimestamp(input.defer_until, "defer_until");
  if (input.body !== undefined && input.body !== "") data.body = checkText(input.body, "body");
  return { events: [makeEvent(ctx, "task.created", id, data)], summary: `create ${id}: ${title}`, result: { id } };
};

/** Gate commands run in a shell: one line each, no control characters. */
function checkGates(gates: readonly string[]): string[] {
  return gates.map((g) => checkLine(String(g), "gate command"));
}

export interface EditInput {
  patch: TaskPatch;
  addLabels?: string[];
  removeLabels?: string[];
  status?: Status;
  reason?: string;
  /** Change the status of a task someone else has claimed (recorded as a forced override). */
  force?: boolean;
}

const sameValue = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Field-level edit: only changed fields go in the event, with their previous values in data.prev. */
export function editEvents(state: State, task: Task, input: EditInput, ctx: DecideContext): RwEvent[] {
  const next: TaskPatch = { ...input.patch };
  if (next.title !== undefined) next.title = requireTitle(next.title);
  if (typeof next.body === "string") checkText(next.body, "body");
  if (next.gates !== undefined) checkGates(next.gates);
  if (next.priority !== undefined) checkPriority(next.priority);
  if (next.type !== undefined) checkType(next.type);
  if (next.defer_until !== undefined && next.defer_until !== "") next.defer_until = checkTimestamp(next.defer_until, "defer_until");
  if (input.addLabels || input.removeLabels || next.labels) {
    const labels = new Set(next.labels ? next.labels.map(checkLabel) : task.labels);
    for (const l of input.addLabels ?? []) labels.add(checkLabel(l));
    for (const l of input.removeLabels ?? []) labels.delete(l);
    next.labels = [...labels];
  }
  if (next.deps !== undefined) {
    next.deps = [...new Set(next.deps)];
    checkRefs(state, task.id, { deps: next.deps });
    for (const dep of next.deps) {
      if (task.deps.includes(dep)) continue;
      const cycle = findCycle(state.tasks, task.id, dep);
      if (cycle) throw cycleError(cycle);
    }
  }
  if (next.parent !== undefined && next.parent !== "") checkRefs(state, task.id, { parent: next.parent });
  if (next.initiative !== undefined || next.phase !== undefined) {
    // "" (or null from a file) clears a field, as everywhere in a patch.
    const cleared = (v: unknown): boolean => v === "" || v === null;
    const initiative = next.initiative === undefined ? task.initiative : cleared(next.initiative) ? undefined : next.initiative;
    const phase = next.phase === undefined ? (initiative === undefined ? undefined : task.phase) : cleared(next.phase) ? undefined : next.phase;
    checkInitiativeLink(state, initiative, phase);
    // Leaving an initiative leaves its phase too: a phase number means nothing on its own.
    if (initiative === undefined && task.phase !== undefined && next.phase === undefined) (next as Record<string, unknown>).phase = "";
  }
  const data: Record<string, unknown> = {};
  const prev: Record<string, unknown> = {};
  const current = task as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(next)) {
    const unset = value === "" || value === undefined;
    const before = current[key];
    if (unset ? before === undefined : sameValue(before, value)) continue;
    data[key] = unset ? null : value;
    prev[key] = before ?? null;
  }
  const events: RwEvent[] = [];
  if (Object.keys(data).length > 0) events.push(makeEvent(ctx, "task.edited", task.id, { ...data, prev }));
  if (input.status !== undefined && input.status !== task.status) {
    events.push(...statusChangeEvents(task, input.status, ctx, optionalText(input.reason, "reason"), { force: input.force ?? false }));
  }
  return events;
}

export const decideEdit = (id: string, input: EditInput): Decider<{ id: string; changed: number }> => (state, ctx) => {
  const task = getTask(state, id);
  const events = editEvents(state, task, input, ctx);
  return { events, summary: `edit ${id}: ${task.title}`, result: { id, changed: events.length } };
};

export function cycleError(cycle: string[]): RwError {
  return new RwError("cycle", `that dependency would make a cycle: ${cycle.join(" -> ")}`, {
    hint: "remove one of the dependencies in the cycle first (`rw dep rm`)",
    data: { cycle },
  });
}

export const decideDepAdd = (id: string, dep: string): Decider<{ id: string; deps: string[] }> => (state, ctx) => {
  const task = getTask(state, id);
  assertValidId(dep, "dependency ID");
  if (!lookup(state.tasks, dep)) throw notFound(dep);
  if (task.deps.includes(dep)) return noChange(id, task.deps);
  const deps = [...task.deps, dep];
  const events = editEvents(state, task, { patch: { deps } }, ctx);
  return { events, summary: `dep add ${id} -> ${dep}`, result: { id, deps } };
};

export const decideDepRemove = (id: string, dep: string): Decider<{ id: string; deps: string[] }> => (state, ctx) => {
  const task = getTask(state, id);
  if (!task.deps.includes(dep)) throw invalidInput(`${id} does not depend on ${dep}`, `its dependencies: ${task.deps.join(", ") || "none"}`);
  const deps = task.deps.filter((d) => d !== dep);
  const events = editEvents(state, task, { patch: { deps } }, ctx);
  return { events, summary: `dep rm ${id} -> ${dep}`, result: { id, deps } };
};

function noChange(id: string, deps: string[]): Decision<{ id: string; deps: string[] }> {
  return { events: [], summary: "", result: { id, deps } };
}

export const decideNote = (id: string, text: string): Decider<{ id: string }> => (state, ctx) => {
  const task = getTask(state, id);
  const note = requireText(text, "note");
  return { events: [makeEvent(ctx, "task.noted", id, { text: note })], summary: `note ${id}: ${task.title}`, result: { id } };
};
