import { decideInitiativeApprove } from "../../../domain/decide-initiative.ts";
import { onInitiative } from "../../../domain/resolve-id.ts";
import { RwError } from "../../../domain/errors.ts";
import { actorArg, int, jsonArg } from "../../args.ts";
import { defineRw } from "../../command.ts";
import { runWrite } from "../../write.ts";

export default defineRw({
  meta: { name: "approve", description: "Approve one phase; its tasks become ready (the first approval approves the initiative)" },
  args: {
    id: { type: "positional", description: "initiative ID", required: true },
    phase: { type: "string", description: "the phase number to approve", valueHint: "N" },
    ...actorArg,
    ...jsonArg,
  },
  examples: ["rw initiative approve in-3m8d --phase 1", "rw initiative approve in-3m8d --phase 2 --json"],
  async run({ args }) {
    const phase = int(args.phase, "--phase");
    if (phase === undefined) throw new RwError("usage", "--phase is required", { hint: "approve one phase at a time: --phase N" });
    await runWrite(args, onInitiative(args.id, (id) => decideInitiativeApprove(id, phase)), (r) => `${r.id}: phase ${r.phase} approved (initiative ${r.status})`);
  },
});
