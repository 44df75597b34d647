import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fillTemplate, promptVars } from "../agents/prompt.ts";
import type { Task } from "../domain/types.ts";

const SHIPPED = new URL("../../templates/prompts/", import.meta.url);

/** The worker template: `.rewind/templates/worker.md` in the repository if present, else the shipped one. */
export async function loadTemplate(name: string, mainWorktree: string | undefined): Promise<string> {
  if (mainWorktree) {
    const custom = await readFile(join(mainWorktree, ".rewind", "templates", `${name}.md`), "utf8").catch(() => undefined);
    if (custom !== undefined) return custom;
  }
  return readFile(new URL(`${name}.md`, SHIPPED), "utf8");
}

/**
 * Fills the worker template through the agent layer's renderer (`src/agents/prompt.ts`), so
 * `rw run` and `rw agent prompt` render one template the same way: `{{id}}`, `{{title}}`,
 * `{{body}}`, `{{gates}}`, `{{feedback}}`, `{{attempt}}`, the criteria and `{{#name}}` blocks;
 * unknown names stay as written.
 */
export function renderWorkerPrompt(template: string, task: Task, gates: string[], attempt: number, feedback: string | undefined): string {
  const vars = promptVars({ task: { ...task, gates: [] }, role: "worker", configGates: gates, events: [], feedback, attempt });
  return fillTemplate(template, vars as unknown as Record<string, string>, true);
}
