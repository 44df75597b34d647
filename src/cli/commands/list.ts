import { queryTasks, SORTS } from "../../domain/task-query.ts";
import { STATUSES } from "../../domain/types.ts";
import { jsonArg, list } from "../args.ts";
import { defineRw } from "../command.ts";
import { filterArgs, filterFromArgs, limitArg, mentionProblems, sortArg, statusesArg } from "../filters.ts";
import { fit, LISTED_WITHOUT, printJson, taskJson } from "../output.ts";
import { withSnapshot } from "../read.ts";
import { listJsonText } from "../../views/list-json.ts";

export default defineRw({
  meta: { name: "list", description: "List tasks (unfinished ones unless --all or --status)" },
  args: {
    status: { type: "string", alias: "s", description: `only these statuses (repeatable): ${STATUSES.join(", ")}` },
    assignee: { type: "string", description: "only tasks held by this actor (repeatable)" },
    ...filterArgs,
    all: { type: "boolean", alias: "a", description: "include done and cancelled tasks" },
    sort: { type: "string", description: `order: ${SORTS.join(", ")} (default priority: backlog order; age: oldest first; updated: latest change first)` },
    limit: { type: "string", alias: "n", description: "show at most N (JSON: count is what is shown, total what matched)" },
    ...jsonArg,
  },
  examples: [
    "rw list",
    "rw list --priority 0-1 --sort age",
    "rw list --status in_progress --assignee agent-2",
    "rw list --parent rw-7k2f --limit 5",
    "rw list --all --label api --json",
    "rw list -a --initiative in-3m8d --phase 2",
  ],
  async run({ args }) {
    const limit = limitArg(args.limit);
    const sort = sortArg(args.sort);
    const statuses = statusesArg(args.status);
    await withSnapshot((snap, store, ctx) => {
      const filter = { ...filterFromArgs(args, snap.state), statuses, all: Boolean(args.all), assignees: list(args.assignee) };
      const problems = mentionProblems(store, ctx);
      const extra = problems ? { problems: problems.count } : {};
      // Compact JSON (what scripts and agents read) from the view index: no task decoded or sorted.
      const index = args.json && !ctx.isTTY ? snap.derived?.().index?.bind(snap.state) : undefined;
      const fast = index && listJsonText(index, filter, sort, limit, extra);
      if (fast) return ctx.stdout(fast.bytes, { keyShapes: fast.keyShapes });
      const tasks = queryTasks(snap.state, filter, sort);
      const shown = limit === undefined ? tasks : tasks.slice(0, limit);
      if (args.json) {
        printJson(ctx, {
          count: shown.length, total: tasks.length, tasks: shown.map((t) => taskJson(t, LISTED_WITHOUT)), ...extra,
        });
        return;
      }
      if (tasks.length === 0) {
        ctx.stdout("no tasks match\n");
        return;
      }
      const width = Math.max(...shown.map((t) => t.id.length));
      const lines = shown.map((t) => `${t.id.padEnd(width)}  P${t.priority}  ${fit(t.status, 11)}  ${fit(t.title, 60)}${t.assignee ? `  @${fit(t.assignee, 100).trimEnd()}` : ""}`.trimEnd());
      if (shown.length < tasks.length) lines.push(`… and ${tasks.length - shown.length} more`);
      ctx.stdout(`${lines.join("\n")}\n`);
    });
  },
});
