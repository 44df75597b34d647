import type { Decider } from "../domain/decide.ts";
import { configSecrets, redactDeep, secretValues } from "../format/secrets.ts";
import type { Store } from "./store.ts";

/** The secrets this store's process knows: secret-named environment values and the keys config.toml holds or names. */
export function storeSecrets(store: Pick<Store, "ctx" | "config">): string[] {
  return [...new Set([...secretValues(store.ctx.env), ...configSecrets(store.config.raw, store.ctx.env)])];
}

/**
 * The one redaction pass on the write path: every string of every event a decider emits (a
 * summary, a gate's output tail, a provider's error body) loses known secret values and key
 * shapes before it is folded or written, whatever command or agent produced it.
 */
export function redactingDecider<R>(decide: Decider<R>, secrets: readonly string[]): Decider<R> {
  return (state, ctx) => {
    const d = decide(state, ctx);
    if (d.events.length === 0) return d;
    const events = d.events.map((e) => redactDeep(e, secrets));
    return { ...d, events, summary: redactDeep(d.summary, secrets) };
  };
}
