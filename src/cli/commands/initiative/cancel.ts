import { decideInitiativeCancel } from "../../../domain/decide-initiative.ts";
import { onInitiative } from "../../../domain/resolve-id.ts";
import { actorArg, jsonArg, one } from "../../args.ts";
import { defineRw } from "../../command.ts";
import { runWrite } from "../../write.ts";

export default defineRw({
  meta: { name: "cancel", description: "Cancel an initiative; its tasks stop being ready" },
  args: {
    id: { type: "positional", description: "initiative ID", required: true },
    reason: { type: "string", description: "why (kept in the event)" },
    ...actorArg,
    ...jsonArg,
  },
  examples: ["rw initiative cancel in-3m8d --reason 'superseded by in-9x2a'"],
  async run({ args }) {
    await runWrite(args, onInitiative(args.id, (id) => decideInitiativeCancel(id, one(args.reason))), (r) => `${r.id}: cancelled`);
  },
});
