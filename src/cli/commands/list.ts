import { RwError } from "../../domain/errors.ts";
import { STATUSES, isClosed } from "../../domain/types.ts";
import { int, jsonArg, list, one } from "../args.ts";
import { defineRw } from "../command.ts";
import { fit, printJson, taskJson } from "../output.ts";
import { withSnapshot } from "../read.ts";
import { byPriority } from "../../domain/order.ts";

export default defineRw({
  meta: { name: "list", description: "List tasks (unfinished ones unless --all or --status)" },
  args: {
    status: { type: "string", alias: "s", description: `only these statuses (repeatable): ${STATUSES.join(", ")}` },
    label: { type: "string", alias: "l", description: "only tasks with this label (repeatable: all must match)" },
    assignee: { type: "string", alias: "a", description: "only tasks held by this actor" },
    type: { type: "string", alias: "t", description: "only tasks of this type" },
    initiative: { type: "string", alias: "i", description: "only tasks of this initiative" },
    phase: { type: "string", description: "only tasks of this phase (with --initiative)", valueHint: "N" },
    all: { type: "boolean", description: "include done and cancelled tasks" },
    ...jsonArg,
  },
  examples: ["rw list", "rw list --status in_progress --assignee agent-2", "rw list --all --label api --json", "rw list --all --initiative in-3m8d --phase 2"],
  async run({ args }) {
    const statuses = list(args.status);
    for (const s of statuses) {
      if (!(STATUSES as readonly string[]).includes(s)) throw new RwError("usage", `unknown status ${JSON.stringify(s)}`, { hint: `use one of: ${STATUSES.join(", ")}` });
    }
    const labels = list(args.label);
    const initiative = one(args.initiative);
    const phase = int(args.phase, "--phase");
    if (phase !== undefined && initiative === undefined) throw new RwError("usage", "--phase needs --initiative");
    const assignee = list(args.assignee);
    const types = list(args.type);
    await withSnapshot((snap, _store, ctx) => {
      const tasks = Object.values(snap.state.tasks).filter((t) =>
        (statuses.length > 0 ? statuses.includes(t.status) : args.all || !isClosed(t.status)) &&
        labels.every((l) => t.labels.includes(l)) &&
        (assignee.length === 0 || (t.assignee !== undefined && assignee.includes(t.assignee))) &&
        (types.length === 0 || types.includes(t.type)) &&
        (initiative === undefined || t.initiative === initiative) &&
        (phase === undefined || t.phase === phase),
      ).sort(byPriority);
      if (args.json) {
        printJson(ctx, { count: tasks.length, tasks: tasks.map(({ body: _b, notes: _n, ...meta }) => taskJson(meta)) });
        return;
      }
      if (tasks.length === 0) {
        ctx.stdout("no tasks match\n");
        return;
      }
      const width = Math.max(...tasks.map((t) => t.id.length));
      const lines = tasks.map((t) => `${t.id.padEnd(width)}  P${t.priority}  ${fit(t.status, 11)}  ${fit(t.title, 60)}${t.assignee ? `  @${fit(t.assignee, 100).trimEnd()}` : ""}`.trimEnd());
      ctx.stdout(`${lines.join("\n")}\n`);
    });
  },
});
