import { fillTemplate, promptVars } from "../agents/prompt.ts";
import type { DomainNote } from "../agents/domain-notes.ts";
import type { Task } from "../domain/types.ts";

/**
 * Fills the worker template through the agent layer's renderer (`src/agents/prompt.ts`), so
 * `rw run` and `rw agent prompt` render one template the same way: `{{id}}`, `{{title}}`,
 * `{{body}}`, `{{gates}}`, `{{feedback}}`, `{{attempt}}`, the criteria and `{{#name}}` blocks;
 * unknown names stay as written.
 */
export function renderWorkerPrompt(template: string, task: Task, gates: string[], attempt: number, feedback: string | undefined, domainNotes: readonly DomainNote[] = []): string {
  const vars = promptVars({ task: { ...task, gates: [] }, role: "worker", configGates: gates, events: [], feedback, attempt, domainNotes });
  return fillTemplate(template, vars as unknown as Record<string, string>, true);
}
