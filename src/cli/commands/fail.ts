import { decideFail } from "../../domain/decide-lifecycle.ts";
import { onTask } from "../../domain/resolve-id.ts";
import { actorArg, jsonArg, one } from "../args.ts";
import { defineRw } from "../command.ts";
import { runWrite } from "../write.ts";

export default defineRw({
  meta: { name: "fail", description: "Report a failed attempt: back to open, or blocked after max_retries" },
  args: {
    id: { type: "positional", description: "task ID", required: true },
    reason: { type: "string", alias: "r", description: "what went wrong (required)" },
    force: { type: "boolean", description: "fail it without holding the claim" },
    ...actorArg,
    ...jsonArg,
  },
  examples: ["rw fail rw-7k2f --reason 'npm test: 3 failures in auth.spec'"],
  async run({ args }) {
    await runWrite(args, onTask(args.id, (id) => decideFail(id, { reason: one(args.reason) ?? "", force: Boolean(args.force) })), (r) =>
      r.will_retry ? `${r.id} failed (attempt ${r.retry_count}); open again for a retry` : `${r.id} failed ${r.retry_count} times: now blocked`,
    );
  },
});
