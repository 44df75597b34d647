import { printable } from "../../domain/text.ts";
import { explainReady, readyPage } from "../../domain/ready.ts";
import { int, jsonArg } from "../args.ts";
import { defineRw } from "../command.ts";
import { fit, paint, printJson } from "../output.ts";
import { nowIso, withSnapshot } from "../read.ts";

export default defineRw({
  meta: { name: "ready", description: "List tasks ready to work on, best first" },
  args: {
    limit: { type: "string", alias: "n", description: "show at most N tasks" },
    explain: { type: "boolean", alias: "e", description: "say why each unfinished task is or is not ready" },
    ...jsonArg,
  },
  examples: ["rw ready", "rw ready --limit 5 --json", "rw ready --explain"],
  async run({ args }) {
    const limit = int(args.limit, "--limit");
    await withSnapshot((snap, _store, ctx) => {
      const now = nowIso(ctx);
      if (args.explain) {
        const all = explainReady(snap.state, now);
        const shown = limit === undefined ? all : all.slice(0, limit);
        if (args.json) return printJson(ctx, { count: all.length, tasks: shown });
        const lines = shown.map((x) => (x.ready ? `${paint(ctx, "green", "ready")}    ${x.id}  ${printable(x.title)}` : `waiting  ${x.id}  ${printable(x.title)}\n         ${x.reasons.join("\n         ")}`));
        return ctx.stdout(`${lines.join("\n") || "no unfinished tasks"}\n`);
      }
      const { total, items: shown } = readyPage(snap.state, now, limit ?? Infinity);
      // Not ready for an agent, but waiting on someone: tasks `rw run` stopped for a person's review.
      const review = Object.values(snap.state.tasks).filter((t) => t.status === "review").sort((a, b) => (a.updated_at < b.updated_at ? -1 : 1));
      const reviewLine = review.length > 0 ? `waiting for review (rw review ID): ${review.map((t) => `${t.id} ${fit(t.title, 40).trimEnd()}`).join("; ")}` : "";
      if (args.json) {
        return printJson(ctx, {
          count: total,
          ...(review.length > 0 ? { waiting_for_review: review.map((t) => ({ id: t.id, title: t.title, priority: t.priority, since: t.updated_at })) } : {}),
          tasks: shown.map((r) => ({
            id: r.task.id, title: r.task.title, priority: r.task.priority, type: r.task.type, labels: r.task.labels,
            unblocks: r.unblocks, created_at: r.task.created_at, ...(r.expired_claim ? { expired_claim: r.expired_claim } : {}),
          })),
        });
      }
      if (total === 0) return ctx.stdout(`nothing is ready (rw ready --explain says why)\n${reviewLine ? `${reviewLine}\n` : ""}`);
      const width = Math.max(...shown.map((r) => r.task.id.length));
      const lines = shown.map((r) => {
        const extra = [r.unblocks > 0 ? `unblocks ${r.unblocks}` : "", r.expired_claim ? `lease of ${r.expired_claim.assignee} expired` : ""].filter(Boolean).join(", ");
        return `${r.task.id.padEnd(width)}  P${r.task.priority}  ${fit(r.task.title, 64).trimEnd()}${extra ? `  (${extra})` : ""}`;
      });
      if (shown.length < total) lines.push(`… and ${total - shown.length} more`);
      if (reviewLine) lines.push(reviewLine);
      ctx.stdout(`${lines.join("\n")}\n`);
    });
  },
});
