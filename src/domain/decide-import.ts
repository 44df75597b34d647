import { addMs, checkLabel, checkPriority, checkTimestamp, checkType, makeEvent, type DecideContext, type Decider } from "./decide.ts";
import { RwError } from "./errors.ts";
import { isValidId } from "./ids.ts";
import { newInitiativeId } from "./decide-initiative.ts";
import type { InitiativeStatus, Phase, RwEvent, Task } from "./types.ts";

/** One task as an importer maps it: rw's fields, plus what the source said about its state. */
export type ImportTask = Pick<Task, "id" | "title" | "status" | "priority" | "type" | "labels" | "deps" | "parent" | "initiative" | "phase" | "defer_until" | "body"> & {
  gates?: string[];
  /** Who held or finished it in the source; becomes the actor of its claim/completion events. */
  assignee?: string;
  /** Creation time in the source (kept in `task.created` data so `created_at` survives). */
  created_at?: string;
  /** Close, cancel or block reason. */
  reason?: string;
  notes?: Array<{ actor: string; text: string; ts?: string }>;
};

/** An initiative to create with the tasks (ralph-tui's prd.json, rw's own export). */
export interface ImportInitiative {
  /** Kept when given; otherwise a new `in-xxxx` ID. */
  id?: string;
  title: string;
  status: InitiativeStatus;
  phases: Phase[];
  body: string;
  created_at?: string;
  /** Tasks of the plan with no initiative of their own join this one (in this phase). */
  adopt?: { phase?: number };
}

/** What an importer produced from its source files, before it meets the repository's state. */
export interface ImportPlan {
  source: string;
  initiatives?: ImportInitiative[];
  tasks: ImportTask[];
  /** Human-readable lines: what was left out and why. */
  dropped: string[];
  /** Human-readable lines: how source concepts were mapped. */
  mapped: string[];
}

export interface ImportResult {
  source: string;
  created: string[];
  initiatives: string[];
  by_status: Record<string, number>;
  events: number;
  dropped: string[];
  mapped: string[];
}

/**
 * One transaction for a whole import: a `task.created` per task, then the lifecycle events that
 * fold to its source status. Conflicting IDs refuse the whole import (nothing half-done);
 * references the backlog cannot satisfy (unknown task, cycle) are dropped and reported.
 */
export const decideImport = (plan: ImportPlan): Decider<ImportResult> => (state, ctx) => {
  const dropped = [...plan.dropped];
  const ids = new Set<string>();
  for (const t of plan.tasks) {
    if (!isValidId(t.id)) throw new RwError("invalid_id", `${plan.source}: ${JSON.stringify(t.id)} cannot be a task ID`, { hint: "IDs are 1-64 characters of A-Z a-z 0-9 . _ - starting with a letter or digit" });
    if (ids.has(t.id)) throw new RwError("invalid_input", `${plan.source}: task ${t.id} appears twice`, { hint: "fix the duplicate in the source file and import again" });
    ids.add(t.id);
  }
  const clash = plan.tasks.filter((t) => state.tasks[t.id]).map((t) => t.id);
  if (clash.length > 0) {
    throw new RwError("conflict", `${clash.length} of the imported IDs already exist here: ${clash.slice(0, 5).join(", ")}${clash.length > 5 ? ", …" : ""}`, {
      hint: "import into a repository without those tasks (nothing was written)", data: { ids: clash },
    });
  }
  const known = (id: string): boolean => ids.has(id) || state.tasks[id] !== undefined;
  const events: RwEvent[] = [];
  const initiatives = new Set<string>();
  let adopter: { id: string; phase?: number } | undefined;
  for (const i of plan.initiatives ?? []) {
    const id = i.id ?? newInitiativeId(state, ctx);
    if (!isValidId(id)) throw new RwError("invalid_id", `${plan.source}: ${JSON.stringify(id)} cannot be an initiative ID`);
    if (state.initiatives[id] || initiatives.has(id)) throw new RwError("conflict", `initiative ${id} already exists here`, { hint: "import into a repository without it (nothing was written)" });
    initiatives.add(id);
    events.push(...initiativeEvents(i, id, ctx));
    if (i.adopt) adopter = { id, ...(i.adopt.phase !== undefined ? { phase: i.adopt.phase } : {}) };
  }
  const deps = new Map<string, string[]>();
  for (const t of plan.tasks) {
    const kept: string[] = [];
    for (const d of new Set(t.deps)) {
      if (d === t.id) dropped.push(`${t.id}: dependency on itself dropped`);
      else if (!known(d)) dropped.push(`${t.id}: dependency on unknown ${d} dropped`);
      else kept.push(d);
    }
    deps.set(t.id, kept);
  }
  breakCycles(deps, dropped);
  const by_status: Record<string, number> = {};
  for (const t of plan.tasks) {
    const data: Record<string, unknown> = { title: t.title.trim() || "(untitled)", priority: checkPriority(t.priority), type: checkType(t.type) };
    const labels = [...new Set(t.labels)].filter((l) => {
      try {
        return checkLabel(l) !== "";
      } catch {
        dropped.push(`${t.id}: label ${JSON.stringify(l)} dropped (not a valid rw label)`);
        return false;
      }
    });
    if (labels.length > 0) data.labels = labels;
    const d = deps.get(t.id)!;
    if (d.length > 0) data.deps = d;
    if (t.parent !== undefined) {
      if (known(t.parent) && t.parent !== t.id) data.parent = t.parent;
      else dropped.push(`${t.id}: parent ${t.parent} not found, dropped`);
    }
    const initiative = t.initiative ?? adopter?.id;
    if (initiative !== undefined && (initiatives.has(initiative) || state.initiatives[initiative])) {
      data.initiative = initiative;
      const phase = t.initiative !== undefined ? t.phase : adopter?.phase;
      if (phase !== undefined) data.phase = phase;
    } else if (initiative !== undefined) dropped.push(`${t.id}: initiative ${initiative} not found, link dropped`);
    if (t.gates && t.gates.length > 0) data.gates = t.gates;
    if (t.defer_until !== undefined) data.defer_until = checkTimestamp(t.defer_until, `${t.id} defer_until`);
    if (t.body !== "") data.body = t.body;
    if (t.created_at !== undefined && !Number.isNaN(Date.parse(t.created_at))) data.created_at = new Date(Date.parse(t.created_at)).toISOString();
    data.source = plan.source;
    events.push(makeEvent(ctx, "task.created", t.id, data));
    for (const n of t.notes ?? []) {
      if (n.text.trim() === "") continue;
      events.push(as(makeEvent(ctx, "task.noted", t.id, { text: n.text, ...(n.ts ? { at: n.ts } : {}) }), n.actor));
    }
    events.push(...statusEvents(t, ctx));
    by_status[t.status] = (by_status[t.status] ?? 0) + 1;
  }
  return {
    events,
    summary: `import ${plan.tasks.length} task${plan.tasks.length === 1 ? "" : "s"} from ${plan.source}`,
    result: { source: plan.source, created: plan.tasks.map((t) => t.id), initiatives: [...initiatives], by_status, events: events.length, dropped, mapped: plan.mapped },
  };
};

