import { getTask } from "../../domain/decide.ts";
import { resolveTaskId } from "../../domain/resolve-id.ts";
import { describeEntry, taskHistory } from "../../store/history.ts";
import { jsonArg } from "../args.ts";
import { defineRw } from "../command.ts";
import { printJson } from "../output.ts";
import { withSnapshot } from "../read.ts";

export default defineRw({
  meta: { name: "history", description: "A task's events and commits, oldest first: who did what when (agent tool calls included)" },
  args: { id: { type: "positional", description: "task ID", required: true }, ...jsonArg },
  examples: ["rw history rw-7k2f", "rw history rw-7k2f --json | jq '.entries[] | select(.type == \"agent.tool_called\")'"],
  async run({ args }) {
    await withSnapshot(async (snap, store, ctx) => {
      const id = getTask(snap.state, resolveTaskId(snap.state, args.id)).id;
      const entries = await taskHistory(store, id);
      if (args.json) {
        const events = entries.flatMap((x) => (x.event ? [x.event] : []));
        return printJson(ctx, { id, events, entries: entries.map(({ event, ...rest }) => ({ ...rest, ...(event ? { event_id: event.id } : {}) })) });
      }
      const lines = entries.map((x) => `${x.ts.replace(/\.\d{3}Z$/, "Z")}  ${x.actor.padEnd(14)}  ${x.type.padEnd(18)}  ${x.commit ? `${x.commit.slice(0, 8)}  ` : ""}${describeEntry(x)}`.trimEnd());
      ctx.stdout(`${lines.join("\n")}\n`);
    });
  },
});
