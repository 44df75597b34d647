import { decideRelease } from "../../domain/decide-lifecycle.ts";
import { onTask } from "../../domain/resolve-id.ts";
import { actorArg, jsonArg, one } from "../args.ts";
import { defineRw } from "../command.ts";
import { runWrite } from "../write.ts";

export default defineRw({
  meta: { name: "release", description: "Give up your claim: the task is open again" },
  args: {
    id: { type: "positional", description: "task ID", required: true },
    reason: { type: "string", alias: "r", description: "why" },
    force: { type: "boolean", description: "release someone else's claim" },
    ...actorArg,
    ...jsonArg,
  },
  examples: ["rw release rw-7k2f", "rw release rw-7k2f --force --reason 'agent-2 crashed'"],
  async run({ args }) {
    const reason = one(args.reason);
    await runWrite(args, onTask(args.id, (id) => decideRelease(id, { force: Boolean(args.force), ...(reason ? { reason } : {}) })), (r) => `released ${r.id}`);
  },
});
