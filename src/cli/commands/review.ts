import { RwError } from "../../domain/errors.ts";
import { approveReview, assertReviewer, rejectReview, reviewInfo, waitingForReview } from "../../orchestrator/review.ts";
import { actorArg, jsonArg, one, openStore, resolveActor } from "../args.ts";
import { defineRw } from "../command.ts";
import { context } from "../context.ts";
import { paint, printJson } from "../output.ts";

export default defineRw({
  meta: { name: "review", description: "Review a task `rw run` stopped for a person: show its diff, gates and verdicts; approve or reject it" },
  args: {
    id: { type: "positional", description: "task ID (none: list the tasks waiting for review)", required: false },
    approve: { type: "boolean", description: "merge it through the merge queue (gates run again on the merged tree)" },
    reject: { type: "string", description: "send it back to a worker with this feedback (in its next prompt)", valueHint: "feedback" },
    ...actorArg,
    ...jsonArg,
  },
  examples: ["rw review", "rw review rw-7k2f", "rw review rw-7k2f --approve", 'rw review rw-7k2f --reject "keep the old function name; callers outside this repo use it"'],
  async run({ args }) {
    const ctx = context();
    const id = one(args.id);
    const reject = one(args.reject);
    if (args.approve && reject !== undefined) throw new RwError("usage", "--approve and --reject exclude each other");
    if ((args.approve || reject !== undefined) && !id) throw new RwError("usage", "name the task: rw review ID --approve (or --reject \"feedback\")");
    const store = await openStore(ctx);
    try {
      if (!id) {
        const tasks = await waitingForReview(store);
        if (args.json) return printJson(ctx, { review: tasks.map((t) => ({ id: t.id, title: t.title, priority: t.priority, since: t.updated_at })) });
        if (tasks.length === 0) return ctx.stdout("nothing is waiting for review\n");
        return ctx.stdout(`${tasks.map((t) => `${t.id}  P${t.priority}  ${t.title}  (since ${t.updated_at})`).join("\n")}\n`);
      }
      if (args.approve || reject !== undefined) {
        const actor = await resolveActor(store, args.actor);
        assertReviewer(actor, ctx.env);
        if (reject !== undefined) {
          await rejectReview(store, id, actor, reject);
          if (args.json) return printJson(ctx, { id, outcome: "rejected" });
          return ctx.stdout(`${id} is open again; the next attempt's prompt includes your feedback\n`);
        }
        const r = await approveReview(store, id, actor, { env: ctx.env, now: () => ctx.now().getTime() });
        if (args.json) return printJson(ctx, r);
        if (r.outcome === "landed") return ctx.stdout(`${id} approved and merged (${r.commit.slice(0, 10)}, ${r.files.length} file${r.files.length === 1 ? "" : "s"}); it is done\n`);
        ctx.exitCode = 1;
        return ctx.stderr(`${id} could not be merged: ${r.reason}; it went back to a worker with that as feedback\n`);
      }
      const info = await reviewInfo(store, id);
      if (args.json) return printJson(ctx, { ...info });
      const r = info.request;
      const lines = [`${paint(ctx, "bold", `${info.task.id}  ${info.task.title}`)}  waiting for review since ${info.requested_at} (attempt ${r.attempt}, branch ${info.branch} into ${info.integration})`];
      if (r.reason) lines.push(`${paint(ctx, "yellow", "note")}: ${r.reason}`);
      lines.push("", "gates:");
      for (const g of r.gates) lines.push(`  ${g.exit_code === 0 ? paint(ctx, "green", "pass") : paint(ctx, "red", "FAIL")}  ${g.gate}  (${g.duration_ms} ms)`);
      if (r.gates.length === 0) lines.push("  (none configured)");
      lines.push("", "verifier:");
      for (const v of r.verdicts) lines.push(`  ${v.met ? paint(ctx, "green", "met ") : paint(ctx, "red", "NOT ")}  ${v.text}${v.evidence ? ` — ${v.evidence}` : ""}`);
      if (r.verdicts.length === 0) lines.push("  (no open acceptance criteria)");
      lines.push("", info.diffstat || "(no changes)", "", info.diff.trimEnd(), "", `approve: rw review ${id} --approve   reject: rw review ${id} --reject "what to change"`);
      ctx.stdout(`${lines.join("\n")}\n`);
    } finally {
      store.close();
    }
  },
});
