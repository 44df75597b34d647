import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import { parseAnswers } from "../../../domain/decide-refine.ts";
import { RwError } from "../../../domain/errors.ts";
import { getInitiative } from "../../../domain/initiative-lifecycle.ts";
import { createAgentArchitect } from "../../../orchestrator/agent-architect.ts";
import { refineInitiative } from "../../../orchestrator/refine.ts";
import { actorArg, jsonArg, one, resolveActor } from "../../args.ts";
import { defineRw } from "../../command.ts";
import { context, type Context } from "../../context.ts";
import { printJson } from "../../output.ts";
import { withStore } from "../../read.ts";
import { cost, tokens } from "../../progress.ts";

async function answersFrom(ctx: Context, file: string): Promise<Map<number, string>> {
  if (file === "-") return parseAnswers(await ctx.readStdin());
  try {
    return parseAnswers(await readFile(resolve(ctx.cwd, file), "utf8"));
  } catch (err) {
    throw new RwError("invalid_input", `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { hint: 'write one answer per question number: "1. ...", "2. ..."' });
  }
}

/** On a terminal, each open question is asked in turn; an empty line skips it. */
async function askOnTerminal(ctx: Context, questions: readonly string[]): Promise<Map<number, string>> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const out = new Map<number, string>();
  try {
    ctx.stdout(`The architect asked ${questions.length} question${questions.length === 1 ? "" : "s"} (empty answer: skip).\n`);
    for (const [n, q] of questions.entries()) {
      const a = (await rl.question(`\n${n + 1}. ${q}\n> `)).trim();
      if (a !== "") out.set(n + 1, a);
    }
  } finally {
    rl.close();
  }
  return out;
}

export default defineRw({
  meta: { name: "refine", description: "Refine a draft initiative's concept with the architect role: it asks, you answer, it revises" },
  args: {
    id: { type: "positional", description: "initiative ID (a draft)", required: true },
    answers: { type: "string", description: 'answers to the last round\'s questions: a file with "1. ...", "2. ..." (- for stdin)', valueHint: "file" },
    "answers-only": { type: "boolean", description: "record the answers as decisions without asking the architect again" },
    ...actorArg,
    ...jsonArg,
  },
  examples: [
    "rw initiative refine in-3m8d",
    "rw initiative refine in-3m8d --answers answers.md",
    "printf '1. Postgres only\\n2. Keep the v1 API\\n' | rw initiative refine in-3m8d --answers -",
    "rw plan --from-initiative in-3m8d && rw initiative submit in-3m8d",
  ],
  async run({ args }) {
    const ctx = context();
    await withStore(ctx, async (store) => {
      const actor = await resolveActor(store, args.actor);
      const state = (await store.snapshot()).state;
      const open = getInitiative(state, args.id).refinement?.questions ?? [];
      const file = one(args.answers);
      const answersOnly = Boolean(args["answers-only"]);
      if (answersOnly && file === undefined) throw new RwError("usage", "--answers-only needs --answers FILE");
      let answers = file !== undefined ? await answersFrom(ctx, file) : new Map<number, string>();
      if (file === undefined && open.length > 0 && ctx.isTTY && process.stdin.isTTY && !args.json) answers = await askOnTerminal(ctx, open);
      const architect = answersOnly ? { refine: () => Promise.reject(new Error("unreachable")) } : await createAgentArchitect(store, ctx.env, actor);
      const out = await refineInitiative(store, architect, { id: args.id, answers, ask: !answersOnly, actor });
      if (args.json) return printJson(ctx, { id: out.id, round: out.round, answers_recorded: out.answers_recorded, concept_changed: out.concept_changed, questions: out.questions, findings: out.findings, commits: out.commits, ...(out.usage ? { usage: out.usage } : {}) });
      const lines: string[] = [];
      if (out.answers_recorded > 0) lines.push(`recorded ${out.answers_recorded} answer${out.answers_recorded === 1 ? "" : "s"} as decisions`);
      if (!answersOnly) {
        lines.push(`${out.id}: round ${out.round}${out.concept_changed ? ", concept revised (rw initiative show " + out.id + ")" : ", concept unchanged"}`);
        if (out.findings.length > 0) lines.push("found in the repository:", ...out.findings.map((f) => `  - ${f}`));
        if (out.questions.length > 0) {
          lines.push("questions:", ...out.questions.map((q, i) => `  ${i + 1}. ${q}`));
          lines.push(`answer them in a file ("1. ...") and run: rw initiative refine ${out.id} --answers FILE`);
        } else {
          lines.push("the architect has no more questions");
        }
        // Planning fills the draft; submitting ends refinement (plan --from-initiative refuses a submitted one).
        lines.push(`when the concept is right: rw plan --from-initiative ${out.id} (phases and tasks), then rw initiative submit ${out.id}`);
        if (out.usage) lines.push(`architect: ${tokens(out.usage)}, ${cost(out.usage)}`);
      }
      ctx.stdout(`${lines.join("\n")}\n`);
    });
  },
});
