import type { ImportPlan, ImportTask } from "../domain/decide-import.ts";
import { RwError } from "../domain/errors.ts";
import { body, criteria, isObject, labelOf, parseJson, str, strings } from "./common.ts";

/**
 * Maps ralph-tui's `prd.json` to an initiative: the PRD (`name`/`project`, `description`,
 * `branchName`) is the initiative's concept, with one phase holding every user story; each story
 * (`id`, `title`, `description`, `acceptanceCriteria`, `priority`, `passes`, `dependsOn`,
 * `labels`, `notes`) becomes a task with its ID kept. The initiative arrives in review: its
 * stories become ready once a human approves phase 1 (rolling approval, DESIGN §7).
 */
export function planPrd(text: string, file: string): ImportPlan {
  const root = parseJson(text, file);
  if (!isObject(root) || !Array.isArray(root.userStories)) {
    throw new RwError("invalid_input", `${file} is not a ralph-tui prd.json`, { hint: "expected {\"name\": ..., \"userStories\": [...]}" });
  }
  const name = str(root.name) ?? str(root.project) ?? str(root.projectName) ?? "Imported PRD";
  const dropped: string[] = [];
  const tasks: ImportTask[] = [];
  root.userStories.forEach((raw, i) => {
    if (!isObject(raw) || !str(raw.id) || !str(raw.title)) {
      dropped.push(`userStories[${i}]: no id or title, skipped`);
      return;
    }
    const id = str(raw.id)!;
    const passes = raw.passes === true;
    const p = typeof raw.priority === "number" ? Math.round(raw.priority) : 2;
    if (p < 0 || p > 4) dropped.push(`${id}: priority ${p} clamped to ${Math.min(4, Math.max(0, p))}`);
    tasks.push({
      id, title: str(raw.title)!, status: passes ? "done" : "open", priority: Math.min(4, Math.max(0, p)), type: "feature",
      labels: strings(raw.labels).map(labelOf), deps: strings(raw.dependsOn ?? raw.dependencies),
      body: body(str(raw.description), [
        ["Acceptance criteria", criteria(strings(raw.acceptanceCriteria).map((c) => ({ text: c, checked: passes })))],
        ["Notes", str(raw.notes)],
      ]),
    });
  });
  const concept = body(str(root.description), [["Branch", str(root.branchName) ? `\`${str(root.branchName)}\`` : undefined]]);
  return {
    source: "ralph-tui",
    initiatives: [{ title: name, status: "review", phases: [{ n: 1, title: "User stories", status: "planned" }], body: concept, adopt: { phase: 1 } }],
    tasks, dropped,
    mapped: ["prd.json -> an initiative in review with phase 1 \"User stories\" (approve it to make the stories ready)", "passes: true -> done (criteria ticked), dependsOn -> deps, acceptanceCriteria -> checklist"],
  };
}
