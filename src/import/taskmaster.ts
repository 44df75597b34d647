import type { ImportNote, ImportPlan, ImportTask } from "../domain/decide-import.ts";
import { RwError } from "../domain/errors.ts";
import type { Status } from "../domain/types.ts";
import { checklistOf, countUnknown, droppedFields, isObject, labelOf, parseJson, str, tally } from "./common.ts";
import { joinSections } from "./sections.ts";

const STATUS: Record<string, Status> = {
  pending: "open", "in-progress": "in_progress", in_progress: "in_progress", review: "in_progress", done: "done",
  completed: "done", deferred: "blocked", blocked: "blocked", cancelled: "cancelled", canceled: "cancelled",
};
const PRIORITY: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 };
/** Fields rw reads, and the bookkeeping Task Master derives (parent links, timestamps, complexity-analysis prompts are reported). */
const KNOWN = new Set(["id", "title", "description", "details", "testStrategy", "acceptanceCriteria", "status", "priority", "dependencies", "subtasks", "parentTaskId", "parentId", "parentTask", "isSubtask", "updatedAt", "previousStatus"]);

/** Task Master's free-text acceptance criteria as the checklist (list lines become checkboxes, ticked when done). */
function criteriaOf(text: string | undefined, done: boolean): string | undefined {
  return text === undefined || text.trim() === "" ? undefined : checklistOf(text, done);
}

/**
 * Sibling subtasks must have distinct numbers; when they do not (claude-task-master's own task
 * 42 has eight subtasks all numbered 42), every sibling is renumbered by position (1, 2, …) and
 * each change is reported. Dependencies between such siblings cannot be resolved and are reported too.
 */
function subtaskNumbers(parent: string, subs: Array<Record<string, unknown>>, notes: ImportNote[]): { numbers: string[]; renumbered: boolean } {
  const given = subs.map((s) => str(s.id));
  const clean = given.every((n) => n !== undefined) && new Set(given).size === given.length;
  if (clean) return { numbers: given, renumbered: false };
  const numbers = subs.map((_, i) => String(i + 1));
  subs.forEach((_, i) => {
    if (given[i] !== numbers[i]) notes.push({ kind: "renamed", item: `${parent}.${given[i] ?? "?"}`, text: `subtask ${i + 1} of ${parent} renumbered ${parent}.${numbers[i]} (its siblings' numbers are not unique)` });
  });
  return { numbers, renumbered: true };
}

/**
 * Maps Task Master's `.taskmaster/tasks/tasks.json`: the tagged format (`{"master": {"tasks":
 * [...]}, "<tag>": ...}`) or the legacy `{"tasks": [...]}`. IDs are kept (`3`; subtasks `3.1`;
 * tasks of tags other than master get the tag as prefix, `ui-3`, since each tag counts from 1).
 * Subtasks become child tasks; `dependencies` (numbers, sibling subtask numbers, or "3.1" forms)
 * become deps; status and priority words map to rw's; acceptanceCriteria becomes the checklist.
 */
