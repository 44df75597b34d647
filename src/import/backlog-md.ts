import type { ImportNote, ImportPlan, ImportTask } from "../domain/decide-import.ts";
import type { Status } from "../domain/types.ts";
import { readFrontmatter } from "../format/task-parse.ts";
import { countUnknown, criteria, droppedFields, labelOf, labelsOf, tally } from "./common.ts";

/** A file of a Backlog.md `backlog/` directory: its path relative to that directory, and its text. */
export interface BacklogFile { path: string; text: string }

const STATUS: Record<string, Status> = { "to do": "open", todo: "open", "in progress": "in_progress", done: "done", blocked: "blocked", cancelled: "cancelled" };
const PRIORITY: Record<string, number> = { high: 1, medium: 2, low: 3 };
const KNOWN = new Set(["id", "title", "status", "assignee", "labels", "dependencies", "priority", "type", "milestone", "parent_task_id", "parent", "created_date", "updated_date", "completed_date", "references", "modified_files", "documentation"]);
/** List fields kept as body sections (they have no rw field; dropping them would lose links and paths). */
const LIST_SECTIONS: Array<[string, string]> = [["references", "References"], ["documentation", "Documentation"], ["modified_files", "Modified files"]];
/** A frontmatter bigger than this is refused: task files are small, and YAML is parsed in memory. */
const MAX_FILE = 1 << 20;

/** A YAML value as text: js-yaml turns unquoted dates into Date and numbers into number. */
function scalar(v: unknown): string | undefined {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.toISOString();
  if (typeof v === "number") return String(v);
  if (typeof v === "string") return v.trim() === "" ? undefined : v.trim();
  return undefined;
}
const one = (v: unknown): string | undefined => (Array.isArray(v) ? scalar(v[0]) : scalar(v));
const many = (v: unknown): string[] => (Array.isArray(v) ? v.map(scalar).filter((s): s is string => s !== undefined) : scalar(v) === undefined ? [] : [scalar(v)!]);

/** Backlog.md dates (`2025-06-04 14:22`, written in the writer's local time) read as UTC, so an import is the same on every machine. */
function dateOf(v: unknown): string | undefined {
  const s = one(v);
  if (s === undefined) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2}:\d{2}(?::\d{2})?))?$/.exec(s);
  const text = m ? `${m[1]}T${(m[2] ?? "00:00").padStart(5, "0")}${m[2]?.length === 8 ? "" : ":00"}Z` : s;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** The task prefix of `config.yml` (`task_prefix: "back"`), else Backlog.md's default `task`. */
export function taskPrefix(configText: string | undefined): string {
  if (configText === undefined) return "task";
  try {
    const data = readFrontmatter(`---\n${configText}\n---\n`, "backlog/config.yml").data;
    return scalar(data?.task_prefix) ?? "task";
  } catch {
    return "task";
  }
}

/**
 * Older Backlog.md versions wrote `assignee: @MrLesk` unquoted, which YAML reserves (`@`
 * cannot start a plain scalar) and Backlog.md itself still reads. When the YAML reader refuses
 * a file, such values are quoted and it is read again; anything else wrong is still refused.
 */
function readBacklogFrontmatter(text: string, file: string): ReturnType<typeof readFrontmatter> {
  try {
    return readFrontmatter(text, file);
  } catch (err) {
    const end = text.indexOf("\n---", 3);
    if (!text.startsWith("---") || end < 0) throw err;
    const head = text.slice(0, end).replace(/^(\s*(?:[A-Za-z_][\w-]*:|-)[ \t]+)(@[^\n]*?)[ \t]*$/gm, (_, lead: string, v: string) => `${lead}'${v.replace(/'/g, "''")}'`);
    if (head === text.slice(0, end)) throw err;
    return readFrontmatter(head + text.slice(end), file);
  }
}

/** `BACK-12.01` / `task-12.1` / `12.1` -> "12.1": Backlog.md matches IDs by their numbers, whatever the prefix. */
const numberKey = (digits: string): string => digits.split(".").map((d) => String(Number(d))).join(".");

/**
 * Maps a Backlog.md directory: `tasks/` and `completed/` (done) become tasks with their IDs
 * (`BACK-12`, subtasks `BACK-12.1`), `dependencies`, `parent_task_id` (bare numbers and the
 * legacy `task-` prefix resolved against `config.yml`'s `task_prefix`), labels, priority words,
 * `type`, the status column, and references/documentation/modified files as body sections.
 * Frontmatter is YAML read by the task-file reader (its limits); a file it cannot read is
 * skipped and reported. Drafts, archived tasks, decisions and docs are reported, not imported.
 */
