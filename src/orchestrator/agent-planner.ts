import { z } from "zod";
import { loadAgentConfig, repoRoot } from "../agents/load.ts";
import { fillTemplate, loadPromptTemplate } from "../agents/prompt.ts";
import { generateStructured } from "../agents/structured.ts";
import type { Actor, Store } from "../store/store.ts";
import type { Planner } from "./plan.ts";

const planSchema = z.object({
  initiative: z.object({ title: z.string().min(1).describe("one line"), body: z.string().describe("the concept: goal, scope, approach (Markdown)") }),
  phases: z.array(z.object({ title: z.string().min(1) })).min(1).describe("in order; tasks name their phase by its 1-based number"),
  tasks: z.array(z.object({
    key: z.string().min(1).describe("a short unique name other tasks use in deps"),
    title: z.string().min(1),
    body: z.string().describe('what to do, then a "## Acceptance criteria" heading with "- [ ] ..." checkbox items'),
    priority: z.number().int().min(0).max(4).optional(),
    type: z.string().optional(),
    phase: z.number().int().min(1),
    deps: z.array(z.string()).optional().describe("keys of tasks that must be done first"),
    gates: z.array(z.string()).optional().describe("shell commands that must pass, e.g. the relevant tests"),
  })).min(1),
});

const RULES = `
## The answer's shape
Call the tool once with: the initiative (title and concept), its phases in order, and the tasks.
Each task has a unique \`key\`; \`deps\` lists keys of tasks in the same or an earlier phase; no cycles.
Each body ends with "## Acceptance criteria" and "- [ ] ..." items that a reviewer can check.
`;

/**
 * The PRD's first real heading: ATX (`# Title`, any level) or setext (`Title` over `===`),
 * skipping YAML front matter and fenced code blocks, whose `#` lines are shell comments or code.
 */
export function prdTitle(prd: string): string | undefined {
  const lines = prd.replace(/\r\n?/g, "\n").split("\n");
  let i = 0;
  if (lines[0]?.trim() === "---") {
    const end = lines.findIndex((l, n) => n > 0 && /^(---|\.\.\.)\s*$/.test(l));
    if (end > 0) i = end + 1;
  }
  let fence: string | undefined;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    const f = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (f && f[1]![0] === fence[0] && f[1]!.length >= fence.length && line.trim() === f[1]) fence = undefined;
      continue;
    }
    if (f) {
      fence = f[1]!;
      continue;
    }
    const atx = /^ {0,3}#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (atx?.[1]) return atx[1].trim();
    const next = lines[i + 1];
    if (line.trim() !== "" && !/^ {4}|\t/.test(line) && next !== undefined && /^ {0,3}(=+|-+)\s*$/.test(next) && !/^\s*[-*+]\s/.test(line)) return line.trim();
  }
  return undefined;
}

/** The planner role from the agent layer: the PRD fills the planner template; the answer is a validated plan. */
export async function createAgentPlanner(store: Store, env: Record<string, string | undefined>, actor: Actor): Promise<Planner> {
  const config = loadAgentConfig(store);
  const root = repoRoot(store) ?? store.repo.commonDir;
  return {
    async plan({ prd, file, signal, dryRun }) {
      const { text } = await loadPromptTemplate("planner", root);
      const title = prdTitle(prd) ?? file;
      const stateMd = (await store.readPath("STATE.md")) ?? "";
      const prompt = fillTemplate(text, { task_title: title, task_body: prd.trim(), decisions: "", state: stateMd.split("\n").slice(0, 60).join("\n").trim() }) + RULES;
      const session = `s-${store.nextEventId(store.ctx.now().toISOString())}`;
      const r = await generateStructured({ role: "planner", prompt, schema: planSchema, name: "submit_plan", config, store, actor, env, root, session, signal, dryRun });
      // The initiative is named by the PRD's own heading when it has one, not by the model's paraphrase.
      const heading = prdTitle(prd);
      const draft = heading ? { ...r.value, initiative: { ...r.value.initiative, title: heading } } : r.value;
      return { draft, usage: r.usage };
    },
  };
}
