import type { ImportPlan, ImportTask } from "../domain/decide-import.ts";
import type { Status } from "../domain/types.ts";
import { RwError } from "../domain/errors.ts";
import { body, criteria, criteriaFromText, isObject, iso, labelOf, str, strings, tally } from "./common.ts";

/** beads statuses (bd) to rw's; `tombstone` (soft-deleted) is skipped, not imported. */
const STATUS: Record<string, Status> = {
  open: "open", in_progress: "in_progress", blocked: "blocked", closed: "done", deferred: "blocked", pinned: "open", hooked: "in_progress",
};
const TYPES = new Set(["task", "bug", "feature", "epic", "chore"]);

/**
 * Maps beads' `.beads/issues.jsonl` (one issue per line): statuses, priorities 0-4, issue_type,
 * `blocks` dependencies as deps and `parent-child` as parent, description/design/acceptance
 * criteria/notes as the body, labels, comments as notes, close reasons; tombstones skipped.
 */
export function planBeads(text: string, file: string): ImportPlan {
  const tasks: ImportTask[] = [];
  const dropped: string[] = [];
  const statusMap: string[] = [];
  let lineNo = 0;
  for (const line of text.split("\n")) {
    lineNo++;
    if (line.trim() === "") continue;
    let issue: unknown;
    try {
      issue = JSON.parse(line);
    } catch {
      throw new RwError("invalid_input", `${file} line ${lineNo} is not valid JSON`, { hint: "each line of a beads JSONL file is one issue object; fix or remove that line" });
    }
    if (!isObject(issue) || !str(issue.id) || !str(issue.title)) {
      throw new RwError("invalid_input", `${file} line ${lineNo} is not a beads issue (needs "id" and "title")`);
    }
    const id = str(issue.id)!;
    const source = str(issue.status) ?? "open";
    if (source === "tombstone" || issue.deleted_at) {
      dropped.push(`${id}: tombstone (deleted in beads) skipped`);
      continue;
    }
    const status = STATUS[source];
    if (!status) dropped.push(`${id}: unknown status ${JSON.stringify(source)} imported as open`);
    else statusMap.push(`${source} -> ${status}`);
    const t: ImportTask = {
      id, title: str(issue.title)!, status: status ?? "open",
      priority: typeof issue.priority === "number" && issue.priority >= 0 && issue.priority <= 4 ? Math.round(issue.priority) : 2,
      type: "task", labels: strings(issue.labels).map(labelOf), deps: [],
      body: body(str(issue.description), [
        ["Design", str(issue.design)],
        ["Acceptance criteria", criteria(criteriaFromText(str(issue.acceptance_criteria)))],
        ["Notes", str(issue.notes)],
      ]),
    };
    const type = str(issue.issue_type) ?? "task";
    if (TYPES.has(type)) t.type = type;
    else {
      t.type = "task";
      t.labels.push(labelOf(type));
      dropped.push(`${id}: issue_type ${type} has no rw type: imported as task with label ${labelOf(type)}`);
    }
    if (source === "deferred") t.reason = "deferred in beads";
    const created = iso(issue.created_at);
    if (created) t.created_at = created;
    const assignee = str(issue.assignee);
    if (assignee && (status === "in_progress" || status === "done")) t.assignee = assignee;
    else if (assignee) dropped.push(`${id}: assignee ${assignee} dropped (rw assigns by claiming)`);
    const reason = str(issue.close_reason);
    if (reason) t.reason = reason;
    const defer = iso(issue.defer_until);
    if (defer) t.defer_until = defer;
    for (const dep of Array.isArray(issue.dependencies) ? issue.dependencies : []) {
      if (!isObject(dep)) continue;
      const target = str(dep.depends_on_id);
      const kind = str(dep.type) ?? "blocks";
      if (!target) continue;
      if (kind === "blocks") t.deps.push(target);
      else if (kind === "parent-child") t.parent = target;
      else dropped.push(`${id}: ${kind} link to ${target} dropped (rw keeps blocking dependencies and parents)`);
    }
    const comments = Array.isArray(issue.comments) ? issue.comments.filter(isObject) : [];
    t.notes = comments.map((c) => ({ actor: str(c.author) ?? "beads", text: str(c.text) ?? "", ...(iso(c.created_at) ? { ts: iso(c.created_at)! } : {}) }));
    tasks.push(t);
  }
  const mapped = [`statuses: ${tally(statusMap).join(", ") || "none"}`, "blocks -> deps, parent-child -> parent, description/design/acceptance_criteria/notes -> body, comments -> notes"];
  return { source: "beads", tasks, dropped, mapped };
}
