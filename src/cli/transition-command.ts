import type { Decider } from "../domain/decide.ts";
import { onTask } from "../domain/resolve-id.ts";
import type { Status } from "../domain/types.ts";
import { actorArg, jsonArg, one } from "./args.ts";
import { defineRw } from "./command.ts";
import { runWrite } from "./write.ts";

type Transition = (id: string, reason?: string, opts?: { force?: boolean }) => Decider<{ id: string; status: Status }>;

/** cancel, reopen, block and unblock share one shape: an ID, a reason, a status change. */
export function transitionCommand(name: string, decide: Transition, description: string, reasonRequired: boolean, examples: string[]) {
  return defineRw({
    meta: { name, description },
    args: {
      id: { type: "positional", description: "task ID", required: true },
      reason: { type: "string", alias: "r", description: reasonRequired ? "why (required)" : "why" },
      force: { type: "boolean", description: "override a claim held by someone else (recorded as forced)" },
      ...actorArg,
      ...jsonArg,
    },
    examples,
    async run({ args }) {
      await runWrite(args, onTask(args.id, (id) => decide(id, one(args.reason), { force: args.force === true })), (r, tx) => {
        // `rw unblock` starts the retry count over: say so, or the next failure seems to block at once.
        const before = tx.events.find((e) => e.type === "task.unblocked")?.data.retries_before;
        return `${r.id} is now ${r.status}${typeof before === "number" ? `; its retry count was reset (${before} → 0)` : ""}`;
      });
    },
  });
}
