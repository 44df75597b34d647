import { decideClaim, decideClaimNext } from "../../domain/decide-lifecycle.ts";
import { onTask } from "../../domain/resolve-id.ts";
import { RwError } from "../../domain/errors.ts";
import { parseDuration } from "../../format/duration.ts";
import { actorArg, jsonArg, one } from "../args.ts";
import { defineRw } from "../command.ts";
import { claimThroughDaemon, daemonServes } from "../daemon-claim.ts";
import { runWrite } from "../write.ts";

const loadRemoteClaims = () => import("../../sync/remote-claims.ts");

export default defineRw({
  meta: { name: "claim", description: "Take a task atomically (exactly one claimer wins)" },
  args: {
    id: { type: "positional", description: "task ID (or use --next)", required: false },
    next: { type: "boolean", description: "claim the best ready task; exit 4 when none is ready" },
    lease: { type: "string", description: "how long the claim lasts without a heartbeat (default from config, 30m)" },
    force: { type: "boolean", description: "take the task even if someone holds it or it is not ready" },
    ...actorArg,
    ...jsonArg,
  },
  examples: ["rw claim rw-7k2f --actor agent-2", "rw claim --next --lease 45m --json", "RW_ACTOR=agent-3 rw claim --next"],
  async run({ args }) {
    const id = one(args.id);
    if ((id === undefined) === !args.next) throw new RwError("usage", "name a task ID or pass --next (not both)");
    const lease = one(args.lease);
    const leaseMs = lease === undefined ? undefined : parseDuration(lease, "--lease");
    const opts = { ...(leaseMs !== undefined ? { leaseMs } : {}), force: Boolean(args.force) };
    const decide = id === undefined ? decideClaimNext(opts) : onTask(id, (rid) => decideClaim(rid, opts));
    let remote: string | undefined;
    await runWrite(args, decide, (r) => {
      const how = r.renewed ? "renewed claim on" : r.takeover_from ? `took over (lease of ${r.takeover_from} expired)` : "claimed";
      return `${how} ${r.id}: ${r.title} (lease until ${r.lease_until})${remote ? `; accepted by ${remote}` : ""}`;
    }, async (store, actor) => {
      if (store.config.sync.claims !== "remote") return undefined;
      // Loaded only in this mode: a local claim stays as light as `rw ready`.
      const claims = await loadRemoteClaims();
      remote = claims.syncRemote(store);
      return claims.remoteClaimHooks(store, actor, remote);
    }, {
      // A running daemon makes the claim in its long-lived store (daemon/claim-protocol.ts).
      available: (store) => store.config.sync.claims !== "remote" && daemonServes(store),
      run: (store, actor) => claimThroughDaemon(store, { ...(id !== undefined ? { id } : {}), next: id === undefined, lease_ms: leaseMs ?? store.config.claims.lease_ms, force: opts.force, actor }),
    });
  },
});
