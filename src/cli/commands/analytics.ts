import { barChart, humanDuration } from "../../analytics/chart.ts";
import { computeAnalytics, type Percentiles, type UsageRow } from "../../analytics/metrics.ts";
import { readAllEvents } from "../../store/snapshot.ts";
import { jsonArg, one } from "../args.ts";
import { defineRw } from "../command.ts";
import { printJson } from "../output.ts";
import { withSnapshot } from "../read.ts";
import { sinceArg } from "../since.ts";

const pct = (v: number | null): string => (v === null ? "n/a" : `${Math.round(v * 100)}%`);
const times = (p: Percentiles): string => (p.count === 0 ? "no completed tasks" : `p50 ${humanDuration(p.p50)}  p90 ${humanDuration(p.p90)}  p99 ${humanDuration(p.p99)}  (${p.count} tasks)`);
const usage = (title: string, rows: UsageRow[]): string[] =>
  rows.length === 0 ? [] : [`  by ${title}:`, ...rows.slice(0, 8).map((r) => `    ${r.key.padEnd(24)} ${String(r.tokens).padStart(10)} tokens  $${r.cost.toFixed(2)}`)];

export default defineRw({
  meta: { name: "analytics", description: "Cycle and lead times, throughput, success and retry rates, tokens and cost, busiest agents" },
  args: {
    since: { type: "string", description: "only this far back (7d) or since this date; default: everything" },
    initiative: { type: "string", description: "only this initiative's tasks and usage" },
    ...jsonArg,
  },
  examples: ["rw analytics", "rw analytics --since 7d", "rw analytics --initiative in-3m8d --json"],
  async run({ args }) {
    await withSnapshot(async (snap, store, ctx) => {
      const now = ctx.now();
      const since = sinceArg(one(args.since), now);
      const initiative = one(args.initiative);
      const { events } = await readAllEvents(store.source, snap.root);
      const a = computeAnalytics(events, {
        now: now.toISOString(), initiativeOf: (id) => snap.state.tasks[id]?.initiative,
        ...(since !== undefined ? { since } : {}), ...(initiative !== undefined ? { initiative } : {}),
      });
      if (args.json) return printJson(ctx, { ...a });
      const lines = [
        `rw analytics${initiative ? ` for ${initiative}` : ""}${since ? ` since ${since.slice(0, 16).replace("T", " ")}` : ""}`,
        "",
        `cycle time (claim -> done):   ${times(a.cycle_time)}`,
        `lead time (created -> done):  ${times(a.lead_time)}`,
        `success rate: ${pct(a.success_rate)} of ${a.attempts.completed + a.attempts.failed + a.attempts.released + a.attempts.expired} finished attempts (${a.attempts.completed} done, ${a.attempts.failed} failed, ${a.attempts.released} released, ${a.attempts.expired} expired)`,
        `retry rate:   ${pct(a.retry_rate)} of completed tasks failed at least once first`,
        "",
        "throughput (tasks done per day):",
        ...(a.throughput.length === 0 ? ["  none yet"] : barChart(a.throughput.map((d) => ({ label: d.day, value: d.done })), 40).map((l) => `  ${l}`)),
        "",
        `tokens: ${a.tokens.total}  cost: $${a.tokens.cost.toFixed(2)}${a.tokens.total === 0 && a.tokens.cost === 0 ? " (no agent sessions recorded)" : ""}`,
        ...usage("role", a.tokens.by_role), ...usage("model", a.tokens.by_model), ...usage("initiative", a.tokens.by_initiative),
        "",
        "busiest agents:",
        ...(a.agents.length === 0 ? ["  none"] : a.agents.map((g) => `  ${g.actor.padEnd(16)} ${String(g.completed).padStart(4)} done  ${String(g.failed).padStart(3)} failed  ${String(g.claims).padStart(4)} claims  ${String(g.tool_calls).padStart(5)} tool calls`)),
      ];
      ctx.stdout(`${lines.join("\n")}\n`);
    });
  },
});
