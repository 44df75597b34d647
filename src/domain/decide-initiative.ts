import { makeEvent, requireText, type DecideContext, type Decider } from "./decide.ts";
import { checkText } from "./text.ts";
import { RwError } from "./errors.ts";
import { assertValidId, idFromBytes, suffixLength } from "./ids.ts";
import { checkBranchName } from "./decide-initiative-branch.ts";
import { assertAllowed, completionBlockers, getInitiative, getPhase } from "./initiative-lifecycle.ts";
import { lookup, type Initiative, type RwEvent, type State } from "./types.ts";

/** Initiative IDs are hash IDs like task IDs, under their own prefix: `in-3m8d`. */
export const INITIATIVE_PREFIX = "in";

export function newInitiativeId(state: State, ctx: DecideContext): string {
  let length = suffixLength(Object.keys(state.initiatives).length);
  for (let attempt = 0; ; attempt++) {
    const id = idFromBytes(INITIATIVE_PREFIX, ctx.randomBytes(8), length);
    if (!lookup(state.initiatives, id) && !lookup(state.tasks, id)) return id;
    if (attempt % 8 === 7) length++;
  }
}

function checkTitle(title: string, what: string): string {
  return requireText(title, what, { line: true });
}

export interface InitiativeInput {
  title: string;
  id?: string;
  body?: string;
  phases?: string[];
  /** Its own integration branch (`--branch`); under `integration = "per-initiative"` one is named at run time. */
  branch?: string;
}

export const decideInitiativeNew = (input: InitiativeInput): Decider<{ id: string }> => (state, ctx) => {
  const title = checkTitle(input.title, "title");
  const id = input.id !== undefined ? assertValidId(input.id, "initiative ID") : newInitiativeId(state, ctx);
  if (lookup(state.initiatives, id)) throw new RwError("conflict", `initiative ${id} already exists`, { data: { id } });
  const data: Record<string, unknown> = { title };
  const phases = (input.phases ?? []).map((t, i) => ({ n: i + 1, title: checkTitle(t, "phase title"), status: "planned" }));
  if (phases.length > 0) data.phases = phases;
  if (input.body !== undefined && input.body !== "") data.body = checkText(input.body, "body");
  if (input.branch !== undefined) data.branch = checkBranchName(input.branch);
  return { events: [makeEvent(ctx, "initiative.created", undefined, data, id)], summary: `initiative new ${id}: ${title}`, result: { id } };
};

/** Title and concept edits: only what changed, with the previous values in data.prev. */
export const decideInitiativeEdit = (id: string, patch: { title?: string; body?: string }): Decider<{ id: string; changed: number }> => (state, ctx) => {
  const i = getInitiative(state, id);
  const data: Record<string, unknown> = {};
  const prev: Record<string, unknown> = {};
  if (patch.title !== undefined && checkTitle(patch.title, "title") !== i.title) {
    data.title = patch.title.trim();
    prev.title = i.title;
  }
  if (patch.body !== undefined && patch.body !== i.body) {
    data.body = checkText(patch.body, "body");
    prev.body = i.body;
  }
  const events = Object.keys(data).length > 0 ? [makeEvent(ctx, "initiative.edited", undefined, { ...data, prev }, id)] : [];
  return { events, summary: `initiative edit ${id}: ${i.title}`, result: { id, changed: events.length } };
};

export const decidePhaseAdd = (id: string, title: string): Decider<{ id: string; phase: number }> => (state, ctx) => {
  const i = getInitiative(state, id);
  assertAllowed(i, "add_phase");
  const phase = Math.max(0, ...i.phases.map((p) => p.n)) + 1;
  const event = makeEvent(ctx, "phase.added", undefined, { phase, title: checkTitle(title, "phase title") }, id);
  return { events: [event], summary: `phase add ${id} ${phase}: ${title.trim()}`, result: { id, phase } };
};

