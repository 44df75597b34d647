import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { RwEvent, Task } from "../domain/types.ts";
import { readTemplate } from "../store/templates.ts";
import type { Role } from "./types.ts";
import { criteriaSection } from "../format/criteria-lines.ts";
import { domainNotesText, relevantNotes, type DomainNote } from "./domain-notes.ts";

/**
 * Everything a prompt template can use; empty strings drop their `{{#name}}…{{/name}}` block.
 * `id`, `title`, `body`, `gates`, `feedback` and `attempt` are the names the orchestrator's worker
 * template used first; both renderers fill the same template.
 */
export interface PromptVars {
  role: Role;
  id: string;
  title: string;
  body: string;
  attempt: string;
  task_id: string;
  task_title: string;
  task_body: string;
  acceptance_criteria: string;
  gates: string;
  initiative: string;
  decisions: string;
  state: string;
  feedback: string;
  evidence: string;
  /** The relevant `.rewind/domain/*.md` notes (glossary, invariants). */
  domain: string;
}

/**
 * `{{name}}` substitution and `{{#name}}…{{/name}}` blocks kept only when the value is non-empty.
 * Unknown names become empty, or stay as written with `keepUnknown` (so a typo is visible).
 */
export function fillTemplate(template: string, vars: Record<string, string>, keepUnknown = false): string {
  const blocks = template.replace(/\{\{#(\w+)\}\}\n?([\s\S]*?)\{\{\/\1\}\}\n?/g, (_m, name: string, inner: string) => ((vars[name] ?? "").trim() !== "" ? `\n${inner}` : ""));
  return blocks.replace(/\{\{\s*(\w+)\s*\}\}/g, (m, name: string) => vars[name] ?? (keepUnknown ? m : "")).replace(/\n{3,}/g, "\n\n");
}

export interface PromptSources {
  task: Task;
  role: Role;
  configGates: string[];
  /** The initiative file's text, when the task belongs to one. */
  initiative?: string | undefined;
  events: RwEvent[];
  stateMd?: string | undefined;
  feedback?: string | undefined;
  evidence?: string | undefined;
  /** The attempt number (the orchestrator retries with feedback). */
  attempt?: number | undefined;
  /** The repository's domain notes; the ones relevant to the task are included. */
  domainNotes?: readonly DomainNote[] | undefined;
}

/** Decisions that apply: those of this task, of its initiative, and project-wide ones (newest 10). */
function decisions(task: Task, events: RwEvent[]): string {
  const rel = events.filter((e) => e.type === "decision.recorded" && (e.task === task.id || (e.initiative !== undefined && e.initiative === task.initiative) || (!e.task && !e.initiative && !e.data.task && !e.data.initiative)));
  return rel.slice(-10).map((e) => {
    const d = e.data;
    const title = [d.title, d.text, d.decision].find((v): v is string => typeof v === "string");
    const why = typeof d.why === "string" ? ` (why: ${d.why})` : "";
    return `- ${title ?? "(untitled decision)"}${why}`;
  }).join("\n");
}

export function promptVars(src: PromptSources): PromptVars {
  const t = src.task;
  const gates = [...new Set([...t.gates, ...src.configGates])];
  const state = (src.stateMd ?? "").split("\n").slice(0, 60).join("\n").trim();
  const attempt = src.attempt ?? 1;
  const criteria = criteriaSection(t.body);
  const body = criteria.rest || "(no description)";
  const feedback = (src.feedback ?? "").trim();
  return {
    role: src.role,
    id: t.id,
    title: t.title,
    body,
    attempt: String(attempt),
    task_id: t.id,
    task_title: t.title,
    task_body: body,
    acceptance_criteria: criteria.items.map((c) => c.line).join("\n"),
    gates: gates.length === 0 ? "" : `\nThese commands must pass in the worktree before the task counts as done:\n${gates.map((g) => `- \`${g}\``).join("\n")}\n`,
    initiative: (src.initiative ?? "").trim(),
    decisions: decisions(t, src.events),
    state,
    feedback: feedback ? `\n# Your previous attempt${attempt > 1 ? ` (${attempt - 1})` : ""} failed\n\n${feedback}\n\nFix this in this attempt.\n` : "",
    evidence: (src.evidence ?? "").trim(),
    domain: src.domainNotes?.length ? domainNotesText(relevantNotes(src.domainNotes, `${t.title}\n${(t.labels ?? []).join(" ")}\n${t.body}\n${src.initiative ?? ""}`)) : "",
  };
}

/** The role's template: `.rewind/templates/<role>.md` when the repository has one, else the shipped one. */
export async function loadPromptTemplate(role: Role, repoRoot: string | undefined): Promise<{ text: string; source: string }> {
  if (repoRoot) {
    const own = join(repoRoot, ".rewind", "templates", `${role}.md`);
    const text = await readFile(own, "utf8").catch(() => undefined);
    if (text !== undefined) return { text, source: own };
  }
  return { text: await readTemplate(`prompts/${role}.md`), source: `templates/prompts/${role}.md` };
}

export async function renderPrompt(src: PromptSources, repoRoot: string | undefined): Promise<string> {
  const { text } = await loadPromptTemplate(src.role, repoRoot);
  return fillTemplate(text, promptVars(src) as unknown as Record<string, string>);
}
