import { decideDone } from "../../domain/decide-lifecycle.ts";
import { onTask } from "../../domain/resolve-id.ts";
import { actorArg, jsonArg, one } from "../args.ts";
import { defineRw } from "../command.ts";
import { runWrite } from "../write.ts";

export default defineRw({
  meta: { name: "done", description: "Complete a task you hold (or any task with --force)" },
  args: {
    id: { type: "positional", description: "task ID", required: true },
    summary: { type: "string", alias: "m", description: "what was done" },
    force: { type: "boolean", description: "complete it without holding the claim" },
    ...actorArg,
    ...jsonArg,
  },
  examples: ["rw done rw-7k2f --summary 'POST /login with JWT'", "rw done rw-7k2f --force"],
  async run({ args }) {
    const summary = one(args.summary);
    await runWrite(args, onTask(args.id, (id) => decideDone(id, { force: Boolean(args.force), ...(summary ? { summary } : {}) })), (r) => `${r.id} is done`);
  },
});