export function planTaskMaster(text: string, file: string): ImportPlan {
  const root = parseJson(text, file);
  if (!isObject(root)) throw new RwError("invalid_input", `${file} is not a Task Master tasks file`, { hint: "expected {\"master\": {\"tasks\": [...]}} or {\"tasks\": [...]}" });
  const tags: Array<[string, unknown[]]> = Array.isArray(root.tasks)
    ? [["master", root.tasks]]
    : Object.entries(root).filter(([, v]) => isObject(v) && Array.isArray(v.tasks)).map(([k, v]) => [k, (v as { tasks: unknown[] }).tasks]);
  if (tags.length === 0) throw new RwError("invalid_input", `${file} has no task lists`, { hint: "expected {\"master\": {\"tasks\": [...]}} or {\"tasks\": [...]}" });
  const multi = tags.length > 1;
  const tasks: ImportTask[] = [];
  const notes: ImportNote[] = [];
  const statuses: string[] = [];
  const unknownFields = new Map<string, number>();
  let items = 0;
  for (const [tag, list] of tags) {
    const idOf = (n: string): string => (tag === "master" ? n : `${labelOf(tag)}-${n}`);
    const mapStatus = (word: string | undefined, id: string): Status => {
      const w = (word ?? "pending").toLowerCase();
      const s = STATUS[w];
      if (!s) notes.push({ kind: "defaulted", item: id, text: `status ${JSON.stringify(word)} has no rw status: imported as open` });
      else statuses.push(`${w} -> ${s}`);
      return s ?? "open";
    };
    const make = (raw: Record<string, unknown>, id: string, deps: string[], parent?: string, inherited?: number): ImportTask => {
      countUnknown(raw, KNOWN, unknownFields);
      const word = str(raw.status);
      const p = str(raw.priority)?.toLowerCase();
      if (p !== undefined && PRIORITY[p] === undefined) notes.push({ kind: "defaulted", item: id, text: `priority ${JSON.stringify(p)} imported as 2` });
      const status = mapStatus(word, id);
      const t: ImportTask = {
        id, title: str(raw.title) ?? `(untitled ${id})`, status,
        priority: p !== undefined ? (PRIORITY[p] ?? 2) : (inherited ?? 2), type: "task",
        labels: multi ? [labelOf(tag)] : [], deps,
        body: joinSections(str(raw.description) ?? "", [
          ["Details", str(raw.details)], ["Test strategy", str(raw.testStrategy)],
          ["Acceptance criteria", criteriaOf(str(raw.acceptanceCriteria), status === "done")],
        ]),
      };
      if (!str(raw.title)) notes.push({ kind: "defaulted", item: id, text: "no title" });
      if (parent !== undefined) t.parent = parent;
      if (word === "deferred") t.reason = "deferred in Task Master";
      if (word === "review") t.labels.push("review");
      return t;
    };
    for (const item of list) {
      items++;
      if (!isObject(item) || str(item.id) === undefined) {
        notes.push({ kind: "skipped", item: `${tag} task ${items}`, text: "an entry without an id", problem: true });
        continue;
      }
      const n = str(item.id)!;
      const deps = depList(item.dependencies).map((d) => idOf(d));
      const parent = make(item, idOf(n), deps);
      tasks.push(parent);
      const subs = Array.isArray(item.subtasks) ? item.subtasks.filter(isObject) : [];
      items += Array.isArray(item.subtasks) ? item.subtasks.length : 0;
      if (subs.length > 0) parent.type = "epic";
      const { numbers, renumbered } = subtaskNumbers(idOf(n), subs, notes);
      subs.forEach((sub, i) => {
        // Subtask dependencies: a bare number is a sibling subtask; "2.1" names another task's subtask; 0 is no one.
        const raw = depList(sub.dependencies).filter((d) => d !== "0");
        const sibling = raw.filter((d) => !d.includes("."));
        if (renumbered && sibling.length > 0) {
          notes.push({ kind: "link-dropped", item: idOf(`${n}.${numbers[i]}`), text: `dependencies on sibling subtasks ${sibling.join(", ")} dropped (the siblings' numbers were not unique)` });
        }
        const sdeps = (renumbered ? raw.filter((d) => d.includes(".")) : raw).map((d) => idOf(d.includes(".") ? d : `${n}.${d}`));
        tasks.push(make(sub, idOf(`${n}.${numbers[i]}`), sdeps, parent.id, parent.priority));
      });
    }
  }
  droppedFields(unknownFields, "Task Master", notes);
  return {
    source: "taskmaster", tasks, notes, items,
    mapped: [`statuses: ${tally(statuses).join(", ") || "none"}`, "priority critical/high/medium/low -> 0/1/2/3, subtasks -> child tasks (parent), description/details/testStrategy/acceptanceCriteria -> body", ...(multi ? [`tags -> labels and ID prefixes (${tags.map(([t]) => t).join(", ")})`] : [])],
  };
}

function depList(v: unknown): string[] {
  return Array.isArray(v) ? v.map((d) => (typeof d === "number" ? String(d) : typeof d === "string" ? d.trim() : "")).filter((d) => d !== "") : [];
}
