import { decideInitiativeComplete } from "../../../domain/decide-initiative.ts";
import { actorArg, jsonArg } from "../../args.ts";
import { defineRw } from "../../command.ts";
import { runWrite } from "../../write.ts";

export default defineRw({
  meta: { name: "complete", description: "Complete an initiative by hand (refused while a phase is unapproved or a task unfinished)" },
  args: { id: { type: "positional", description: "initiative ID", required: true }, ...actorArg, ...jsonArg },
  examples: ["rw initiative complete in-3m8d"],
  async run({ args }) {
    await runWrite(args, decideInitiativeComplete(args.id), (r) => `${r.id}: completed`);
  },
});
