import type { Usage } from "../../domain/spend.ts";
import { jsonArg } from "../args.ts";
import { defineRw } from "../command.ts";
import { printJson } from "../output.ts";
import { withSnapshot } from "../read.ts";
import { loadAgentConfig } from "../../agents/load.ts";

const money = (n: number): string => `$${n.toFixed(4)}`;

/** "12000 in (9000 cache read, 1000 cache write) / 300 out tokens": input by kind, as it is priced. */
function tokenSplit(u: Usage): string {
  const parts = [u.cache_read_tokens ? `${u.cache_read_tokens} cache read` : "", u.cache_write_tokens ? `${u.cache_write_tokens} cache write` : ""].filter(Boolean);
  return `${u.input_tokens} in${parts.length ? ` (${parts.join(", ")})` : ""} / ${u.output_tokens} out tokens`;
}

function table(title: string, rows: Record<string, Usage>, limit?: (key: string) => number | undefined): string[] {
  const keys = Object.keys(rows).sort((a, b) => rows[b]!.cost_usd - rows[a]!.cost_usd || a.localeCompare(b));
  if (keys.length === 0) return [];
  const width = Math.max(...keys.map((k) => k.length), 8);
  return [
    `${title}:`,
    ...keys.map((k) => {
      const u = rows[k]!;
      const l = limit?.(k);
      return `  ${k.padEnd(width)}  ${money(u.cost_usd).padStart(10)}${l !== undefined ? ` of ${money(l)}` : ""}  ${tokenSplit(u)}, ${u.calls} calls`;
    }),
  ];
}

export default defineRw({
  meta: { name: "budget", description: "Agent spend by project, role, task and model, against the configured budgets" },
  args: { ...jsonArg },
  examples: ["rw budget", "rw budget --json"],
  async run({ args }) {
    await withSnapshot(async (snap, store, ctx) => {
      const budgets = loadAgentConfig(store).budgets;
      const spend = snap.state.spend;
      if (args.json) return printJson(ctx, { budgets, spend });
      const t = spend.total;
      const lines = [
        `project: ${money(t.cost_usd)}${budgets.project_usd !== undefined ? ` of ${money(budgets.project_usd)}` : ""}  (${tokenSplit(t)}, ${t.calls} calls)`,
        ...table("by role", spend.by_role, (k) => budgets.roles[k]),
        ...table("by task", spend.by_task, () => budgets.task_usd),
        ...table("by model", spend.by_model),
      ];
      ctx.stdout(`${lines.join("\n")}\n`);
    });
  },
});
