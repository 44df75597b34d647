import { decideRecordDecision } from "../../domain/decide-initiative.ts";
import { actorArg, jsonArg, one } from "../args.ts";
import { defineRw } from "../command.ts";
import { runWrite } from "../write.ts";

export default defineRw({
  meta: { name: "decide", description: "Record a decision (shown in STATE.md and `rw decisions`)" },
  args: {
    text: { type: "positional", description: "the decision, one sentence", required: true },
    why: { type: "string", description: "the reason behind it" },
    initiative: { type: "string", description: "the initiative it belongs to" },
    task: { type: "string", description: "the task it belongs to" },
    ...actorArg,
    ...jsonArg,
  },
  examples: ['rw decide "Use JWT, not sessions" --initiative in-3m8d --why "stateless API servers"', 'rw decide "Keep bcrypt cost at 12" --task rw-7k2f'],
  async run({ args }) {
    const why = one(args.why);
    const initiative = one(args.initiative);
    const task = one(args.task);
    await runWrite(
      args,
      decideRecordDecision({ text: args.text, ...(why !== undefined ? { why } : {}), ...(initiative !== undefined ? { initiative } : {}), ...(task !== undefined ? { task } : {}) }),
      (r) => `recorded decision ${r.id}`,
    );
  },
});
