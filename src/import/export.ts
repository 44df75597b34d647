import type { State, Task } from "../domain/types.ts";
import { byPriority } from "../domain/order.ts";
import { BEADS_SECTIONS, BEADS_STATUS } from "./beads.ts";
import { checklistOf } from "./common.ts";
import { originFor, type ExportExtras } from "./extras.ts";
import { criteriaText, SECTION_HEADINGS, splitSections } from "./sections.ts";

const BEADS_OUT = { open: "open", in_progress: "in_progress", review: "in_progress", blocked: "blocked", done: "closed", cancelled: "closed" } as const;

const byId = (a: Task, b: Task): number => (a.id < b.id ? -1 : 1);

/** The source's label spelling (`gt:merge-request`) for a label rw had to rewrite. */
function labelsOut(t: Task, o: Record<string, unknown>): string[] {
  const spelled = (typeof o.labels === "object" && o.labels !== null ? o.labels : {}) as Record<string, string>;
  return t.labels.map((l) => spelled[l] ?? l);
}

/** The body's description and text fields: the sections the import joined, else the criteria section. */
function beadsText(t: Task, o: Record<string, unknown>): { description: string; fields: Record<string, string> } {
  const joined = Array.isArray(o.sections) ? (o.sections as string[]) : undefined;
  if (joined) {
    const headings = BEADS_SECTIONS.filter(([f]) => joined.includes(f));
    const { description, sections } = splitSections(t.body, headings.map(([, h]) => h));
    const fields: Record<string, string> = {};
    for (const [f, h] of headings) if (sections[h] !== undefined) fields[f] = sections[h];
    // The criteria as beads wrote them, unless they changed here (a tick, an edit) since the import.
    const source = o.acceptance_criteria;
    const norm = (v: string): string => v.replace(/^\n+/, "").trimEnd();
    if (typeof source === "string" && [true, false].some((done) => fields.acceptance_criteria === norm(checklistOf(source, done)))) fields.acceptance_criteria = source;
    return { description, fields };
  }
  const { text, rest } = criteriaText(t.body);
  return { description: rest, fields: text === undefined ? {} : { acceptance_criteria: text } };
}

/**
 * beads' `issues.jsonl`: one issue per line. Writes back what the import kept from beads
 * (status words like hooked/pinned/deferred, out-of-range priorities, label spellings, links rw
 * does not act on, close reasons and times); cancelled tasks close with their reason or "cancelled".
 */
