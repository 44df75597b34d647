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
): Promise<TxOutcome<R>> {
  const ctx: Context = context();
  const store = await openStore(ctx);
  try {
    // Reading git's config (a process) overlaps with loading the state the transaction starts from.
    const [actor] = await Promise.all([resolveActor(store, args.actor), store.prefetch()]);
    const tx = await store.transact(decide, actor, await hooks?.(store, actor));
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
