import { readFile } from "node:fs/promises";
import { join } from "node:path";
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

/** Fills `{{id}}`, `{{title}}`, `{{body}}`, `{{gates}}`, `{{feedback}}`, `{{attempt}}`; unknown names stay as written. */
export function renderWorkerPrompt(template: string, task: Task, gates: string[], attempt: number, feedback: string | undefined): string {
  const vars: Record<string, string> = {
    id: task.id,
    title: task.title,
    body: task.body.trim() === "" ? "(no description)" : task.body.trimEnd(),
    attempt: String(attempt),
    gates: gates.length === 0 ? "" : `\nThese commands must pass in the worktree before the task counts as done:\n${gates.map((g) => `- \`${g}\``).join("\n")}\n`,
    feedback: feedback ? `\n# Your previous attempt (${attempt - 1}) failed\n\n${feedback.trim()}\n\nFix this in this attempt.\n` : "",
  };
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (m, name: string) => vars[name] ?? m);
}
