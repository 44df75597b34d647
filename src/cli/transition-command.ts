import type { Decider } from "../domain/decide.ts";
import { onTask } from "../domain/resolve-id.ts";
import type { Status } from "../domain/types.ts";
import { actorArg, jsonArg, one } from "./args.ts";
import { defineRw } from "./command.ts";
import { runWrite } from "./write.ts";

type Transition = (id: string, reason?: string) => Decider<{ id: string; status: Status }>;

/** cancel, reopen, block and unblock share one shape: an ID, a reason, a status change. */
export function transitionCommand(name: string, decide: Transition, description: string, reasonRequired: boolean, examples: string[]) {
  return defineRw({
    meta: { name, description },
    args: {
      id: { type: "positional", description: "task ID", required: true },
      reason: { type: "string", alias: "r", description: reasonRequired ? "why (required)" : "why" },
      ...actorArg,
      ...jsonArg,
    },
    examples,
    async run({ args }) {
      await runWrite(args, onTask(args.id, (id) => decide(id, one(args.reason))), (r) => `${r.id} is now ${r.status}`);
    },
  });
}
