import type { Snapshot } from "../store/snapshot.ts";
import type { Store } from "../store/store.ts";
import { openStore } from "./args.ts";
import { context, type Context } from "./context.ts";

/** Opens the repository (syncing the mirror first) for a command, and closes it however the command ends. */
export async function withStore<T>(ctx: Context, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(ctx);
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}

/** Opens the repository, loads the state at the tip and hands both to a reading command. */
export async function withSnapshot<T>(fn: (snap: Snapshot, store: Store, ctx: Context) => Promise<T> | T): Promise<T> {
  const ctx = context();
  return withStore(ctx, async (store) => fn(await store.snapshot(), store, ctx));
}

export const nowIso = (ctx: Context): string => ctx.now().toISOString();
