import { decideHeartbeat } from "../../domain/decide-lifecycle.ts";
import { onTask } from "../../domain/resolve-id.ts";
import { parseDuration } from "../../format/duration.ts";
import { actorArg, jsonArg, one } from "../args.ts";
import { defineRw } from "../command.ts";
import { runWrite } from "../write.ts";

export default defineRw({
  meta: { name: "heartbeat", description: "Renew your claim's lease on a task" },
  args: {
    id: { type: "positional", description: "task ID", required: true },
    lease: { type: "string", description: "new lease length from now (default from config)" },
    ...actorArg,
    ...jsonArg,
  },
  examples: ["rw heartbeat rw-7k2f --actor agent-2", "rw heartbeat rw-7k2f --lease 1h"],
  async run({ args }) {
    const lease = one(args.lease);
    const opts = lease === undefined ? {} : { leaseMs: parseDuration(lease, "--lease") };
    await runWrite(args, onTask(args.id, (id) => decideHeartbeat(id, opts)), (r) => `${r.id}: lease until ${r.lease_until}`);
  },
});
