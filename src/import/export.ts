import type { State, Task } from "../domain/types.ts";
import { byPriority } from "../domain/order.ts";
import { criteriaSection } from "../format/criteria-lines.ts";

const BEADS_STATUS = { open: "open", in_progress: "in_progress", review: "in_progress", blocked: "blocked", done: "closed", cancelled: "closed" } as const;
const BEADS_TYPES = new Set(["task", "bug", "feature", "epic", "chore"]);

const byId = (a: Task, b: Task): number => (a.id < b.id ? -1 : 1);

/** beads' `issues.jsonl`: one issue per line; cancelled tasks close with reason "cancelled". */
export function exportBeads(state: State): string {
  const lines = Object.values(state.tasks).sort(byId).map((t) => {
    const { rest: description, items: criteria } = criteriaSection(t.body);
    const issue: Record<string, unknown> = {
      id: t.id, title: t.title, description, status: BEADS_STATUS[t.status], priority: t.priority,
      issue_type: BEADS_TYPES.has(t.type) ? t.type : "task",
    };
    if (criteria.length > 0) issue.acceptance_criteria = criteria.map((c) => `- [${c.checked ? "x" : " "}] ${c.text}`).join("\n");
    if (t.assignee) issue.assignee = t.assignee;
    if (t.labels.length > 0) issue.labels = t.labels;
    const deps = t.deps.map((d) => ({ issue_id: t.id, depends_on_id: d, type: "blocks" }));
    if (t.parent) deps.push({ issue_id: t.id, depends_on_id: t.parent, type: "parent-child" });
    if (deps.length > 0) issue.dependencies = deps;
    issue.created_at = t.created_at;
    issue.updated_at = t.updated_at;
    if (t.status === "done" || t.status === "cancelled") {
      issue.closed_at = t.updated_at;
      if (t.status === "cancelled") issue.close_reason = "cancelled";
    }
    if (t.notes.length > 0) issue.comments = t.notes.map((n, i) => ({ id: i + 1, issue_id: t.id, author: n.actor, text: n.text, created_at: n.ts }));
    return JSON.stringify(issue);
  });
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

/** ralph-tui's `prd.json`: the tasks (of one initiative, when given) as user stories. */
export function exportPrd(state: State, opts: { name: string; description?: string; initiative?: string }): string {
  const tasks = Object.values(state.tasks)
    .filter((t) => t.status !== "cancelled" && (opts.initiative === undefined || t.initiative === opts.initiative))
    .sort(byPriority);
  const userStories = tasks.map((t) => {
    const { rest: description, items: criteria } = criteriaSection(t.body);
    return {
      id: t.id, title: t.title, description, acceptanceCriteria: criteria.map((c) => c.text),
      // ralph-tui counts priority from 1 (highest); rw's 0 and 1 both become 1.
      priority: Math.max(1, t.priority), passes: t.status === "done", labels: t.labels, dependsOn: t.deps,
    };
  });
  return `${JSON.stringify({ name: opts.name, ...(opts.description ? { description: opts.description } : {}), userStories }, null, 2)}\n`;
}
