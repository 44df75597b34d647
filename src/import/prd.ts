import { createHash } from "node:crypto";
import type { ImportNote, ImportPlan, ImportTask } from "../domain/decide-import.ts";
import { RwError } from "../domain/errors.ts";
import { isObject, labelsOf, parseJson, rankPriorities, str, strings } from "./common.ts";
import { joinSections } from "./sections.ts";

const NAME_KEYS = ["productName", "name", "project", "projectName"] as const;
const ROOT_KNOWN = new Set<string>([...NAME_KEYS, "description", "branchName", "userStories"]);
const STORY_KNOWN = new Set(["id", "title", "description", "acceptanceCriteria", "priority", "passes", "dependsOn", "dependencies", "labels", "notes"]);

/** Fields of `rec` outside `known`, kept verbatim so the export writes them back. */
function extra(rec: Record<string, unknown>, known: ReadonlySet<string>): Record<string, unknown> | undefined {
  const out = Object.fromEntries(Object.entries(rec).filter(([k]) => !known.has(k)));
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * Maps ralph-tui's `prd.json` to an initiative: the PRD's name (`productName`, `name`,
 * `project`), `description` and `branchName` make the initiative (its concept), with one phase
 * holding every user story; each story (`id`, `title`, `description`, `acceptanceCriteria`,
 * `priority`, `passes`, `dependsOn`, `labels`, `notes`) becomes a task with its ID kept, in the
 * PRD's priority order (priorities beyond 0-4 are rank-mapped; the PRD's number is written
 * back on export). The initiative arrives in review: its stories become ready once a human
 * approves phase 1 (rolling approval, DESIGN §7). Its ID is derived from the file, so a dry
 * run shows the ID the import will use.
 */
export function planPrd(text: string, file: string): ImportPlan {
  const root = parseJson(text, file);
  if (!isObject(root) || !Array.isArray(root.userStories)) {
    throw new RwError("invalid_input", `${file} is not a ralph-tui prd.json`, { hint: "expected {\"name\": ..., \"userStories\": [...]}" });
  }
  const nameKey = NAME_KEYS.find((k) => str(root[k]) !== undefined);
  const notes: ImportNote[] = [];
  if (!nameKey) notes.push({ kind: "defaulted", item: "prd", text: "no productName/name/project: the initiative is called \"Imported PRD\"" });
  const name = nameKey ? str(root[nameKey])! : "Imported PRD";
  const stories = root.userStories.flatMap((raw, i) => {
    if (!isObject(raw) || str(raw.id) === undefined || !str(raw.title)) {
      notes.push({ kind: "skipped", item: `userStories[${i}]`, text: "no id or title", problem: true });
      return [];
    }
    return [{ raw, i }];
  });
  const priorityOf = rankPriorities(stories.map(({ raw }) => (typeof raw.priority === "number" ? raw.priority : 2)));
  // The PRD's order among equal rw priorities: by its own priority number, then file order.
  const order = [...stories].sort((a, b) => ((a.raw.priority as number) ?? 2) - ((b.raw.priority as number) ?? 2) || a.i - b.i);
  const rankOf = new Map(order.map((s, r) => [s.raw, r]));
  const tasks: ImportTask[] = stories.map(({ raw }) => {
    const id = str(raw.id)!;
    const origin: Record<string, unknown> = { keys: Object.keys(raw) };
    if (typeof raw.id === "number") origin.id = raw.id;
    const passes = raw.passes === true;
    const p = typeof raw.priority === "number" ? raw.priority : undefined;
    if (p === undefined) notes.push({ kind: "defaulted", item: id, text: "no priority: imported as 2" });
    const priority = priorityOf(p ?? 2);
    if (p !== undefined && p !== priority) origin.priority = p;
    const depsKey = Array.isArray(raw.dependsOn) ? "dependsOn" : Array.isArray(raw.dependencies) ? "dependencies" : undefined;
    if (depsKey) origin.depsKey = depsKey;
    const more = extra(raw, STORY_KNOWN);
    if (more) origin.extra = more;
    const criteria = strings(raw.acceptanceCriteria).map((c) => `- [${passes ? "x" : " "}] ${c}`).join("\n");
    const sections = [...(criteria !== "" ? ["acceptance_criteria"] : []), ...(str(raw.notes) ? ["notes"] : [])];
    if (sections.length > 0) origin.sections = sections;
    return {
      id, title: str(raw.title)!, status: passes ? "done" : "open", priority, type: "feature",
      labels: labelsOf(strings(raw.labels), id, notes, origin), deps: strings(depsKey ? raw[depsKey] : []),
      body: joinSections(str(raw.description) ?? "", [["Acceptance criteria", criteria || undefined], ["Notes", str(raw.notes)]]),
      rank: rankOf.get(raw)!, origin,
    };
  });
  const ranked = tasks.filter((t) => t.origin?.priority !== undefined).length;
  if (ranked > 0) notes.push({ kind: "rank-mapped", item: "priority", text: `${ranked} story priorities outside 0-4 rank-mapped onto 0-4 in the PRD's order (the PRD's numbers are written back on export)` });
  const head: Record<string, unknown> = { nameKey: nameKey ?? "name", keys: Object.keys(root) };
  if (str(root.description)) head.description = str(root.description);
  if (str(root.branchName)) head.branchName = str(root.branchName);
  const more = extra(root, ROOT_KNOWN);
  if (more) head.extra = more;
  const concept = joinSections(str(root.description) ?? "", [["Branch", str(root.branchName) ? `\`${str(root.branchName)}\`` : undefined]]);
  return {
    source: "ralph-tui",
    initiatives: [{
      seed: createHash("sha256").update(text).digest(), title: name, status: "review", phases: [{ n: 1, title: "User stories", status: "planned" }],
      body: concept, adopt: { phase: 1 }, origin: head,
    }],
    tasks, notes, items: root.userStories.length,
    mapped: [`prd.json "${name}" -> an initiative in review with phase 1 "User stories" (approve it to make the stories ready)`, "passes: true -> done (criteria ticked), dependsOn -> deps, acceptanceCriteria -> checklist, notes -> Notes section"],
  };
}
