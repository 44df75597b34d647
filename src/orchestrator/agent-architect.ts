import { z } from "zod";
import { loadAgentConfig, repoRoot } from "../agents/load.ts";
import { domainNotesText, readDomainNotes, relevantNotes } from "../agents/domain-notes.ts";
import { fillTemplate, loadPromptTemplate } from "../agents/prompt.ts";
import { runAgentSession } from "../agents/session.ts";
import { generateStructured } from "../agents/structured.ts";
import type { JsonSchema } from "../agents/types.ts";
import { RwError } from "../domain/errors.ts";
import type { DecisionRecord } from "../domain/types.ts";
import type { Actor, Store } from "../store/store.ts";
import type { Architect } from "./refine.ts";

const ANSWER_TOOL = "submit_refinement";

const refinementSchema = z.object({
  questions: z.array(z.string().min(1)).max(12).describe("questions for the person, most important first; empty when nothing is open"),
  concept: z.string().min(1).describe("the whole revised concept (Markdown)"),
  findings: z.array(z.string()).max(30).optional().describe("one line per thing found in the repository (files, entry points, conventions, risks)"),
});

/** The architect reads; it never writes or runs commands. */
export const ARCHITECT_TOOLS = ["read_file", "list_files", "search"] as const;

function decisionLines(decisions: readonly DecisionRecord[]): string {
  return decisions.slice(-20).map((d) => `- ${d.text}${d.why ? ` (${d.why})` : ""}`).join("\n");
}

/**
 * The architect role through the agent layer. Chat providers run a tool loop over the main work
 * tree with only the read-only tools and answer through `submit_refinement` (validated; a wrong
 * answer goes back to the model). CLI agents (claude-code, codex) read the repository with their
 * own tools and answer with JSON text.
 */
export async function createAgentArchitect(store: Store, env: Record<string, string | undefined>, actor: Actor): Promise<Architect> {
  const config = loadAgentConfig(store);
  const root = repoRoot(store) ?? store.repo.commonDir;
  const notes = await readDomainNotes(repoRoot(store));
  return {
    async refine({ initiative, round, decisions, signal }) {
      const { text } = await loadPromptTemplate("architect", root);
      const prompt = fillTemplate(text, {
        title: initiative.title, round: String(round), concept: initiative.body.trim() || "(no concept written yet)", decisions: decisionLines(decisions),
        domain: domainNotesText(relevantNotes(notes, `${initiative.title}\n${initiative.body}`)), answer_tool: ANSWER_TOOL,
      });
      const session = `s-${store.nextEventId(store.ctx.now().toISOString())}`;
      const cfg = config.roles.architect;
      if (cfg.provider === "claude-code" || cfg.provider === "codex" || cfg.provider === "command") {
        const r = await generateStructured({ role: "architect", prompt, schema: refinementSchema, name: ANSWER_TOOL, config, store, actor, env, root, session, signal });
        return { answer: r.value, usage: r.usage };
      }
      const spec = { name: ANSWER_TOOL, description: "Give your questions, the revised concept and your findings. Ends the session.", input_schema: z.toJSONSchema(refinementSchema) as JsonSchema };
      const res = await runAgentSession({
        role: "architect", prompt, worktree: root, config, store, actor, env, root, session, signal, tools: ARCHITECT_TOOLS,
        answer: { spec, accept: (input) => { const c = refinementSchema.safeParse(input); return c.success ? undefined : z.prettifyError(c.error); } },
      });
      if (!res.answer) {
        throw new RwError("invalid_input", `the architect did not answer (${res.stop_reason}${res.error ? `: ${res.error}` : ""}); nothing of this round was written`, {
          hint: "run `rw initiative refine` again, or try a stronger model for roles.architect", data: { stop_reason: res.stop_reason },
        });
      }
      return { answer: refinementSchema.parse(res.answer), usage: res.usage };
    },
  };
}
