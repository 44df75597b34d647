import { humanDuration } from "../../analytics/chart.ts";
import type { Percentiles } from "../../analytics/metrics.ts";
import { computeStats } from "../../analytics/stats.ts";
import { printable } from "../../domain/text.ts";
import { readAllEvents } from "../../store/snapshot.ts";
import { jsonArg } from "../args.ts";
import { defineRw } from "../command.ts";
import { fit, printJson } from "../output.ts";
import { withSnapshot } from "../read.ts";

const ages = (p: Percentiles): string => (p.count === 0 ? "none" : `p50 ${humanDuration(p.p50)}  p90 ${humanDuration(p.p90)}  (${p.count})`);
const counts = (m: Record<string, number>): string => Object.entries(m).map(([k, n]) => `${k} ${n}`).join("  ") || "none";

export default defineRw({
  meta: { name: "stats", description: "Backlog counts, ages and throughput (cycle/lead times, rates, tokens and cost: rw analytics)" },
  args: { ...jsonArg },
  examples: ["rw stats", "rw stats --json | jq '.throughput'", "rw analytics --since 7d   # cycle and lead times, success rate, cost"],
  async run({ args }) {
    await withSnapshot(async (snap, store, ctx) => {
      const { events } = await readAllEvents(store.source, snap.root);
      const s = computeStats(snap.state, events, ctx.now().toISOString());
      if (args.json) return printJson(ctx, { ...s });
      const lines = [
        `tasks: ${s.tasks}`,
        `  by status:    ${counts(s.by_status)}`,
        `  by type:      ${counts(s.by_type)}`,
        `  unfinished by priority: ${Object.entries(s.open_by_priority).map(([p, n]) => `P${p} ${n}`).join("  ")}`,
        "",
        `age of unfinished tasks: ${ages(s.open_age)}`,
        ...(s.oldest_open ? [`  oldest: ${s.oldest_open.id}  ${fit(printable(s.oldest_open.title), 50).trimEnd()}  (created ${s.oldest_open.created_at.slice(0, 10)})`] : []),
        `age of current claims:   ${ages(s.claim_age)}`,
        "",
        "throughput:       created   done   cancelled",
        ...s.throughput.map((w) => `  last ${`${w.days}d`.padEnd(4)}       ${String(w.created).padStart(7)}  ${String(w.done).padStart(5)}  ${String(w.cancelled).padStart(10)}`),
        "",
        "cycle and lead times, success and retry rates, tokens and cost: rw analytics",
      ];
      ctx.stdout(`${lines.join("\n")}\n`);
    });
  },
});
