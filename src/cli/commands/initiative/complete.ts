import { decideInitiativeComplete } from "../../../domain/decide-initiative.ts";
import { onInitiative } from "../../../domain/resolve-id.ts";
import { actorArg, jsonArg } from "../../args.ts";
import { defineRw } from "../../command.ts";
import { runWrite } from "../../write.ts";

export default defineRw({
  meta: { name: "complete", description: "Complete an initiative by hand (refused while a phase is unapproved or a task unfinished)" },
  args: { id: { type: "positional", description: "initiative ID", required: true }, ...actorArg, ...jsonArg },
  examples: ["rw initiative complete in-3m8d"],
  async run({ args }) {
    await runWrite(args, onInitiative(args.id, decideInitiativeComplete), (r) => `${r.id}: completed`);
  },
});
