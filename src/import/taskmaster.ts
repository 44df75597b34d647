import type { ImportPlan, ImportTask } from "../domain/decide-import.ts";
import { RwError } from "../domain/errors.ts";
import type { Status } from "../domain/types.ts";
import { body, isObject, labelOf, parseJson, str, tally } from "./common.ts";

const STATUS: Record<string, Status> = {
  pending: "open", "in-progress": "in_progress", in_progress: "in_progress", review: "in_progress", done: "done",
  completed: "done", deferred: "blocked", blocked: "blocked", cancelled: "cancelled", canceled: "cancelled",
};
const PRIORITY: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 };

/**
 * Maps Task Master's `.taskmaster/tasks/tasks.json`: the tagged format (`{"master": {"tasks":
 * [...]}, "<tag>": ...}`) or the legacy `{"tasks": [...]}`. IDs are kept (`3`; subtasks `3.1`;
 * tasks of tags other than master get the tag as prefix, `ui-3`, since each tag counts from 1).
 * Subtasks become child tasks; `dependencies` (numbers, sibling subtask numbers, or "3.1" forms)
 * become deps; status and priority words map to rw's.
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
  const dropped: string[] = [];
  const statuses: string[] = [];
  for (const [tag, list] of tags) {
    const idOf = (n: string): string => (tag === "master" ? n : `${labelOf(tag)}-${n}`);
    const mapStatus = (word: string | undefined, id: string): Status => {
      const w = (word ?? "pending").toLowerCase();
      const s = STATUS[w];
      if (!s) dropped.push(`${id}: unknown status ${JSON.stringify(word)} imported as open`);
      else statuses.push(`${w} -> ${s}`);
      return s ?? "open";
    };
    const make = (raw: Record<string, unknown>, id: string, deps: string[], parent?: string, inherited?: number): ImportTask => {
      const word = str(raw.status);
      const p = str(raw.priority)?.toLowerCase();
      if (p !== undefined && PRIORITY[p] === undefined) dropped.push(`${id}: priority ${JSON.stringify(p)} imported as 2`);
      const t: ImportTask = {
        id, title: str(raw.title) ?? `(untitled ${id})`, status: mapStatus(word, id),
        priority: p !== undefined ? (PRIORITY[p] ?? 2) : (inherited ?? 2), type: "task",
        labels: multi ? [labelOf(tag)] : [], deps,
        body: body(str(raw.description), [["Details", str(raw.details)], ["Test strategy", str(raw.testStrategy)]]),
      };
      if (parent !== undefined) t.parent = parent;
      if (word === "deferred") t.reason = "deferred in Task Master";
      if (word === "review") t.labels.push("review");
      return t;
    };
    for (const item of list) {
      if (!isObject(item) || str(item.id) === undefined) {
        dropped.push(`${tag}: an entry without an id skipped`);
        continue;
      }
      const n = str(item.id)!;
      const deps = depList(item.dependencies).map((d) => idOf(d));
      const parent = make(item, idOf(n), deps);
      tasks.push(parent);
      const subs = Array.isArray(item.subtasks) ? item.subtasks.filter(isObject) : [];
      if (subs.length > 0) parent.type = "epic";
      for (const sub of subs) {
        const sn = str(sub.id);
        if (sn === undefined) continue;
        // Subtask dependencies: a bare number is a sibling subtask; "2.1" names another task's subtask; 0 is no one.
        const sdeps = depList(sub.dependencies).filter((d) => d !== "0").map((d) => idOf(d.includes(".") ? d : `${n}.${d}`));
        tasks.push(make(sub, idOf(`${n}.${sn}`), sdeps, parent.id, parent.priority));
      }
    }
  }
  return {
    source: "taskmaster", tasks, dropped,
    mapped: [`statuses: ${tally(statuses).join(", ") || "none"}`, "priority high/medium/low -> 1/2/3, subtasks -> child tasks (parent), description/details/testStrategy -> body", ...(multi ? [`tags -> labels (${tags.map(([t]) => t).join(", ")})`] : [])],
  };
}

function depList(v: unknown): string[] {
  return Array.isArray(v) ? v.map((d) => (typeof d === "number" ? String(d) : typeof d === "string" ? d.trim() : "")).filter((d) => d !== "") : [];
}
