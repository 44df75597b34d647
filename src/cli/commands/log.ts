import { filterEvents, logLine } from "../../analytics/events.ts";
import { readAllEvents } from "../../store/snapshot.ts";
import { int, jsonArg, list, one } from "../args.ts";
import { defineRw } from "../command.ts";
import { printJson } from "../output.ts";
import { withSnapshot } from "../read.ts";
import { sinceArg } from "../since.ts";

export default defineRw({
  meta: { name: "log", description: "The event stream, oldest first, filtered by time, actor, type or task" },
  args: {
    since: { type: "string", description: "only events from this far back (2d, 12h) or since this date" },
    actor: { type: "string", description: "only events by this actor (repeatable)" },
    type: { type: "string", alias: "t", description: "only this event type, or a family like task.* (repeatable)" },
    task: { type: "string", description: "only events about this task" },
    initiative: { type: "string", description: "only events about this initiative" },
    limit: { type: "string", alias: "n", description: "the newest N of the matching events (JSON: count is what is shown, total what matched)" },
    ...jsonArg,
  },
  examples: ["rw log --since 2d", "rw log --actor agent-2 --type task.completed --type task.failed", "rw log --type 'agent.*' --task rw-7k2f --json"],
  async run({ args }) {
    const limit = int(args.limit, "--limit");
    await withSnapshot(async (snap, store, ctx) => {
      const since = sinceArg(one(args.since), ctx.now());
      const task = one(args.task);
      const initiative = one(args.initiative);
      const { events } = await readAllEvents(store.source, snap.root);
      const matched = filterEvents(events, {
        actors: list(args.actor), types: list(args.type),
        ...(since !== undefined ? { since } : {}), ...(task !== undefined ? { task } : {}), ...(initiative !== undefined ? { initiative } : {}),
      });
      const shown = limit === undefined ? matched : matched.slice(-limit);
      if (args.json) return printJson(ctx, { count: shown.length, total: matched.length, events: shown });
      if (shown.length === 0) return ctx.stdout("no events match\n");
      ctx.stdout(`${shown.map(logLine).join("\n")}\n`);
    });
  },
});
