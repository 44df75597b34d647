import type { ImportPlan, ImportTask } from "../domain/decide-import.ts";
import type { Status } from "../domain/types.ts";
import { criteria, iso, labelOf, tally } from "./common.ts";
import { parseFrontmatter, type FrontValue } from "./frontmatter.ts";

/** A file of a Backlog.md `backlog/` directory: its path relative to that directory, and its text. */
export interface BacklogFile { path: string; text: string }

const STATUS: Record<string, Status> = { "to do": "open", todo: "open", "in progress": "in_progress", done: "done", blocked: "blocked", cancelled: "cancelled" };
const PRIORITY: Record<string, number> = { high: 1, medium: 2, low: 3 };

const one = (v: FrontValue | undefined): string | undefined => (Array.isArray(v) ? v[0] : v === "" ? undefined : v);
const many = (v: FrontValue | undefined): string[] => (Array.isArray(v) ? v : v === undefined || v === "" ? [] : [v]);

/**
 * Maps a Backlog.md directory: `tasks/` and `completed/` (done) become tasks with their IDs
 * (`task-12`, subtasks `task-12.1`), `dependencies`, `parent_task_id`, labels, priority words and
 * the status column; the body loses Backlog.md's section markers and its numbered acceptance
 * criteria become rw's checklist. Drafts and archived tasks are reported, not imported.
 */
export function planBacklogMd(files: BacklogFile[]): ImportPlan {
  const tasks: ImportTask[] = [];
  const dropped: string[] = [];
  const statuses: string[] = [];
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    if (!f.path.endsWith(".md")) continue;
    const dir = f.path.split("/")[0];
    if (dir === "drafts" || dir === "archive") {
      dropped.push(`${f.path}: ${dir === "drafts" ? "draft" : "archived task"} not imported`);
      continue;
    }
    if (dir !== "tasks" && dir !== "completed") continue;
    const { data, body } = parseFrontmatter(f.text, `backlog/${f.path}`);
    const id = one(data.id) ?? /^(task-[\d.]+)/i.exec(f.path.split("/").pop() ?? "")?.[1];
    if (!id) {
      dropped.push(`${f.path}: no id in frontmatter or file name; skipped`);
      continue;
    }
    const word = (one(data.status) ?? (dir === "completed" ? "Done" : "To Do")).trim();
    let status = dir === "completed" ? "done" as Status : STATUS[word.toLowerCase()];
    const labels = many(data.labels).map(labelOf);
    if (!status) {
      status = "open";
      labels.push(labelOf(word.toLowerCase()));
      dropped.push(`${id}: status column ${JSON.stringify(word)} has no rw status: open, labelled ${labelOf(word.toLowerCase())}`);
    } else statuses.push(`${word} -> ${status}`);
    const pword = one(data.priority)?.toLowerCase();
    const t: ImportTask = {
      id, title: one(data.title) ?? id, status, priority: pword !== undefined ? (PRIORITY[pword] ?? 2) : 2, type: "task",
      labels, deps: many(data.dependencies).map((d) => (/^\d/.test(d) ? `task-${d}` : d)), body: cleanBody(body),
    };
    const milestone = one(data.milestone);
    if (milestone) t.labels.push(labelOf(milestone));
    const parent = one(data.parent_task_id) ?? one(data.parent);
    if (parent) t.parent = parent;
    const assignee = many(data.assignee)[0]?.replace(/^@/, "");
    if (assignee && (status === "in_progress" || status === "done")) t.assignee = assignee;
    else if (assignee) dropped.push(`${id}: assignee ${assignee} dropped (rw assigns by claiming)`);
    const created = iso(one(data.created_date)?.replace(" ", "T"));
    if (created) t.created_at = created;
    tasks.push(t);
  }
  return {
    source: "backlog.md", tasks, dropped,
    mapped: [`statuses: ${tally(statuses).join(", ") || "none"}`, "priority high/medium/low -> 1/2/3, milestone -> label, parent_task_id -> parent, acceptance criteria -> checklist"],
  };
}

/** Drops Backlog.md's `<!-- SECTION:... -->` / `<!-- AC:... -->` markers and numbers; keeps the words. */
export function cleanBody(text: string): string {
  const out: string[] = [];
  let inAc = false;
  const ac: Array<{ text: string; checked: boolean }> = [];
  for (const line of text.split("\n")) {
    if (/^<!--\s*(?:SECTION|DOD):[A-Z_]+:(?:BEGIN|END)\s*-->$/.test(line.trim())) continue;
    if (/^<!--\s*AC:BEGIN\s*-->$/.test(line.trim())) {
      inAc = true;
      continue;
    }
    if (/^<!--\s*AC:END\s*-->$/.test(line.trim())) {
      inAc = false;
      out.push(criteria(ac.splice(0)) ?? "");
      continue;
    }
    const m = /^\s*-\s+\[([ xX])\]\s+(?:#\d+\s+)?(.*)$/.exec(line);
    if (inAc && m) {
      ac.push({ text: m[2]!, checked: m[1]!.toLowerCase() === "x" });
      continue;
    }
    out.push(/^##\s+Acceptance Criteria\s*$/i.test(line) ? "## Acceptance criteria" : line);
  }
  const cleaned = out.join("\n").replace(/\n{3,}/g, "\n\n").trim();
  return cleaned === "" ? "" : `${cleaned}\n`;
}
