import { searchTasks } from "../../domain/search.ts";
import { int, jsonArg } from "../args.ts";
import { defineRw } from "../command.ts";
import { fit, printJson } from "../output.ts";
import { withSnapshot } from "../read.ts";

export default defineRw({
  meta: { name: "search", description: "Find tasks by text in titles, bodies and notes (every word must occur)" },
  args: {
    text: { type: "positional", description: "words to look for (case-insensitive, plain text)", required: true },
    all: { type: "boolean", alias: "a", description: "include done and cancelled tasks" },
    limit: { type: "string", alias: "n", description: "show at most N" },
    ...jsonArg,
  },
  examples: ["rw search login", "rw search 'token expiry' --all --json"],
  async run({ args }) {
    const limit = int(args.limit, "--limit");
    const query = [args.text, ...args._.slice(1)].join(" ");
    await withSnapshot((snap, _store, ctx) => {
      const hits = searchTasks(snap.state, query, { all: Boolean(args.all) });
      const shown = limit === undefined ? hits : hits.slice(0, limit);
      if (args.json) {
        return printJson(ctx, { count: shown.length, total: hits.length, tasks: shown.map((h) => ({ id: h.task.id, title: h.task.title, status: h.task.status, priority: h.task.priority, field: h.field, snippet: h.snippet })) });
      }
      if (hits.length === 0) return ctx.stdout(`no task mentions ${JSON.stringify(query)}${args.all ? "" : " (--all includes closed tasks)"}\n`);
      const width = Math.max(...shown.map((h) => h.task.id.length));
      const lines = shown.map((h) => `${h.task.id.padEnd(width)}  P${h.task.priority}  ${fit(h.task.status, 11)}  ${fit(h.task.title, 50).trimEnd()}${h.field === "title" ? "" : `  [${h.field}: ${h.snippet}]`}`);
      if (shown.length < hits.length) lines.push(`… and ${hits.length - shown.length} more`);
      ctx.stdout(`${lines.join("\n")}\n`);
    });
  },
});
