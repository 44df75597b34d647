import type { ImportNote, ImportPlan, ImportTask } from "../domain/decide-import.ts";
import type { Status } from "../domain/types.ts";
import { checklistOf, countUnknown, droppedFields, isObject, iso, labelsOf, rankPriorities, str, strings, tally } from "./common.ts";
import { joinSections } from "./sections.ts";

/**
 * beads statuses (bd) to rw's. `pinned` (stays open indefinitely: hooks, anchors) is open;
 * `hooked` (attached to an agent's hook, being worked) is in progress under its assignee;
 * `deferred` is blocked with its defer date. The source word is kept for export.
 * `tombstone` (soft-deleted) is skipped and reported.
 */
export const BEADS_STATUS: Record<string, Status> = {
  open: "open", in_progress: "in_progress", blocked: "blocked", closed: "done", deferred: "blocked", pinned: "open", hooked: "in_progress",
};

/** Fields rw reads (or that bd derives from others); anything else is reported as not imported. */
const KNOWN = new Set([
  "id", "title", "description", "design", "acceptance_criteria", "notes", "status", "priority", "issue_type", "assignee", "labels", "dependencies",
  "comments", "created_at", "updated_at", "closed_at", "close_reason", "defer_until", "parent", "deleted_at", "dependency_count", "dependent_count", "comment_count",
]);

/** Body sections a beads issue's text fields become, in order; the export splits them back. */
export const BEADS_SECTIONS: Array<[field: string, heading: string]> = [["design", "Design"], ["acceptance_criteria", "Acceptance criteria"], ["notes", "Notes"]];

/**
 * Maps beads' `.beads/issues.jsonl` (one issue per line): statuses, priorities, issue_type,
 * `blocks` dependencies as deps and the parent (`parent`, else the first `parent-child` link),
 * description/design/acceptance criteria/notes as the body (verbatim), labels, comments as
 * notes, close reasons and times. A line that is not an issue is skipped and reported.
 */
