import { decidePhaseAdd } from "../../../domain/decide-initiative.ts";
import { onInitiative } from "../../../domain/resolve-id.ts";
import { actorArg, jsonArg } from "../../args.ts";
import { defineRw } from "../../command.ts";
import { runWrite } from "../../write.ts";

const add = defineRw({
  meta: { name: "add", description: "Add a phase at the end (planned until approved)" },
  args: {
    id: { type: "positional", description: "initiative ID", required: true },
    title: { type: "positional", description: "the phase's title", required: true },
    ...actorArg,
    ...jsonArg,
  },
  examples: ['rw initiative phase add in-3m8d "Migrate sessions"'],
  async run({ args }) {
    await runWrite(args, onInitiative(args.id, (id) => decidePhaseAdd(id, args.title)), (r) => `${r.id}: added phase ${r.phase}`);
  },
});

export default defineRw({
  meta: { name: "phase", description: "Manage an initiative's phases" },
  subCommands: { add },
  examples: ['rw initiative phase add in-3m8d "Migrate sessions"'],
});
