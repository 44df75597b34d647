import { decideNote } from "../../domain/decide-task.ts";
import { onTask } from "../../domain/resolve-id.ts";
import { actorArg, jsonArg } from "../args.ts";
import { defineRw } from "../command.ts";
import { runWrite } from "../write.ts";

export default defineRw({
  meta: { name: "note", description: "Add a note to a task's history" },
  args: {
    id: { type: "positional", description: "task ID", required: true },
    text: { type: "positional", description: "the note", required: true },
    ...actorArg,
    ...jsonArg,
  },
  examples: ['rw note rw-7k2f "token expiry is 15 minutes, see RFC"'],
  async run({ args }) {
    await runWrite(args, onTask(args.id, (id) => decideNote(id, args.text)), (r) => `noted on ${r.id}`);
  },
});
