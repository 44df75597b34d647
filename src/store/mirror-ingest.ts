import type { Decider, DecideContext } from "../domain/decide.ts";
import { statusChangeEvents } from "../domain/decide-lifecycle.ts";
import { decideCreate, editEvents, newTaskId, type CreateInput } from "../domain/decide-task.ts";
import { RwError } from "../domain/errors.ts";
import { apply, applyCopy } from "../domain/fold.ts";
import { cloneTouched } from "../domain/fold-plan.ts";
import { isClosed, recordMap, type RwEvent, type State, type Status, type Task } from "../domain/types.ts";
import type { ParsedTaskFile, TaskFields, TaskFileProblem } from "../format/task-parse.ts";

/** One changed mirror file, parsed, with the version rw last synced (its base) when known. */
export interface FileInput {
  /** Path under `.rewind/`, e.g. `tasks/rw-7k2f.md`. */
  path: string;
  /** File name without `.md`. */
  name: string;
  parsed: ParsedTaskFile;
  base?: ParsedTaskFile;
  /** The ID chosen for a new file before committing (crash-safe creation). */
  pendingId?: string;
}

export interface IngestOutcome {
  /** Files whose content is now on the ref: path -> task ID and the event types recorded. */
  applied: Array<{ path: string; id: string; types: string[]; created: boolean }>;
  problems: Record<string, TaskFileProblem[]>;
}

/** Fields compared between a file and its base; derived ones (assignee, lease, times) are rw's, not the human's. */
const EDITABLE = ["title", "priority", "type", "labels", "deps", "parent", "initiative", "phase", "defer_until", "gates"] as const;

type Comparable = Record<string, unknown>;

function normalise(f: TaskFields, body: string): Comparable {
  return {
    title: f.title ?? "", priority: f.priority ?? 2, type: f.type ?? "task", labels: f.labels ?? [], deps: f.deps ?? [],
    parent: f.parent ?? "", initiative: f.initiative ?? "", phase: f.phase ?? "", defer_until: f.defer_until ?? "", gates: f.gates ?? [],
    status: f.status ?? "open", blocked_reason: f.blocked_reason ?? "", body,
  };
}

