import type { Snapshot } from "../store/snapshot.ts";
import type { Store } from "../store/store.ts";
import { openStore } from "./args.ts";
import { context, type Context } from "./context.ts";

/** Opens the repository, loads the state at the tip and hands both to a reading command. */
export async function withSnapshot<T>(fn: (snap: Snapshot, store: Store, ctx: Context) => Promise<T> | T): Promise<T> {
  const ctx = context();
  const store = await openStore(ctx);
  try {
    return await fn(await store.snapshot(), store, ctx);
  } finally {
    store.close();
  }
}

export const nowIso = (ctx: Context): string => ctx.now().toISOString();
