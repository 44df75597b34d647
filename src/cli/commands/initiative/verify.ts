import { loadAgentConfig } from "../../../agents/load.ts";
import { agentSecretOptions, secretFreeEnv } from "../../../agents/secret-env.ts";
import { RwError } from "../../../domain/errors.ts";
import { getInitiative, getPhase, phaseProgress } from "../../../domain/initiative-lifecycle.ts";
import { resolveInitiativeId } from "../../../domain/resolve-id.ts";
import { createAgentPhaseVerifier } from "../../../orchestrator/agent-phase-verifier.ts";
import { standaloneSetup } from "../../../orchestrator/initiative-branch.ts";
import { verifyPhase, type PhaseVerifyOutcome } from "../../../orchestrator/phase-verify.ts";
import { openTranscript } from "../../../orchestrator/transcript.ts";
import { actorArg, int, jsonArg, resolveActor } from "../../args.ts";
import { defineRw } from "../../command.ts";
import { context } from "../../context.ts";
import { printJson } from "../../output.ts";
import { withStore } from "../../read.ts";

export default defineRw({
  meta: { name: "verify", description: "Verify an initiative's finished phases goal-backward: verify commands, stubs, wiring (the verifier role)" },
  args: {
    id: { type: "positional", description: "initiative ID", required: true },
    phase: { type: "string", description: "only this phase (default: every phase that is done)" },
    agent: { type: "boolean", default: true, description: "ask the verifier role too (--no-agent: rw's own checks only)" },
    ...actorArg,
    ...jsonArg,
  },
  examples: ["rw initiative verify in-3m8d", "rw initiative verify in-3m8d --phase 2", "rw initiative verify in-3m8d --phase 1 --no-agent --json"],
  async run({ args }) {
    const ctx = context();
    await withStore(ctx, async (store) => {
      const actor = await resolveActor(store, args.actor);
      const state = (await store.snapshot()).state;
      const i = getInitiative(state, resolveInitiativeId(state, args.id));
      const only = int(args.phase, "--phase");
      const phases = only !== undefined ? [getPhase(i, only)] : i.phases.filter((p) => p.status === "done");
      if (phases.length === 0) throw new RwError("wrong_state", `${i.id} has no finished phase to verify`, { hint: `name one: rw initiative verify ${i.id} --phase N` });
      // A verdict on unfinished work would file remediations for what its open tasks are still doing.
      const unfinished = phases.find((p) => p.status !== "done");
      if (unfinished) {
        const left = phaseProgress(state, i).phases.find((p) => p.n === unfinished.n);
        throw new RwError("wrong_state", `phase ${unfinished.n} of ${i.id} is not done (${unfinished.status}${left ? `, ${left.total - left.done} of ${left.total} tasks left` : ""}): it is verified once its tasks are`, {
          hint: `see what is left: rw initiative show ${i.id}`,
        });
      }
      const setup = await standaloneSetup(store, ctx.env, secretFreeEnv(ctx.env, agentSecretOptions(loadAgentConfig(store))));
      const verifier = args.agent === false ? undefined : await createAgentPhaseVerifier(store, ctx.env);
      const session = `s-${store.nextEventId(ctx.now().toISOString())}`;
      const log = openTranscript(store.repo, i.id);
      const results: Array<{ phase: number; outcome: PhaseVerifyOutcome }> = [];
      for (const p of phases) {
        const outcome = await verifyPhase({ store, setup, verifier, initiative: i.id, phase: p.n, actor, session, signal: new AbortController().signal, log, trigger: "manual" });
        results.push({ phase: p.n, outcome });
      }
      const failed = results.some((r) => !("skipped" in r.outcome) && r.outcome.verdict !== "passed");
      if (failed) ctx.exitCode = 1;
      if (args.json) {
        const current = getInitiative((await store.snapshot()).state, i.id);
        return printJson(ctx, { id: i.id, phases: results.map((r) => ({ phase: r.phase, ...r.outcome, verification: current.phases.find((p) => p.n === r.phase)?.verification })) });
      }
      const lines: string[] = [];
      for (const { phase, outcome } of results) {
        if ("skipped" in outcome) {
          lines.push(`phase ${phase}: not verified: ${outcome.skipped}`);
          continue;
        }
        lines.push(`phase ${phase}: ${outcome.verdict} on ${outcome.branch} at ${outcome.commit.slice(0, 10)}${outcome.gaps.length > 0 ? ` (${outcome.gaps.length} gap${outcome.gaps.length === 1 ? "" : "s"})` : ""}`);
        for (const g of outcome.gaps) lines.push(`  gap [${g.kind}] ${g.goal} — ${g.evidence}`);
        if (outcome.verdict === "gaps") lines.push(`  remediation task${outcome.tasks.length === 1 ? "" : "s"}: ${outcome.tasks.join(", ")} (round ${outcome.round} of ${store.config.execution.max_remediations}; the phase is reopened)`);
        if (outcome.verdict === "blocked") lines.push(`  blocked for a person: ${outcome.tasks.join(", ")} holds the findings (rw show ${outcome.tasks[0] ?? ""})`);
      }
      lines.push(`evidence per goal: rw initiative show ${i.id}; transcript: rw logs ${i.id}`);
      ctx.stdout(`${lines.join("\n")}\n`);
    });
  },
});
