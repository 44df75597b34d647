import { getInitiative, phaseProgress, progressBar } from "../../../domain/initiative-lifecycle.ts";
import { resolveInitiativeId } from "../../../domain/resolve-id.ts";
import type { Initiative, Phase, Task } from "../../../domain/types.ts";
import { initiativeBranchName } from "../../../domain/decide-initiative-branch.ts";

function branchWords(i: Initiative, perInitiative: boolean): string {
  const b = i.branch;
  if (!b) return perInitiative ? " (per-initiative; made when its first task runs)" : "";
  const parts = [b.merged ? `merged into ${b.merged.into} ${b.merged.at.slice(0, 10)}` : b.ahead !== undefined ? `${b.ahead} commit${b.ahead === 1 ? "" : "s"} ahead of ${b.base ?? "the integration branch"}` : "nothing landed yet"];
  if (b.shipped) parts.push(`pushed to ${b.shipped.remote}${b.shipped.pr ? `: ${b.shipped.pr}` : ""}`);
  return ` (${parts.join("; ")})`;
}
import { jsonArg } from "../../args.ts";
import { defineRw } from "../../command.ts";
import { printJson } from "../../output.ts";
import { withSnapshot } from "../../read.ts";

const brief = (t: Task): { id: string; title: string; status: string; assignee?: string } =>
  ({ id: t.id, title: t.title, status: t.status, ...(t.assignee ? { assignee: t.assignee } : {}) });

const taskLine = (t: Task): string => `    ${t.status === "done" ? "[x]" : t.status === "cancelled" ? "[-]" : "[ ]"} ${t.id}  ${t.title}  (${t.status}${t.assignee && t.status === "in_progress" ? `, ${t.assignee}` : ""})`;

export default defineRw({
  meta: { name: "show", description: "Show an initiative: status, concept, and each phase with its tasks and progress" },
  args: { id: { type: "positional", description: "initiative ID", required: true }, ...jsonArg },
  examples: ["rw initiative show in-3m8d", "rw initiative show in-3m8d --json | jq '.phases[].status'"],
  async run({ args }) {
    await withSnapshot((snap, store, ctx) => {
      const i = getInitiative(snap.state, resolveInitiativeId(snap.state, args.id));
      const branch = initiativeBranchName(i, store.config.execution.integration === "per-initiative");
      const phaseGoals = (n: number): Pick<Phase, "verify" | "verification"> => {
        const p = i.phases.find((x) => x.n === n);
        return { ...(p?.verify ? { verify: p.verify } : {}), ...(p?.verification ? { verification: p.verification } : {}) };
      };
      const { phases, unphased } = phaseProgress(snap.state, i);
      const decisions = snap.state.decisions.filter((d) => d.initiative === i.id);
      if (args.json) {
        return printJson(ctx, {
          initiative: { id: i.id, title: i.title, status: i.status, created_at: i.created_at, updated_at: i.updated_at, body: i.body, ...(branch ? { branch: { ...i.branch, name: branch } } : {}) },
          phases: phases.map((p) => ({ n: p.n, title: p.title, status: p.status, done: p.done, total: p.total, tasks: p.tasks.map(brief), ...phaseGoals(p.n) })),
          unphased: unphased.map(brief),
          decisions,
          ...(i.refinement ? { refinement: i.refinement } : {}),
        });
      }
      const lines = [`${i.id}  ${i.title}`, `status: ${i.status}`];
      if (branch) lines.push(`branch: ${branch}${branchWords(i, store.config.execution.integration === "per-initiative")}`);
      lines.push("");
      if (i.body.trim() !== "") lines.push(i.body.trimEnd(), "");
      if (phases.length === 0) lines.push(`no phases yet (rw initiative phase add ${i.id} "Title")`);
      for (const p of phases) {
        lines.push(`Phase ${p.n}: ${p.title}  (${p.status})  ${progressBar(p.done, p.total)}`);
        const g = phaseGoals(p.n);
        if (g.verify) lines.push(`    verify: ${g.verify.join("; ")}`);
        if (g.verification) lines.push(`    verification: ${g.verification.verdict}${g.verification.stale ? " (the phase reopened since)" : ""}, ${g.verification.gaps} gap${g.verification.gaps === 1 ? "" : "s"}, ${g.verification.at.slice(0, 16).replace("T", " ")}${g.verification.tasks.length > 0 ? `; tasks ${g.verification.tasks.join(", ")}` : ""}`);
        const proposed = (g.verification?.proposed_verify ?? []).filter((c) => !(g.verify ?? []).includes(c));
        if (proposed.length > 0) lines.push(`    proposed verify (adopt: rw initiative phase edit ${i.id} ${p.n} --adopt-proposed): ${proposed.join("; ")}`);
        lines.push(...(p.tasks.length > 0 ? p.tasks.map(taskLine) : ["    no tasks yet"]));
      }
      if (unphased.length > 0) lines.push("Not in a phase:", ...unphased.map(taskLine));
      if (i.refinement && i.refinement.questions.length > 0 && i.status === "draft") {
        lines.push("", `Open questions (architect, round ${i.refinement.round}; answer with rw initiative refine ${i.id} --answers FILE):`);
        i.refinement.questions.forEach((q, n) => lines.push(`  ${n + 1}. ${q}`));
      }
      if (decisions.length > 0) {
        lines.push("", "Decisions:");
        for (const d of decisions) lines.push(`  ${d.ts.slice(0, 10)}  ${d.text}${d.why ? ` (why: ${d.why})` : ""}`);
      }
      ctx.stdout(`${lines.join("\n")}\n`);
    });
  },
});