export function exportBeads(state: State, extras: ExportExtras): string {
  const lines = Object.values(state.tasks).sort(byId).map((t) => {
    const x = extras.tasks.get(t.id);
    const o = originFor(x, "beads");
    const { description, fields } = beadsText(t, o);
    const status = typeof o.status === "string" && BEADS_STATUS[o.status] === t.status ? o.status : BEADS_OUT[t.status];
    const issue: Record<string, unknown> = { id: t.id, title: t.title, description, ...fields, status, priority: typeof o.priority === "number" ? o.priority : t.priority };
    issue.issue_type = t.type === "task" && typeof o.issue_type === "string" ? o.issue_type : t.type;
    const assignee = t.assignee ?? (typeof o.assignee === "string" ? o.assignee : undefined);
    if (assignee) issue.assignee = assignee;
    issue.created_at = t.created_at;
    issue.updated_at = typeof o.updated_at === "string" && t.updated_at === x?.imported_at ? o.updated_at : t.updated_at;
    if (t.status === "done" || t.status === "cancelled") {
      issue.closed_at = x?.closed_at ?? t.updated_at;
      const reason = x?.summary ?? (t.status === "cancelled" ? "cancelled" : undefined);
      if (reason) issue.close_reason = reason;
    }
    if (t.defer_until) issue.defer_until = t.defer_until;
    if (t.labels.length > 0) issue.labels = labelsOut(t, o);
    if (t.parent) issue.parent = t.parent;
    const deps: Array<Record<string, unknown>> = t.deps.map((d) => ({ issue_id: t.id, depends_on_id: d, type: "blocks" }));
    if (t.parent) deps.push({ issue_id: t.id, depends_on_id: t.parent, type: "parent-child" });
    for (const l of Array.isArray(o.unresolved) ? (o.unresolved as Array<Record<string, unknown>>) : []) deps.push({ issue_id: t.id, depends_on_id: l.depends_on_id, type: l.type });
    for (const l of Array.isArray(o.links) ? (o.links as Array<Record<string, unknown>>) : []) deps.push({ issue_id: t.id, depends_on_id: l.depends_on_id, type: l.type });
    if (deps.length > 0) issue.dependencies = deps;
    if (t.notes.length > 0) issue.comments = t.notes.map((n, i) => ({ id: i + 1, issue_id: t.id, author: n.actor, text: n.text, created_at: n.ts }));
    return JSON.stringify(issue);
  });
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

/** The keys in the order the source file had them (when the import kept it), then any new ones. */
function inOrder(rec: Record<string, unknown>, keys: unknown): Record<string, unknown> {
  if (!Array.isArray(keys)) return rec;
  const out: Record<string, unknown> = {};
  for (const k of keys as string[]) if (k in rec) out[k] = rec[k];
  for (const [k, v] of Object.entries(rec)) if (!(k in out)) out[k] = v;
  return out;
}

export interface PrdOptions {
  /** Only this initiative's tasks; its title, concept and kept PRD fields make the header. */
  initiative?: string;
  /** The name when there is no initiative to take it from (the repository's name). */
  fallbackName: string;
}

/** One acceptance criterion per line of the section, checkbox or bullet marks taken off. */
function criteriaList(body: string): { description: string; criteria: string[] } {
  const { text, rest } = criteriaText(body);
  const criteria = (text ?? "").split("\n").filter((l) => l.trim() !== "").map((l) => l.replace(/^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?/, "").trim());
  return { description: rest, criteria };
}

/**
 * ralph-tui's `prd.json`: the tasks (of one initiative, when given or when there is only one)
 * as user stories, in backlog order. The header and each story write back the fields the
 * import kept (productName/name, branchName, description, context, story priorities, notes).
 */
export function exportPrd(state: State, extras: ExportExtras, opts: PrdOptions): string {
  const all = Object.values(state.initiatives);
  const initiative = opts.initiative !== undefined ? state.initiatives[opts.initiative] : all.length === 1 ? all[0] : undefined;
  const keptHead = initiative ? extras.initiatives.get(initiative.id) : undefined;
  const head = keptHead?.from === "ralph-tui" ? keptHead : {};
  const tasks = Object.values(state.tasks)
    .filter((t) => t.status !== "cancelled" && (initiative === undefined || t.initiative === initiative.id))
    .sort(byPriority);
  const exported = new Set(tasks.map((t) => t.id));
  const userStories = tasks.map((t) => {
    const o = originFor(extras.tasks.get(t.id), "ralph-tui");
    const joined = Array.isArray(o.sections) ? (o.sections as string[]).filter((f) => f === "acceptance_criteria" || f === "notes") : [];
    const kept = joined.length > 0 ? splitSections(t.body, joined.map((f) => SECTION_HEADINGS[f]!)) : undefined;
    const { description, criteria } = kept
      ? { description: kept.description, criteria: (kept.sections["Acceptance criteria"] ?? "").split("\n").filter((l) => l.trim() !== "").map((l) => l.replace(/^- \[[ xX]\] /, "")) }
      : criteriaList(t.body);
    const story: Record<string, unknown> = {
      id: typeof o.id === "number" ? o.id : t.id, title: t.title, description, acceptanceCriteria: criteria,
      // ralph-tui counts priority from 1 (highest): the PRD's own number when the import kept one.
      priority: typeof o.priority === "number" ? o.priority : Math.max(1, t.priority), passes: t.status === "done",
    };
    if (t.labels.length > 0) story.labels = labelsOut(t, o);
    // Only stories in this file (a dependency on a cancelled or other-initiative task is not one), plus the dangling ones the import kept.
    const deps = [...t.deps.filter((d) => exported.has(d)), ...(Array.isArray(o.unresolved) ? (o.unresolved as Array<{ depends_on_id: string; type: string }>).filter((u) => u.type === "blocks").map((u) => u.depends_on_id) : [])];
    if (deps.length > 0 || typeof o.depsKey === "string") story[typeof o.depsKey === "string" ? o.depsKey : "dependsOn"] = deps;
    if (kept?.sections.Notes !== undefined) story.notes = kept.sections.Notes;
    const extra = (typeof o.extra === "object" && o.extra !== null ? o.extra : {}) as Record<string, unknown>;
    if (story.description === "" && Array.isArray(o.keys) && !o.keys.includes("description")) delete story.description;
    return inOrder({ ...story, ...extra }, o.keys);
  });
  const nameKey = typeof head.nameKey === "string" ? head.nameKey : "name";
  const root: Record<string, unknown> = { [nameKey]: initiative?.title ?? opts.fallbackName };
  if (typeof head.branchName === "string") root.branchName = head.branchName;
  const description = typeof head.description === "string" ? head.description : initiative?.body.split("\n\n")[0]?.trim();
  if (description) root.description = description;
  const extra = (typeof head.extra === "object" && head.extra !== null ? head.extra : {}) as Record<string, unknown>;
  return `${JSON.stringify(inOrder({ ...root, ...extra, userStories }, head.keys), null, 2)}\n`;
}
