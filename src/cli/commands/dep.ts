import type { CommandDef } from "citty";
import { decideDepAdd, decideDepRemove } from "../../domain/decide-task.ts";
import { onTask, onTasks, resolveDep } from "../../domain/resolve-id.ts";
import { actorArg, jsonArg } from "../args.ts";
import { defineRw } from "../command.ts";
import { runWrite } from "../write.ts";

const pair = {
  id: { type: "positional", description: "the task that waits", required: true },
  dep: { type: "positional", description: "the task it waits on", required: true },
  ...actorArg,
  ...jsonArg,
} as const;

const add = defineRw({
  meta: { name: "add", description: "Make ID wait on DEP (refuses cycles and unknown tasks)" },
  args: pair,
  examples: ["rw dep add rw-7k2f rw-a1b2"],
  async run({ args }) {
    await runWrite(args, onTasks(args.id, args.dep, decideDepAdd), (r) => `${r.id} now depends on: ${r.deps.join(", ")}`);
  },
});

const rm = defineRw({
  meta: { name: "rm", description: "Remove the dependency of ID on DEP" },
  args: pair,
  examples: ["rw dep rm rw-7k2f rw-a1b2"],
  async run({ args }) {
    await runWrite(args, onTask(args.id, (id) => (state, ctx) => decideDepRemove(id, resolveDep(state, id, args.dep))(state, ctx)), (r) => `${r.id} now depends on: ${r.deps.join(", ") || "nothing"}`);
  },
});

// NOTE: outside `export default`: tsc 5.9 does not rewrite ".ts" in import() calls nested in it.
const tree = (): Promise<CommandDef<any>> => import("./dep-tree.ts").then((m) => m.default); // eslint-disable-line @typescript-eslint/no-explicit-any

export default defineRw({
  meta: { name: "dep", description: "Add or remove dependencies between tasks; show them as a tree" },
  subCommands: { add, rm, tree },
  examples: ["rw dep add rw-7k2f rw-a1b2", "rw dep rm rw-7k2f rw-a1b2", "rw dep tree rw-7k2f"],
});
