import { getTask } from "../../domain/decide.ts";
import { readAllEvents } from "../../store/snapshot.ts";
import { jsonArg } from "../args.ts";
import { defineRw } from "../command.ts";
import { printJson } from "../output.ts";
import { withSnapshot } from "../read.ts";

function describe(data: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(data)) {
    if (k === "prev" || k === "body") continue;
    const prev = (data.prev as Record<string, unknown> | undefined)?.[k];
    const text = typeof v === "string" ? v : JSON.stringify(v);
    parts.push(prev !== undefined ? `${k}: ${JSON.stringify(prev)} -> ${text}` : `${k}: ${text}`);
  }
  if ("body" in data) parts.push("body changed");
  return parts.join(", ");
}

export default defineRw({
  meta: { name: "history", description: "A task's events, oldest first, with actors and times" },
  args: { id: { type: "positional", description: "task ID", required: true }, ...jsonArg },
  examples: ["rw history rw-7k2f", "rw history rw-7k2f --json"],
  async run({ args }) {
    await withSnapshot(async (snap, store, ctx) => {
      getTask(snap.state, args.id);
      const root = snap.root;
      const { events } = await readAllEvents(store.source, root);
      const mine = events.filter((e) => e.task === args.id);
      if (args.json) return printJson(ctx, { id: args.id, events: mine });
      const lines = mine.map((e) => `${e.ts}  ${e.actor.padEnd(14)}  ${e.type.padEnd(18)}  ${describe(e.data)}`.trimEnd());
      ctx.stdout(`${lines.join("\n")}\n`);
    });
  },
});
