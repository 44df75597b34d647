import { addMs, checkLabel, checkPriority, checkTimestamp, checkType, makeEvent, type DecideContext, type Decider } from "./decide.ts";
import { RwError } from "./errors.ts";
import { idFromBytes, isValidId, suffixLength } from "./ids.ts";
import { breakCycles, renameClashes, uniqueTasks } from "./import-checks.ts";
import { cleanImportedInitiative, printableNotes } from "./import-text.ts";
import { newInitiativeId } from "./decide-initiative.ts";
import type { InitiativeStatus, Phase, RwEvent, Task } from "./types.ts";

/** One task as an importer maps it: rw's fields, plus what the source said about its state. */
export type ImportTask = Pick<Task, "id" | "title" | "status" | "priority" | "type" | "labels" | "deps" | "parent" | "initiative" | "phase" | "defer_until" | "body"> & {
  gates?: string[];
  /** Who held or finished it in the source; becomes the actor of its claim/completion events. */
  assignee?: string;
  /** Creation time in the source (kept in `task.created` data so `created_at` survives). */
  created_at?: string;
  /** When the source closed it (kept as `at` of the completion or cancellation). */
  closed_at?: string;
  /** Close (completion summary), cancel or block reason. */
  reason?: string;
  notes?: Array<{ actor: string; text: string; ts?: string }>;
  /** Order among tasks with no source creation time (PRD stories): their created_at follows it, so ties in priority keep the source's order. */
  rank?: number;
  /** Source values rw has no field for (status word, priority number, label spellings…), written back on export. */
  origin?: Record<string, unknown>;
};

/** An initiative to create with the tasks (ralph-tui's prd.json, rw's own export). */
export interface ImportInitiative {
  /** Kept when given; otherwise derived from `seed` (the same ID for --dry-run and the real import). */
  id?: string;
  /** Bytes (a hash of the source) a new ID is derived from; random when absent. */
  seed?: Uint8Array;
  title: string;
  status: InitiativeStatus;
  phases: Phase[];
  body: string;
  created_at?: string;
  origin?: Record<string, unknown>;
  /** Tasks of the plan with no initiative of their own join this one (in this phase). */
  adopt?: { phase?: number };
}

/**
 * What the report says about one source item or field. `kind` is what is counted
 * ("tombstone", "link-dropped", "renamed", "defaulted", …); `problem` marks malformed input,
 * which `--strict` refuses instead of skipping.
 */
export interface ImportNote { kind: string; item?: string; text: string; problem?: boolean }

/** What an importer produced from its source files, before it meets the repository's state. */
export interface ImportPlan {
  source: string;
  initiatives?: ImportInitiative[];
  tasks: ImportTask[];
  /** Every item not imported as written, and why. */
  notes: ImportNote[];
  /** Human-readable lines: how source concepts were mapped. */
  mapped: string[];
  /** How many items the source held (imported + skipped); 0 warns "empty source". */
  items?: number;
}

export interface ImportOptions {
  /** Refuse the whole import when any item is malformed (a `problem` note). */
  strict?: boolean;
  /** Give clashing IDs a free `-2`, `-3`… suffix instead of refusing. */
  renameOnClash?: boolean;
}

export interface ImportResult {
  source: string;
  created: string[];
  initiatives: string[];
  by_status: Record<string, number>;
  events: number;
  notes: ImportNote[];
  /** Per kind: "imported" plus one count per note kind. */
  counts: Record<string, number>;
  mapped: string[];
}

/**
 * One transaction for a whole import: a `task.created` per task, then the lifecycle events that
 * fold to its source status. IDs that exist here refuse the whole import (nothing half-done)
 * unless renameOnClash; a duplicate inside the source keeps the first and reports the rest;
 * references the backlog cannot satisfy (unknown task, cycle) are dropped and reported.
 */
