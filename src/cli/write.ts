import type { Decider } from "../domain/decide.ts";
import type { Actor, Store } from "../store/store.ts";
import type { TxHooks, TxOutcome } from "../store/transact.ts";
import { openStore, resolveActor } from "./args.ts";
import { context, type Context } from "./context.ts";
import { printJson } from "./output.ts";

/**
 * The shape of every writing command: open the repository, resolve the actor, run one
 * transaction, then print either JSON or a line of text.
 */
export async function runWrite<R>(
  args: { actor?: unknown; json?: unknown },
  decide: Decider<R>,
  text: (result: R, tx: TxOutcome<R>) => string | string[],
  hooks?: (store: Store, actor: Actor) => Promise<TxHooks | undefined>,
  /** Another process that may run the transaction instead (the daemon, for claims): `run` undefined means run it here. */
  served?: { available: (store: Store) => boolean; run: (store: Store, actor: Actor) => Promise<TxOutcome<R> | undefined> },
): Promise<TxOutcome<R>> {
  const ctx: Context = context();
  const store = await openStore(ctx);
  try {
    // Reading git's config (a process) overlaps with loading the state the transaction starts from,
    // unless another process will likely run it (then this one never loads the state).
    const elsewhere = served?.available(store) === true;
    const [actor] = await Promise.all([resolveActor(store, args.actor), elsewhere ? undefined : store.prefetch()]);
    const hooked = await hooks?.(store, actor);
    const tx = (elsewhere && !hooked && (await served.run(store, actor))) || (await store.transact(decide, actor, hooked));
    if (args.json) {
      printJson(ctx, { ...(tx.result as object), commit: tx.commit, events: tx.events.map((e) => ({ id: e.id, type: e.type, task: e.task })) });
    } else {
      const lines = text(tx.result, tx);
      ctx.stdout(`${(Array.isArray(lines) ? lines : [lines]).join("\n")}\n`);
    }
    return tx;
  } finally {
    store.close();
  }
}
