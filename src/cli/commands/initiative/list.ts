import { RwError } from "../../../domain/errors.ts";
import { phaseProgress } from "../../../domain/initiative-lifecycle.ts";
import { INITIATIVE_STATUSES } from "../../../domain/types.ts";
import { jsonArg, list } from "../../args.ts";
import { defineRw } from "../../command.ts";
import { fit, printJson } from "../../output.ts";
import { withSnapshot } from "../../read.ts";
import { byAge } from "../../../domain/order.ts";

export default defineRw({
  meta: { name: "list", description: "List initiatives with their phase and task progress" },
  args: { status: { type: "string", alias: "s", description: `only these statuses (repeatable): ${INITIATIVE_STATUSES.join(", ")}` }, ...jsonArg },
  examples: ["rw initiative list", "rw initiative list --status in_progress --json"],
  async run({ args }) {
    const statuses = list(args.status);
    for (const s of statuses) {
      if (!(INITIATIVE_STATUSES as readonly string[]).includes(s)) throw new RwError("usage", `unknown status ${JSON.stringify(s)}`, { hint: `use one of: ${INITIATIVE_STATUSES.join(", ")}` });
    }
    await withSnapshot((snap, _store, ctx) => {
      const rows = Object.values(snap.state.initiatives)
        .filter((i) => statuses.length === 0 || statuses.includes(i.status))
        .sort(byAge)
        .map((i) => {
          const { phases, unphased } = phaseProgress(snap.state, i);
          const tasks = [...phases.flatMap((p) => p.tasks), ...unphased];
          return {
            id: i.id, title: i.title, status: i.status,
            phases: { total: i.phases.length, approved: i.phases.filter((p) => p.status !== "planned").length, done: i.phases.filter((p) => p.status === "done").length },
            tasks: { total: tasks.length, done: tasks.filter((t) => t.status === "done" || t.status === "cancelled").length },
            created_at: i.created_at, updated_at: i.updated_at,
          };
        });
      if (args.json) return printJson(ctx, { count: rows.length, total: rows.length, initiatives: rows });
      if (rows.length === 0) return ctx.stdout("no initiatives (create one with `rw initiative new TITLE`)\n");
      const width = Math.max(...rows.map((r) => r.id.length));
      const lines = rows.map((r) =>
        `${r.id.padEnd(width)}  ${r.status.padEnd(11)}  ${fit(r.title, 40)}  phases ${r.phases.done}/${r.phases.total} done, ${r.phases.approved} approved  tasks ${r.tasks.done}/${r.tasks.total}`,
      );
      ctx.stdout(`${lines.join("\n")}\n`);
    });
  },
});
