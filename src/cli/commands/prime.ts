import { agentGuide, primeText } from "../../domain/agent-guide.ts";
import { readyPage } from "../../domain/ready.ts";
import { jsonArg } from "../args.ts";
import { defineRw } from "../command.ts";
import { limitArg, mentionProblems } from "../filters.ts";
import { printJson } from "../output.ts";
import { nowIso, withSnapshot } from "../read.ts";

export default defineRw({
  meta: { name: "prime", description: "Print short instructions for a coding agent: the loop, the commands, the tasks ready now" },
  args: {
    limit: { type: "string", alias: "n", description: "how many ready tasks to list (default 5)" },
    ...jsonArg,
  },
  examples: ["rw prime", "rw prime -n 10 > /tmp/rw-context.md", "rw init --agents   # the same loop, kept in AGENTS.md / CLAUDE.md"],
  async run({ args }) {
    const limit = limitArg(args.limit) ?? 5;
    await withSnapshot((snap, store, ctx) => {
      const guide = agentGuide({ ref: store.ref, leaseMs: store.config.claims.lease_ms });
      const { total, items } = readyPage(snap.state, nowIso(ctx), limit);
      mentionProblems(store, ctx);
      if (args.json) {
        return printJson(ctx, {
          text: primeText(guide, items, total), count: items.length, total,
          ready: items.map((r) => ({ id: r.task.id, title: r.task.title, priority: r.task.priority, unblocks: r.unblocks })),
        });
      }
      ctx.stdout(primeText(guide, items, total));
    });
  },
});
