import { getTask } from "../../domain/decide.ts";
import { resolveTaskId } from "../../domain/resolve-id.ts";
import { printable } from "../../domain/text.ts";
import { depTree, type DepNode } from "../../domain/waiting.ts";
import { jsonArg } from "../args.ts";
import { defineRw } from "../command.ts";
import { limitArg } from "../filters.ts";
import { printJson } from "../output.ts";
import { withSnapshot } from "../read.ts";

export default defineRw({
  meta: { name: "tree", description: "What ID waits on and what waits on it, as two trees (cycles and missing tasks marked, never followed)" },
  args: {
    id: { type: "positional", description: "task ID", required: true },
    depth: { type: "string", description: "how many levels to show each way (default 20)", valueHint: "N" },
    up: { type: "boolean", description: "only what waits on ID" },
    down: { type: "boolean", description: "only what ID waits on" },
    ...jsonArg,
  },
  examples: ["rw dep tree rw-7k2f", "rw dep tree 7k2f --down --depth 2", "rw dep tree rw-7k2f --json | jq '.waits_on'"],
  async run({ args }) {
    const depth = limitArg(args.depth, "--depth") ?? 20;
    await withSnapshot((snap, _store, ctx) => {
      const task = getTask(snap.state, resolveTaskId(snap.state, args.id));
      const down = args.up && !args.down ? undefined : depTree(snap.state, task.id, "deps", depth);
      const up = args.down && !args.up ? undefined : depTree(snap.state, task.id, "dependents", depth);
      if (args.json) {
        return printJson(ctx, {
          task: { id: task.id, title: task.title, status: task.status },
          ...(down ? { waits_on: down.children } : {}), ...(up ? { waited_on_by: up.children } : {}),
        });
      }
      const lines = [`${task.id}  ${printable(task.title)}  (${task.status})`];
      if (down) lines.push("waits on:", ...(down.children.length === 0 ? ["  nothing"] : branches(down.children, "  ")));
      if (up) lines.push("waited on by:", ...(up.children.length === 0 ? ["  nothing"] : branches(up.children, "  ")));
      ctx.stdout(`${lines.join("\n")}\n`);
    });
  },
});

function branches(nodes: DepNode[], indent: string): string[] {
  return nodes.flatMap((n, i) => {
    const last = i === nodes.length - 1;
    return [`${indent}${last ? "└─ " : "├─ "}${label(n)}`, ...branches(n.children, `${indent}${last ? "   " : "│  "}`)];
  });
}

function label(n: DepNode): string {
  if (n.status === "missing") return `${n.id}  (missing: no such task)`;
  const mark = n.cycle ? "  ↻ cycle: depends on itself through the tasks above" : n.seen ? "  (shown above)" : n.truncated ? "  …" : "";
  return `${n.id}  ${printable(n.title)}  (${n.status})${mark}`;
}
