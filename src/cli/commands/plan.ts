import { RwError } from "../../domain/errors.ts";
import type { PlanDraft, PlanResult } from "../../domain/plan.ts";
import { createAgentPlanner } from "../../orchestrator/agent-planner.ts";
import { planFromInitiative, planFromPrd } from "../../orchestrator/plan.ts";
import { actorArg, jsonArg, one, resolveActor } from "../args.ts";
import { withStore } from "../read.ts";
import { defineRw } from "../command.ts";
import { context } from "../context.ts";
import { printJson } from "../output.ts";
import { cost, tokens } from "../progress.ts";

function describe(draft: PlanDraft, written: PlanResult | undefined): string[] {
  const idOf = new Map((written?.tasks ?? []).map((t) => [t.key, t.id]));
  const name = (key: string): string => idOf.get(key) ?? key;
  const lines: string[] = [];
  draft.phases.forEach((p, i) => {
    lines.push(`  phase ${i + 1}: ${p.title}`);
    for (const t of draft.tasks.filter((x) => x.phase === i + 1)) {
      const after = t.deps?.length ? `  (after ${t.deps.map(name).join(", ")})` : "";
      const gates = t.gates?.length ? `  gates: ${t.gates.join(" && ")}` : "";
      lines.push(`    ${name(t.key)}  P${t.priority ?? 2}  ${t.title}${after}${gates}`);
    }
  });
  return lines;
}

export default defineRw({
  meta: { name: "plan", description: "Turn a PRD into a draft initiative with phases and tasks (planner role)" },
  args: {
    file: { type: "positional", description: "the PRD (Markdown)", required: false },
    "from-initiative": { type: "string", description: "plan phases and tasks from this draft initiative's concept and decisions instead of a PRD", valueHint: "id" },
    "dry-run": { type: "boolean", description: "show the plan; write nothing" },
    approve: { type: "boolean", description: "submit the initiative and approve every phase, so its tasks can run" },
    ...actorArg,
    ...jsonArg,
  },
  examples: ["rw plan prd.md --dry-run", "rw plan prd.md", "rw plan --from-initiative in-3m8d", "rw plan prd.md --approve && rw run --parallel 2"],
  async run({ args }) {
    const ctx = context();
    if (args["dry-run"] && args.approve) throw new RwError("usage", "--dry-run writes nothing, so it cannot --approve");
    await withStore(ctx, async (store) => {
      const actor = await resolveActor(store, args.actor);
      const planner = await createAgentPlanner(store, ctx.env, actor);
      const from = one(args["from-initiative"]);
      if ((from === undefined) === (args.file === undefined)) throw new RwError("usage", from === undefined ? "name the PRD to plan from" : "give a PRD or --from-initiative, not both", { hint: "rw plan prd.md, or rw plan --from-initiative in-3m8d" });
      const common = { dryRun: Boolean(args["dry-run"]), approve: Boolean(args.approve), actor };
      const out = from !== undefined ? await planFromInitiative(store, planner, { id: from, ...common }) : await planFromPrd(store, planner, { file: String(args.file), cwd: ctx.cwd, ...common });
      if (args.json) return printJson(ctx, { dry_run: !out.written, plan: out.draft, ...(out.written ? { written: out.written, commit: out.commit } : {}), usage: out.usage });
      const head = out.written
        ? `planned ${out.written.initiative}: ${out.draft.initiative.title} (${out.written.status}; ${out.draft.phases.length} phases, ${out.draft.tasks.length} tasks)`
        : `would plan: ${out.draft.initiative.title} (${out.draft.phases.length} phases, ${out.draft.tasks.length} tasks); nothing written`;
      const next = out.written
        ? out.written.status === "draft"
          ? [`review it: rw initiative show ${out.written.initiative}; then rw initiative submit ${out.written.initiative} and rw initiative approve ${out.written.initiative} --phase 1`]
          : ["run it: rw run --parallel 2"]
        : [];
      ctx.stdout(`${[head, ...describe(out.draft, out.written), `planner: ${tokens(out.usage)}, ${cost(out.usage)}`, ...next].join("\n")}\n`);
    });
  },
});
