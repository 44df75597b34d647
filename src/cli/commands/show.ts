import { getTask } from "../../domain/decide.ts";
import { resolveTaskId } from "../../domain/resolve-id.ts";
import { notReadyReasons } from "../../domain/ready.ts";
import { jsonArg } from "../args.ts";
import { defineRw } from "../command.ts";
import { printable } from "../../domain/text.ts";
import { paint, printableBlock, printJson, taskJson } from "../output.ts";
import { nowIso, withSnapshot } from "../read.ts";

export default defineRw({
  meta: { name: "show", description: "Show a task: its file on the state ref, readiness and notes" },
  args: { id: { type: "positional", description: "task ID", required: true }, ...jsonArg },
  examples: ["rw show rw-7k2f", "rw show rw-7k2f --json | jq .task.status"],
  async run({ args }) {
    await withSnapshot(async (snap, store, ctx) => {
      const task = getTask(snap.state, resolveTaskId(snap.state, args.id));
      // The one definition `rw ready` and the MCP server use: an expired claim is ready to take over.
      const reasons = notReadyReasons(snap.state, task, nowIso(ctx));
      const ready = reasons.length === 0;
      if (args.json) {
        printJson(ctx, { task: taskJson(task), ready, reasons });
        return;
      }
      const file = (await store.readTaskFile(task.id, snap.tip)) ?? "";
      const lines = [printableBlock(file.trimEnd()), ""];
      lines.push(ready ? paint(ctx, "green", "ready: yes") : `ready: no (${reasons.join("; ")})`);
      if (task.notes.length > 0) {
        lines.push("", "Notes:");
        for (const n of task.notes) lines.push(`  ${n.ts}  ${printable(n.actor)}: ${printableBlock(n.text)}`);
      }
      ctx.stdout(`${lines.join("\n")}\n`);
    });
  },
});