export const decideImport = (plan: ImportPlan, opts: ImportOptions = {}): Decider<ImportResult> => (state, ctx) => {
  const notes = [...plan.notes];
  const tasks = uniqueTasks(plan, notes);
  const planned = (plan.initiatives ?? []).map((i) => cleanImportedInitiative(i, notes));
  const clash = tasks.filter((t) => state.tasks[t.id] || state.initiatives[t.id]).map((t) => t.id);
  if (clash.length > 0 && !opts.renameOnClash) {
    throw new RwError("exists", `${clash.length} of the imported IDs already exist here: ${clash.slice(0, 10).join(", ")}${clash.length > 10 ? ", …" : ""}`, {
      hint: "nothing was written; import into a repository without those tasks, or pass --rename-on-clash to give them new IDs", data: { ids: clash },
    });
  }
  if (clash.length > 0) renameClashes(tasks, clash, (id) => state.tasks[id] !== undefined || state.initiatives[id] !== undefined, notes);
  const problems = notes.filter((n) => n.problem);
  if (opts.strict && problems.length > 0) {
    throw new RwError("invalid_input", `${plan.source}: ${problems.length} malformed item${problems.length === 1 ? "" : "s"}: ${problems.slice(0, 5).map((p) => `${p.item ?? "?"} (${p.text})`).join("; ")}${problems.length > 5 ? "; …" : ""}`, {
      hint: "nothing was written; fix them in the source, or import without --strict to skip them and get them reported", data: { problems },
    });
  }
  const ids = new Set(tasks.map((t) => t.id));
  const known = (id: string): boolean => ids.has(id) || state.tasks[id] !== undefined;
  const events: RwEvent[] = [];
  const initiatives = new Set<string>();
  let adopter: { id: string; phase?: number } | undefined;
  for (const i of planned) {
    const id = i.id ?? (i.seed ? seededInitiativeId(i.seed, (x) => Boolean(state.initiatives[x] || state.tasks[x] || ids.has(x) || initiatives.has(x)), Object.keys(state.initiatives).length) : newInitiativeId(state, ctx));
    if (!isValidId(id)) throw new RwError("invalid_id", `${plan.source}: ${JSON.stringify(id)} cannot be an initiative ID`);
    if (state.initiatives[id] || initiatives.has(id)) throw new RwError("invalid_input", `initiative ${id} already exists here`, { hint: "import into a repository without it (nothing was written)", data: { ids: [id] } });
    initiatives.add(id);
    events.push(...initiativeEvents(i, id, ctx, plan.source));
    if (i.adopt) adopter = { id, ...(i.adopt.phase !== undefined ? { phase: i.adopt.phase } : {}) };
  }
  const deps = new Map<string, string[]>();
  // Links to records in neither the source nor here: reported, and kept in origin so an export writes them back.
  const unresolved = new Map<string, Array<{ depends_on_id: string; type: string }>>();
  const dangling = (t: ImportTask, id: string, type: string): void => {
    unresolved.set(t.id, [...(unresolved.get(t.id) ?? []), { depends_on_id: id, type }]);
  };
  for (const t of tasks) {
    const kept: string[] = [];
    for (const d of new Set(t.deps)) {
      if (d === t.id) notes.push({ kind: "link-dropped", item: t.id, text: "dependency on itself dropped" });
      else if (!known(d)) {
        dangling(t, d, "blocks");
        notes.push({ kind: "link-dropped", item: t.id, text: `dependency on ${d} dropped (not in the source or here)` });
      } else kept.push(d);
    }
    deps.set(t.id, kept);
  }
  breakCycles(deps, notes);
  const by_status: Record<string, number> = {};
  for (const t of tasks) {
    const data: Record<string, unknown> = { title: t.title.trim() || "(untitled)", priority: checkPriority(t.priority), type: checkType(t.type) };
    const labels = [...new Set(t.labels)].filter((l) => {
      try {
        return checkLabel(l) !== "";
      } catch {
        notes.push({ kind: "label-dropped", item: t.id, text: `label ${JSON.stringify(l)} dropped (not a valid rw label)` });
        return false;
      }
    });
    if (labels.length > 0) data.labels = labels;
    const d = deps.get(t.id)!;
    if (d.length > 0) data.deps = d;
    if (t.parent !== undefined) {
      if (known(t.parent) && t.parent !== t.id) data.parent = t.parent;
      else {
        if (t.parent !== t.id) dangling(t, t.parent, "parent-child");
        notes.push({ kind: "link-dropped", item: t.id, text: `parent ${t.parent} dropped (${t.parent === t.id ? "itself" : "not in the source or here"})` });
      }
    }
    const initiative = t.initiative ?? adopter?.id;
    if (initiative !== undefined && (initiatives.has(initiative) || state.initiatives[initiative])) {
      data.initiative = initiative;
      const phase = t.initiative !== undefined ? t.phase : adopter?.phase;
      if (phase !== undefined) data.phase = phase;
    } else if (initiative !== undefined) notes.push({ kind: "link-dropped", item: t.id, text: `initiative ${initiative} not found, link dropped` });
    if (t.gates && t.gates.length > 0) data.gates = t.gates;
    if (t.defer_until !== undefined) data.defer_until = checkTimestamp(t.defer_until, `${t.id} defer_until`);
    if (t.body !== "") data.body = t.body;
    const created = isoOf(t.created_at) ?? (t.rank !== undefined ? addMs(ctx.now, t.rank - tasks.length) : undefined);
    if (created) data.created_at = created;
    data.source = plan.source;
    // `from`: which format the kept values belong to, so an export to another format ignores them.
    const origin = { ...t.origin, ...(unresolved.has(t.id) ? { unresolved: unresolved.get(t.id) } : {}) };
    if (Object.keys(origin).length > 0) data.origin = { from: plan.source, ...origin };
    events.push(makeEvent(ctx, "task.created", t.id, data));
    for (const n of t.notes ?? []) {
      if (n.text.trim() === "") continue;
      events.push(as(makeEvent(ctx, "task.noted", t.id, { text: n.text, ...(n.ts ? { at: n.ts } : {}) }), n.actor));
    }
    let status = t.status;
    if (status === "in_progress" && !t.assignee?.trim()) {
      // A claim needs a claimant; the importing user is not one (they would own it for a lease).
      status = "open";
      notes.push({ kind: "defaulted", item: t.id, text: "in progress with no assignee: imported as open, so anyone can claim it" });
    }
    events.push(...statusEvents({ ...t, status }, ctx));
    by_status[status] = (by_status[status] ?? 0) + 1;
  }
  const counts: Record<string, number> = { imported: tasks.length };
  for (const n of notes) counts[n.kind] = (counts[n.kind] ?? 0) + 1;
  return {
    events,
    summary: `import ${tasks.length} task${tasks.length === 1 ? "" : "s"} from ${plan.source}`,
    result: { source: plan.source, created: tasks.map((t) => t.id), initiatives: [...initiatives], by_status, events: events.length, notes: printableNotes(notes), counts, mapped: plan.mapped },
  };
};