const INITIATIVE_STEPS: Record<InitiativeStatus, string[]> = {
  draft: [], review: ["initiative.submitted"], approved: ["initiative.approved"], in_progress: ["initiative.approved", "initiative.started"],
  completed: ["initiative.approved", "initiative.completed"], cancelled: ["initiative.cancelled"],
};

/** `initiative.created` (phases with their statuses), then the steps that fold to its status. */
function initiativeEvents(i: ImportInitiative, id: string, ctx: DecideContext): RwEvent[] {
  const data: Record<string, unknown> = { title: i.title.trim() || "(untitled)" };
  if (i.phases.length > 0) data.phases = i.phases.map((p) => ({ n: p.n, title: p.title, status: p.status }));
  if (i.body !== "") data.body = i.body;
  if (i.created_at !== undefined && !Number.isNaN(Date.parse(i.created_at))) data.created_at = new Date(Date.parse(i.created_at)).toISOString();
  return [makeEvent(ctx, "initiative.created", undefined, data, id), ...INITIATIVE_STEPS[i.status].map((type) => makeEvent(ctx, type, undefined, {}, id))];
}

/** The event's actor is the person the source names (who claimed, finished, wrote the note). */
function as(e: RwEvent, actor: string | undefined): RwEvent {
  if (actor !== undefined && actor.trim() !== "" && !/[\n<>]/.test(actor)) e.actor = actor.trim();
  return e;
}

function statusEvents(t: ImportTask, ctx: DecideContext): RwEvent[] {
  const reason = t.reason?.trim() || undefined;
  switch (t.status) {
    case "open":
    case "review": // an imported task has no rw run attempt to review: it is open here
      return [];
    case "in_progress":
      return [as(makeEvent(ctx, "task.claimed", t.id, { lease_until: addMs(ctx.now, ctx.config.leaseMs) }), t.assignee)];
    case "blocked":
      return [makeEvent(ctx, "task.blocked", t.id, { reason: reason ?? "blocked in the imported tracker" })];
    case "cancelled":
    case "done": {
      const out: RwEvent[] = [];
      // Whoever held it keeps it (fold keeps the assignee of a claim that ends done or cancelled).
      if (t.assignee) out.push(as(makeEvent(ctx, "task.claimed", t.id, { lease_until: addMs(ctx.now, ctx.config.leaseMs) }), t.assignee));
      out.push(t.status === "done"
        ? as(makeEvent(ctx, "task.completed", t.id, reason ? { summary: reason } : {}), t.assignee)
        : makeEvent(ctx, "task.cancelled", t.id, reason ? { reason } : {}));
      return out;
    }
  }
}

/** Drops the edge that closes each dependency cycle (reported), so the imported graph is acyclic. */
function breakCycles(deps: Map<string, string[]>, dropped: string[]): void {
  const state = new Map<string, 1 | 2>();
  const visit = (id: string): void => {
    state.set(id, 1);
    const list = deps.get(id) ?? [];
    for (const d of [...list]) {
      const s = state.get(d);
      if (s === 1) {
        list.splice(list.indexOf(d), 1);
        dropped.push(`${id}: dependency on ${d} dropped (it closed a cycle)`);
      } else if (s === undefined && deps.has(d)) visit(d);
    }
    state.set(id, 2);
  };
  for (const id of deps.keys()) if (!state.has(id)) visit(id);
}
