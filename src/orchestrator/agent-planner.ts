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

/** The planner role from the agent layer: the PRD fills the planner template; the answer is a validated plan. */
export async function createAgentPlanner(store: Store, env: Record<string, string | undefined>, actor: Actor): Promise<Planner> {
  const config = loadAgentConfig(store);
  const root = repoRoot(store) ?? store.repo.commonDir;
  return {
    async plan({ prd, file, signal }) {
      const { text } = await loadPromptTemplate("planner", root);
      const title = /^#\s+(.+)$/m.exec(prd)?.[1]?.trim() ?? file;
      const stateMd = (await store.readPath("STATE.md")) ?? "";
      const prompt = fillTemplate(text, { task_title: title, task_body: prd.trim(), decisions: "", state: stateMd.split("\n").slice(0, 60).join("\n").trim() }) + RULES;
      const session = `s-${store.nextEventId(store.ctx.now().toISOString())}`;
      const r = await generateStructured({ role: "planner", prompt, schema: planSchema, name: "submit_plan", config, store, actor, env, root, session, signal });
      return { draft: r.value, usage: r.usage };
    },
  };
}