function fromTask(t: Task): Comparable {
  return normalise({ ...t, ...(t.phase !== undefined ? { phase: t.phase } : {}) }, t.body);
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Which field an error from decide is about, to point at its line. */
function fieldOf(err: RwError, changed: string[]): string {
  const named = (err.data as { field?: unknown } | undefined)?.field;
  if (typeof named === "string" && (named === "body" || changed.includes(named))) return named; // a text rule names its field
  if (err.code === "cycle" || err.code === "not_found") return changed.includes("deps") ? "deps" : changed.includes("parent") ? "parent" : changed[0] ?? "title";
  for (const k of changed) if (err.message.includes(k)) return k;
  return changed[0] ?? "title";
}

function fixFor(err: RwError, field: string): string {
  if (err.code === "not_found") return `create that task first, or remove it from ${field}`;
  if (err.code === "cycle") return "remove one of the dependencies in the cycle";
  return err.hint ?? `correct ${field}`;
}

/**
 * Turns changed mirror files into events against the current tip (DESIGN §5): field-level, only
 * what the human changed since the version rw last synced; a status change becomes its lifecycle
 * event. A file whose change cannot be recorded (missing dependency, cycle, bad value) gives a
 * problem and no events; the others still commit.
 */
export const decideIngest = (inputs: FileInput[], deleted: Array<{ path: string; id: string }>, where: (path: string) => string): Decider<IngestOutcome> =>
  (snapshot, ctx) => {
    // One working copy for the batch (copy-on-write per record: cloneTouched), so each file is
    // decided against the files before it without copying 10,000 tasks per file.
    const state: State = { ...snapshot, tasks: recordMap(snapshot.tasks), initiatives: recordMap(snapshot.initiatives), sessions: recordMap(snapshot.sessions) };
    const copied = new Set<string>();
    const applyHere = (evs: readonly RwEvent[]): void => {
      for (const e of evs) {
        cloneTouched(state, e, copied);
        apply(state, e);
      }
    };
    const events: RwEvent[] = [];
    const out: IngestOutcome = { applied: [], problems: {} };
    for (const input of inputs) {
      const lineOf = (key: string): number => input.parsed.lines[key] ?? 1;
      const problem = (key: string, message: string, fix: string): void => {
        out.problems[input.path] = [{ file: where(input.path), line: lineOf(key), message, fix }];
      };
      let changed: string[] = [];
      try {
        const r = fileEvents(state, input, ctx, problem);
        if (!r) continue;
        changed = r.changed;
        applyHere(r.events);
        events.push(...r.events);
        out.applied.push({ path: input.path, id: r.id, types: r.events.map((e) => e.type), created: r.created });
      } catch (err) {
        if (!(err instanceof RwError)) throw err;
        const field = fieldOf(err, changed.length > 0 ? changed : Object.keys(input.parsed.fields));
        problem(field, err.message, fixFor(err, field));
      }
    }
    for (const d of deleted) {
      const task = state.tasks[d.id];
      if (!task || isClosed(task.status)) continue;
      let evs: RwEvent[];
      try {
        evs = statusChangeEvents(task, "cancelled", ctx, `${where(d.path)} was deleted`);
      } catch (err) {
        // Deleting the file of a task someone else has claimed: refused like `rw cancel` without --force.
        if (!(err instanceof RwError)) throw err;
        out.problems[d.path] = [{ file: where(d.path), line: 1, message: err.message, fix: err.hint ?? "restore the file" }];
        continue;
      }
      applyHere(evs);
      events.push(...evs);
      out.applied.push({ path: d.path, id: d.id, types: evs.map((e) => e.type), created: false });
    }
    const ids = [...new Set(out.applied.map((a) => a.id))];
    const summary = `mirror: ${ids.length === 1 ? `${ids[0]!}: ${state.tasks[ids[0]!]?.title ?? ""}` : `${ids.length} tasks`}`;
    return { events, summary, result: out };
  };

interface FileEvents { id: string; events: RwEvent[]; created: boolean; changed: string[] }

function fileEvents(state: State, input: FileInput, ctx: DecideContext, problem: (key: string, message: string, fix: string) => void): FileEvents | undefined {
  const f = input.parsed.fields;
  const existing = state.tasks[input.name];
  if (existing) {
    if (f.id !== undefined && f.id !== input.name) {
      problem("id", `id ${f.id} does not match the file name ${input.name}.md`, `set id back to ${input.name} (a task's ID cannot change)`);
      return undefined;
    }
    if (!input.base && f.updated_at !== undefined && f.updated_at !== existing.updated_at) {
      // No record of what rw last wrote here, and the file is older than the task on the ref:
      // its differences are the ref's newer changes, not the human's. Refresh it, change nothing.
      return { id: existing.id, events: [], created: false, changed: [] };
    }
    const base = input.base ? normalise(input.base.fields, input.base.body) : fromTask(existing);
    return changeEvents(state, existing, normalise(f, input.parsed.body), base, ctx);
  }
  const claimed = input.pendingId !== undefined ? state.tasks[input.pendingId] : undefined;
  if (claimed) {
    // Created by an earlier round that stopped before renaming the file: it is that task now
    // (and the file still has to be renamed to it).
    // The same goes for the old name of a renamed file saved again (input.base: what it was created from).
    const base = input.base ? normalise(input.base.fields, input.base.body) : fromTask(claimed);
    return { ...changeEvents(state, claimed, normalise(f, input.parsed.body), base, ctx), created: true };
  }
  if (f.id !== undefined && state.tasks[f.id]) {
    problem("id", `id ${f.id} is already used by tasks/${f.id}.md`, "remove the id line to create a new task, or edit that task's own file");
    return undefined;
  }
  if (f.title === undefined) {
    problem("title", "a new task needs a title", "add `title: ...` to the frontmatter, or start the file with a `# Title` line");
    return undefined;
  }
  const id = f.id ?? input.pendingId ?? newTaskId(state, ctx);
  const create: CreateInput = { title: f.title, id, body: input.parsed.body };
  for (const k of ["priority", "type", "labels", "deps", "parent", "initiative", "phase", "gates", "defer_until"] as const) {
    if (f[k] !== undefined) (create as unknown as Record<string, unknown>)[k] = f[k];
  }
  const events = decideCreate(create)(state, ctx).events;
  const status = f.status ?? "open";
  if (status !== "open") {
    events.push(...statusChangeEvents(applyCopy(state, events).tasks[id]!, status, ctx, f.blocked_reason));
  }
  return { id, events, created: true, changed: Object.keys(f) };
}

function changeEvents(state: State, task: Task, mine: Comparable, base: Comparable, ctx: DecideContext): FileEvents {
  const patch: Record<string, unknown> = {};
  const changed: string[] = [];
  for (const key of [...EDITABLE, "body"] as const) {
    if (same(mine[key], base[key])) continue;
    changed.push(key);
    patch[key] = mine[key];
  }
  const status = mine.status as Status;
  const statusChanged = status !== base.status || (status === "blocked" && mine.blocked_reason !== base.blocked_reason);
  if (statusChanged) changed.push("status");
  const events = editEvents(state, task, { patch: patch }, ctx);
  if (statusChanged && status !== task.status) {
    const reason = status === "blocked" && mine.blocked_reason !== "" ? String(mine.blocked_reason) : undefined;
    for (const e of statusChangeEvents(task, status, ctx, reason)) {
      // The status on the tip is what this edit overwrites: keep it, as task.edited keeps data.prev.
      e.data = { ...e.data, prev: { status: task.status } };
      events.push(e);
    }
  }
  return { id: task.id, events, created: false, changed };
}
