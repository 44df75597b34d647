import { decideInitiativeSubmit } from "../../../domain/decide-initiative.ts";
import { onInitiative } from "../../../domain/resolve-id.ts";
import { actorArg, jsonArg } from "../../args.ts";
import { defineRw } from "../../command.ts";
import { runWrite } from "../../write.ts";

export default defineRw({
  meta: { name: "submit", description: "Submit a draft initiative for review" },
  args: { id: { type: "positional", description: "initiative ID", required: true }, ...actorArg, ...jsonArg },
  examples: ["rw initiative submit in-3m8d"],
  async run({ args }) {
    await runWrite(args, onInitiative(args.id, decideInitiativeSubmit), (r) => `${r.id}: in review`);
  },
});