export const decideInitiativeSubmit = (id: string): Decider<{ id: string; status: string }> => (state, ctx) => {
  const i = getInitiative(state, id);
  assertAllowed(i, "submit");
  if (i.phases.length === 0) {
    throw new RwError("wrong_state", `cannot submit ${id}: it has no phases`, { hint: `add one first: rw initiative phase add ${id} "Phase title"` });
  }
  return { events: [makeEvent(ctx, "initiative.submitted", undefined, {}, id)], summary: `initiative submit ${id}: ${i.title}`, result: { id, status: "review" } };
};

/** Rolling approval: one phase at a time; the first approval moves a reviewed initiative to approved. */
export const decideInitiativeApprove = (id: string, phase: number): Decider<{ id: string; phase: number; status: string }> => (state, ctx) => {
  const i = getInitiative(state, id);
  assertAllowed(i, "approve");
  const p = getPhase(i, phase);
  if (p.status !== "planned") {
    throw new RwError("wrong_state", `phase ${phase} of ${id} is already ${p.status === "done" ? "done" : "approved"}`, { data: { id, phase, status: p.status } });
  }
  const status = i.status === "review" ? "approved" : i.status;
  return {
    events: [makeEvent(ctx, "initiative.approved", undefined, { phase }, id)],
    summary: `initiative approve ${id} phase ${phase}: ${p.title}`,
    result: { id, phase, status },
  };
};

export const decideInitiativeCancel = (id: string, reason?: string): Decider<{ id: string; status: string }> => (state, ctx) => {
  const i = getInitiative(state, id);
  assertAllowed(i, "cancel");
  const data = reason ? { reason: checkText(reason, "reason") } : {};
  return { events: [makeEvent(ctx, "initiative.cancelled", undefined, data, id)], summary: `initiative cancel ${id}: ${i.title}`, result: { id, status: "cancelled" } };
};

/**
 * Completing by hand, for phases that have no tasks to finish them: refused while a phase is
 * unapproved or a task is unfinished. Usually completion happens on its own (see settle.ts).
 */
export function completeEvents(state: State, i: Initiative, ctx: DecideContext): RwEvent[] {
  assertAllowed(i, "complete");
  const blockers = completionBlockers(state, i);
  if (blockers.length > 0) {
    throw new RwError("wrong_state", `cannot complete ${i.id}: ${blockers.join("; ")}`, {
      hint: "finish or cancel its tasks and approve every phase first", data: { id: i.id, blockers },
    });
  }
  const events = i.phases.filter((p) => p.status !== "done").map((p) => makeEvent(ctx, "phase.completed", undefined, { phase: p.n }, i.id));
  events.push(makeEvent(ctx, "initiative.completed", undefined, {}, i.id));
  return events;
}

export const decideInitiativeComplete = (id: string): Decider<{ id: string; status: string }> => (state, ctx) => {
  const i = getInitiative(state, id);
  return { events: completeEvents(state, i, ctx), summary: `initiative complete ${id}: ${i.title}`, result: { id, status: "completed" } };
};

export interface DecisionInput {
  text: string;
  why?: string;
  initiative?: string;
  task?: string;
}

export const decideRecordDecision = (input: DecisionInput): Decider<{ id: string }> => (state, ctx) => {
  const text = requireText(input.text, "decision");
  if (input.initiative !== undefined) getInitiative(state, input.initiative);
  if (input.task !== undefined) {
    assertValidId(input.task);
    if (!lookup(state.tasks, input.task)) throw new RwError("not_found", `task ${input.task} not found`, { data: { id: input.task } });
  }
  const data: Record<string, unknown> = { text };
  const why = input.why?.trim();
  if (why) data.why = why;
  const event = makeEvent(ctx, "decision.recorded", input.task, data, input.initiative);
  return { events: [event], summary: `decide: ${text.split("\n")[0]!.slice(0, 72)}`, result: { id: event.id } };
};
