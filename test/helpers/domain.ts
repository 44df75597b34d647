import type { DecideContext, Decider } from "../../src/domain/decide.ts";
import { settle } from "../../src/domain/settle.ts";
import { emptyState, type RwEvent, type State } from "../../src/domain/types.ts";

/**
 * Runs pure decisions the way `Store.transact` does (decide, then settle), with a deterministic
 * clock, event IDs and random bytes, so domain tests need no repository.
 */
export class DomainWorld {
  state: State = emptyState();
  log: RwEvent[] = [];
  private clock = Date.parse("2026-11-21T09:00:00.000Z");
  private seq = 0;
  private seed = 1;

  ctx(actor = "alice"): DecideContext {
    this.clock += 1000;
    const now = new Date(this.clock).toISOString();
    return {
      actor,
      now,
      nextEventId: () => `01TEST${String(++this.seq).padStart(20, "0")}`,
      randomBytes: (n) => Uint8Array.from({ length: n }, () => (this.seed = (this.seed * 1103515245 + 12345) % 2 ** 31) & 0xff),
      config: { prefix: "rw", leaseMs: 30 * 60_000, maxRetries: 3 },
    };
  }

  /** Applies a decision and returns it; throws what the decider throws (the state is then unchanged). */
  run<R>(decide: Decider<R>, actor = "alice"): { result: R; events: RwEvent[] } {
    const { decision, state } = settle(decide, this.state, this.ctx(actor));
    this.state = state;
    this.log.push(...decision.events);
    return { result: decision.result, events: decision.events };
  }

  types(events: RwEvent[]): string[] {
    return events.map((e) => e.type);
  }

  get now(): string {
    return new Date(this.clock).toISOString();
  }
}
