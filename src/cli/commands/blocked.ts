import { waitingTasks } from "../../domain/waiting.ts";
import { jsonArg } from "../args.ts";
import { defineRw } from "../command.ts";
import { printJson } from "../output.ts";
import { withSnapshot } from "../read.ts";

export default defineRw({
  meta: { name: "blocked", description: "What is stuck: blocked tasks with their reason, waiting tasks with what they wait on" },
  args: { ...jsonArg },
  examples: ["rw blocked", "rw blocked --json | jq '.tasks[].waits_on'"],
  async run({ args }) {
    await withSnapshot((snap, _store, ctx) => {
      const rows = waitingTasks(snap.state);
      if (args.json) return printJson(ctx, { count: rows.length, total: rows.length, tasks: rows });
      if (rows.length === 0) return ctx.stdout("nothing is blocked or waiting\n");
      const lines = rows.flatMap((w) => [
        `${w.id}  P${w.priority}  ${w.status}  ${w.title}`,
        ...(w.blocked_reason !== undefined ? [`    blocked: ${w.blocked_reason}`] : []),
        ...w.waits_on.map((b) => `    waits on ${b.id} (${b.status})${b.title ? `  ${b.title}` : ""}`),
        ...(w.gate !== undefined ? [`    ${w.gate}`] : []),
      ]);
      ctx.stdout(`${lines.join("\n")}\n`);
    });
  },
});
