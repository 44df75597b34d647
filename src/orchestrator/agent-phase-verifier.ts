import { z } from "zod";
import { domainNotesText, readDomainNotes, relevantNotes } from "../agents/domain-notes.ts";
import { loadAgentConfig, repoRoot } from "../agents/load.ts";
import { runAgentSession } from "../agents/session.ts";
import { generateStructured } from "../agents/structured.ts";
import type { JsonSchema } from "../agents/types.ts";
import { GOAL_KINDS } from "../domain/decide-phase-verify.ts";
import { RwError } from "../domain/errors.ts";
import type { Store } from "../store/store.ts";
import { ARCHITECT_TOOLS } from "./agent-architect.ts";
import type { PhaseVerifier, PhaseVerifyRequest } from "./phase-verify.ts";

const ANSWER_TOOL = "submit_phase_verdict";

const verdictSchema = z.object({
  goals: z.array(z.object({
    kind: z.enum(GOAL_KINDS).describe("truth: an observable behaviour; artifact: a file that must exist and be real; wiring: new code reachable from an entry point"),
    goal: z.string().min(1).describe("the goal, in one sentence"),
    met: z.boolean(),
    evidence: z.string().describe("what you read that shows it (file:line, the entry point's call chain)"),
    fix: z.string().optional().describe("when not met: what would close the gap"),
  })).max(20),
  proposed_verify: z.array(z.string().min(1)).max(5).optional().describe("shell commands that would show the phase's goals hold, for a person to adopt"),
});

function prompt(req: PhaseVerifyRequest, notes: string): string {
  const checked = req.checked.map((g) => `- [${g.met ? "met" : "GAP"}] (${g.kind}) ${g.goal} — ${g.evidence}`).join("\n");
  return [
    `You verify a finished phase of a software initiative, goal-backward: not "were the tasks ticked off" but "does the code on ${req.branch} now achieve what the phase is for".`,
    "", `# Initiative ${req.initiative.id}: ${req.initiative.title}`, "", req.initiative.body.trim() || "(no concept written)",
    "", `# Phase ${req.phase.n}: ${req.phase.title}`, "",
    "## What rw already checked (facts; do not repeat them)", checked || "(nothing: the phase has no verify commands and its tasks left no commits)",
    "", "## The phase's commits", "```", req.log.slice(0, 20_000) || "(none)", "```",
    ...(notes ? ["", "## Domain notes", notes] : []),
    "", "## Your job",
    "Read the code (read_file, list_files, search; you cannot change anything) and judge:",
    "- wiring: is the new code reachable from the entry points that should use it (a CLI command, a route, an exported API)? Name the entry point and the call chain.",
    "- truths the commands do not cover: behaviour the phase promises that you can confirm or refute by reading.",
    "Give one goal per thing you checked, with evidence. A goal you could not confirm is not met. If the phase has no verify commands, propose a few in proposed_verify.",
    `Answer with ${ANSWER_TOOL}.`,
  ].join("\n");
}

/** The verifier role judging a phase: a read-only tool loop over the checkout (CLI agents answer with JSON). */
export async function createAgentPhaseVerifier(store: Store, env: Record<string, string | undefined>): Promise<PhaseVerifier> {
  const config = loadAgentConfig(store);
  const root = repoRoot(store) ?? store.repo.commonDir;
  const notes = await readDomainNotes(repoRoot(store));
  return {
    async verifyPhase(req) {
      const text = prompt(req, domainNotesText(relevantNotes(notes, `${req.initiative.title}\n${req.phase.title}\n${req.initiative.body}`)));
      const cfg = config.roles.verifier;
      req.transcript(`\n--- phase verifier ---\n`);
      if (cfg.provider === "claude-code" || cfg.provider === "codex" || cfg.provider === "command") {
        const r = await generateStructured({ role: "verifier", prompt: text, schema: verdictSchema, name: ANSWER_TOOL, config, store, actor: req.actor, env, root: req.cwd, session: req.session, signal: req.signal });
        return { ...r.value, usage: r.usage };
      }
      const spec = { name: ANSWER_TOOL, description: "Give your verdict per goal. Ends the session.", input_schema: z.toJSONSchema(verdictSchema) as JsonSchema };
      const res = await runAgentSession({
        role: "verifier", prompt: text, worktree: req.cwd, config, store, actor: req.actor, env, root, session: req.session, signal: req.signal, tools: ARCHITECT_TOOLS,
        answer: { spec, accept: (input) => { const c = verdictSchema.safeParse(input); return c.success ? undefined : z.prettifyError(c.error); } },
      });
      if (!res.answer) {
        throw new RwError("invalid_input", `the verifier did not judge phase ${req.phase.n} of ${req.initiative.id} (${res.stop_reason}${res.error ? `: ${res.error}` : ""}); nothing was recorded`, {
          hint: `run \`rw initiative verify ${req.initiative.id} --phase ${req.phase.n}\` again, or try a stronger model for roles.verifier`,
        });
      }
      return { ...verdictSchema.parse(res.answer), usage: res.usage };
    },
  };
}