export function planBacklogMd(files: BacklogFile[], configText?: string): ImportPlan {
  const prefix = taskPrefix(configText);
  const tasks: ImportTask[] = [];
  const notes: ImportNote[] = [];
  const statuses: string[] = [];
  const types: string[] = [];
  const kept = new Map<string, number>();
  const unknownFields = new Map<string, number>();
  let items = 0;
  const refs: Array<{ t: ImportTask; deps: string[]; parent?: string }> = [];
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    const name = f.path.split("/").pop() ?? "";
    if (!name.endsWith(".md") || name.toLowerCase() === "readme.md") continue;
    const dir = f.path.split("/")[0];
    items++;
    if (dir !== "tasks" && dir !== "completed") {
      const why = dir === "drafts" ? ["draft", "a draft; promote it in Backlog.md to import it"] : dir === "archive" ? ["archived", "archived in Backlog.md"] : ["document", `a ${dir} file, not a task`];
      notes.push({ kind: why[0]!, item: `backlog/${f.path}`, text: `${why[1]}; not imported` });
      continue;
    }
    if (f.text.length > MAX_FILE) {
      notes.push({ kind: "skipped", item: `backlog/${f.path}`, text: `larger than ${MAX_FILE} bytes; not read`, problem: true });
      continue;
    }
    let data: Record<string, unknown>;
    let body: string;
    try {
      const fm = readBacklogFrontmatter(f.text, `backlog/${f.path}`);
      data = fm.data ?? {};
      body = fm.body;
    } catch (err) {
      notes.push({ kind: "skipped", item: `backlog/${f.path}`, text: (err as Error).message, problem: true });
      continue;
    }
    const id = one(data.id) ?? /^([a-z][a-z0-9_]*-[\d.]+)/i.exec(name)?.[1];
    if (!id) {
      notes.push({ kind: "skipped", item: `backlog/${f.path}`, text: "no id in the frontmatter or the file name", problem: true });
      continue;
    }
    countUnknown(data, KNOWN, unknownFields);
    const origin: Record<string, unknown> = {};
    const word = one(data.status) ?? (dir === "completed" ? "Done" : "To Do");
    let status = dir === "completed" ? "done" as Status : STATUS[word.toLowerCase()];
    const labels = labelsOf(many(data.labels), id, notes, origin);
    if (!status) {
      status = "open";
      labels.push(labelOf(word.toLowerCase()));
      notes.push({ kind: "kept-as-label", item: id, text: `status column ${JSON.stringify(word)} has no rw status: open, labelled ${labelOf(word.toLowerCase())}` });
    } else statuses.push(`${word} -> ${status}`);
    const pword = one(data.priority)?.toLowerCase();
    if (pword !== undefined && PRIORITY[pword] === undefined) notes.push({ kind: "defaulted", item: id, text: `priority ${JSON.stringify(pword)} imported as 2` });
    const type = one(data.type)?.toLowerCase() ?? "task";
    const t: ImportTask = {
      id, title: one(data.title)?.replace(/\s+/g, " ") ?? id, status, priority: pword !== undefined ? (PRIORITY[pword] ?? 2) : 2,
      type: /^[a-z][a-z0-9_-]{0,31}$/.test(type) ? type : "task", labels, deps: [], body: "",
    };
    if (t.type !== type) notes.push({ kind: "defaulted", item: id, text: `type ${JSON.stringify(type)} is not an rw type word: imported as task` });
    types.push(t.type);
    const sections: string[] = [];
    for (const [field, heading] of LIST_SECTIONS) {
      const list = many(data[field]);
      if (list.length === 0) continue;
      sections.push(`## ${heading}\n\n${list.map((x) => `- ${x}`).join("\n")}`);
      kept.set(field, (kept.get(field) ?? 0) + 1);
    }
    const cleaned = cleanBody(body).trimEnd();
    t.body = [cleaned, ...sections].filter((s) => s !== "").join("\n\n");
    if (t.body !== "") t.body += "\n";
    const milestone = one(data.milestone);
    if (milestone) t.labels.push(labelOf(milestone));
    const assignees = many(data.assignee).map((a) => a.replace(/^@/, ""));
    if (assignees[0] && (status === "in_progress" || status === "done")) t.assignee = assignees[0];
    const unclaimed = t.assignee ? assignees.slice(1) : assignees;
    if (unclaimed.length > 0) notes.push({ kind: "unassigned", item: id, text: `assignee ${unclaimed.join(", ")} not claimed (rw assigns by claiming)` });
    const created = dateOf(data.created_date);
    if (created) t.created_at = created;
    const completed = dateOf(data.completed_date);
    if (completed && status === "done") t.closed_at = completed;
    tasks.push(t);
    const parent = one(data.parent_task_id) ?? one(data.parent);
    refs.push({ t, deps: many(data.dependencies), ...(parent ? { parent } : {}) });
  }
  // References resolve once every ID is known: by number, under the project's prefix or the legacy `task-`.
  const byNumber = new Map<string, string>();
  for (const t of tasks) {
    const m = /^[a-z][a-z0-9_]*-(\d+(?:\.\d+)*)$/i.exec(t.id);
    if (m && !byNumber.has(numberKey(m[1]!))) byNumber.set(numberKey(m[1]!), t.id);
  }
  const resolve = (ref: string): string => {
    const m = /^(?:([a-z][a-z0-9_]*)-)?(\d+(?:\.\d+)*)$/i.exec(ref.trim());
    if (!m) return ref.trim();
    const p = m[1]?.toLowerCase();
    if (p !== undefined && p !== prefix.toLowerCase() && p !== "task") return ref.trim();
    return byNumber.get(numberKey(m[2]!)) ?? `${prefix}-${m[2]}`;
  };
  for (const { t, deps, parent } of refs) {
    t.deps = deps.map(resolve);
    if (parent) t.parent = resolve(parent);
  }
  droppedFields(unknownFields, "Backlog.md", notes);
  return {
    source: "backlog.md", tasks, notes, items,
    mapped: [
      `statuses: ${tally(statuses).join(", ") || "none"}`, `types: ${tally(types).join(", ") || "none"}`,
      `task prefix ${JSON.stringify(prefix)}: bare numbers and task-N in dependencies/parent_task_id resolve to the task with that number`,
      "priority high/medium/low -> 1/2/3, milestone -> label, parent_task_id -> parent, acceptance criteria -> checklist",
      ...(kept.size > 0 ? [`kept as body sections: ${[...kept].map(([k, n]) => `${k} ×${n}`).join(", ")}`] : []),
    ],
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