const isoOf = (v: string | undefined): string | undefined => (v !== undefined && !Number.isNaN(Date.parse(v)) ? new Date(Date.parse(v)).toISOString() : undefined);

/** A new initiative ID from the source's hash, so a dry run and the import name it alike. */
function seededInitiativeId(seed: Uint8Array, taken: (id: string) => boolean, count: number): string {
  const bytes = Uint8Array.from(seed.slice(0, 8));
  let length = suffixLength(count);
  for (let attempt = 0; ; attempt++) {
    const id = idFromBytes("in", bytes, length);
    if (!taken(id)) return id;
    bytes[attempt % bytes.length] = (bytes[attempt % bytes.length]! + 131) & 0xff;
    if (attempt % 8 === 7) length++;
  }
}

const INITIATIVE_STEPS: Record<InitiativeStatus, string[]> = {
  draft: [], review: ["initiative.submitted"], approved: ["initiative.approved"], in_progress: ["initiative.approved", "initiative.started"],
  completed: ["initiative.approved", "initiative.completed"], cancelled: ["initiative.cancelled"],
};

/** `initiative.created` (phases with their statuses), then the steps that fold to its status. */
function initiativeEvents(i: ImportInitiative, id: string, ctx: DecideContext, source: string): RwEvent[] {
  const data: Record<string, unknown> = { title: i.title.trim() || "(untitled)" };
  if (i.phases.length > 0) data.phases = i.phases.map((p) => ({ n: p.n, title: p.title, status: p.status }));
  if (i.body !== "") data.body = i.body;
  const created = isoOf(i.created_at);
  if (created) data.created_at = created;
  if (i.origin && Object.keys(i.origin).length > 0) data.origin = { from: source, ...i.origin };
  return [makeEvent(ctx, "initiative.created", undefined, data, id), ...INITIATIVE_STEPS[i.status].map((type) => makeEvent(ctx, type, undefined, {}, id))];
}

/** The event's actor is the person the source names (who claimed, finished, wrote the note). */
function as(e: RwEvent, actor: string | undefined): RwEvent {
  if (actor !== undefined && actor.trim() !== "" && !/[\n<>]/.test(actor)) e.actor = actor.trim();
  return e;
}

function statusEvents(t: ImportTask, ctx: DecideContext): RwEvent[] {
  const reason = t.reason?.trim() || undefined;
  const at = isoOf(t.closed_at);
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
      const when = at ? { at } : {};
      out.push(t.status === "done"
        ? as(makeEvent(ctx, "task.completed", t.id, { ...(reason ? { summary: reason } : {}), ...when }), t.assignee)
        : makeEvent(ctx, "task.cancelled", t.id, { ...(reason ? { reason } : {}), ...when }));
      return out;
    }
  }
}