export function planBeads(text: string, file: string): ImportPlan {
  const notes: ImportNote[] = [];
  const issues: Array<{ issue: Record<string, unknown>; line: number }> = [];
  let lineNo = 0;
  let items = 0;
  for (const line of text.split("\n")) {
    lineNo++;
    if (line.trim() === "") continue;
    items++;
    let issue: unknown;
    try {
      issue = JSON.parse(line);
    } catch {
      notes.push({ kind: "skipped", item: `${file} line ${lineNo}`, text: "not valid JSON; each line of a beads JSONL file is one issue object", problem: true });
      continue;
    }
    if (!isObject(issue) || !str(issue.id) || typeof issue.title !== "string") {
      notes.push({ kind: "skipped", item: `${file} line ${lineNo}`, text: 'not a beads issue (needs "id" and "title")', problem: true });
      continue;
    }
    issues.push({ issue, line: lineNo });
  }
  const priorityOf = rankPriorities(issues.map(({ issue }) => (typeof issue.priority === "number" ? issue.priority : 2)));
  const tasks: ImportTask[] = [];
  const statusMap: string[] = [];
  const unknownFields = new Map<string, number>();
  for (const { issue } of issues) {
    const id = str(issue.id)!;
    const source = str(issue.status) ?? "open";
    if (source === "tombstone" || issue.deleted_at) {
      notes.push({ kind: "tombstone", item: id, text: "deleted in beads (tombstone); not imported" });
      continue;
    }
    countUnknown(issue, KNOWN, unknownFields);
    const origin: Record<string, unknown> = {};
    let status = BEADS_STATUS[source];
    if (!status) {
      status = "open";
      notes.push({ kind: "defaulted", item: id, text: `status ${JSON.stringify(source)} has no rw status: imported as open (written back on export)` });
    } else statusMap.push(`${source} -> ${status}`);
    if (!["open", "in_progress", "blocked", "closed"].includes(source)) origin.status = source;
    const sourcePriority = typeof issue.priority === "number" ? issue.priority : undefined;
    const priority = priorityOf(sourcePriority ?? 2);
    if (sourcePriority === undefined) notes.push({ kind: "defaulted", item: id, text: "no priority: imported as 2" });
    else if (priority !== sourcePriority) {
      origin.priority = sourcePriority;
      notes.push({ kind: "rank-mapped", item: id, text: `priority ${sourcePriority} -> ${priority} (order kept; ${sourcePriority} written back on export)` });
    }
    const sections: string[] = [];
    const parts = BEADS_SECTIONS.map(([field, heading]): [string, string | undefined] => {
      let v = typeof issue[field] === "string" && (issue[field]).trim() !== "" ? (issue[field]) : undefined;
      if (v !== undefined) sections.push(field);
      if (v !== undefined && field === "acceptance_criteria") {
        // Criteria become checkboxes rw can tick; the text as beads wrote it is kept for the export.
        const list = checklistOf(v, status === "done");
        if (list !== v) origin.acceptance_criteria = v;
        v = list;
      }
      return [heading, v];
    });
    if (sections.length > 0) origin.sections = sections;
    const t: ImportTask = {
      id, title: issue.title as string, status, priority, type: "task", labels: labelsOf(strings(issue.labels), id, notes, origin), deps: [],
      body: joinSections(typeof issue.description === "string" ? issue.description : "", parts),
    };
    const type = str(issue.issue_type) ?? "task";
    if (/^[a-z][a-z0-9_-]{0,31}$/.test(type)) t.type = type;
    else {
      origin.issue_type = type;
      notes.push({ kind: "defaulted", item: id, text: `issue_type ${JSON.stringify(type)} is not an rw type word: imported as task (written back on export)` });
    }
    if (source === "deferred") t.reason = "deferred in beads";
    const created = iso(issue.created_at);
    if (created) t.created_at = created;
    const updated = iso(issue.updated_at);
    if (updated) origin.updated_at = updated;
    const assignee = str(issue.assignee);
    if (assignee && (status === "in_progress" || status === "done")) t.assignee = assignee;
    else if (assignee) {
      origin.assignee = assignee;
      notes.push({ kind: "unassigned", item: id, text: `assignee ${assignee} not claimed (rw assigns by claiming; written back on export)` });
    }
    const reason = str(issue.close_reason);
    if (reason && status === "done") t.reason = reason;
    const closed = iso(issue.closed_at);
    if (closed && status === "done") t.closed_at = closed;
    const defer = iso(issue.defer_until);
    if (defer) t.defer_until = defer;
    const parent = str(issue.parent);
    if (parent) t.parent = parent;
    const kept: unknown[] = [];
    for (const dep of Array.isArray(issue.dependencies) ? issue.dependencies : []) {
      if (!isObject(dep)) continue;
      const target = str(dep.depends_on_id);
      const kind = str(dep.type) ?? "blocks";
      if (!target) continue;
      if (kind === "blocks") t.deps.push(target);
      else if (kind === "parent-child" && (t.parent === undefined || t.parent === target)) t.parent = target;
      else {
        kept.push({ depends_on_id: target, type: kind });
        notes.push({ kind: "link-dropped", item: id, text: kind === "parent-child" ? `second parent ${target} not imported (rw keeps one parent, ${t.parent}; written back on export)` : `${kind} link to ${target} not imported (rw keeps blocking dependencies and parents; written back on export)` });
      }
    }
    if (kept.length > 0) origin.links = kept;
    const comments = Array.isArray(issue.comments) ? issue.comments.filter(isObject) : [];
    t.notes = comments.map((c) => ({ actor: str(c.author) ?? "beads", text: str(c.text) ?? "", ...(iso(c.created_at) ? { ts: iso(c.created_at)! } : {}) }));
    if (Object.keys(origin).length > 0) t.origin = origin;
    tasks.push(t);
  }
  droppedFields(unknownFields, "beads", notes);
  const mapped = [
    `statuses: ${tally(statusMap).join(", ") || "none"} (pinned -> open, hooked -> in progress under its assignee, deferred -> blocked until defer_until)`,
    "blocks -> deps, parent / parent-child -> parent, description/design/acceptance_criteria/notes -> body sections, comments -> notes, close_reason -> completion summary",
  ];
  return { source: "beads", tasks, notes, mapped, items };
}
