import { expect } from "vitest";
import type { DecideConfig, DecideContext, Decider, Decision } from "../../src/domain/decide.ts";
import { RwError, type ErrorCode } from "../../src/domain/errors.ts";
import { settle } from "../../src/domain/settle.ts";
import { emptyState, type RwEvent, type State, type Task } from "../../src/domain/types.ts";

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

/** The fixed start of every deterministic world: no test reads the real clock. */
export const T0 = "2026-11-21T10:00:00.000Z";
export const MIN = 60_000;

export const at = (ms: number, from = T0): string => new Date(Date.parse(from) + ms).toISOString();

/**
 * A deterministic little world for decide/fold tests: a fixed clock that only moves when told,
 * counter-based event IDs and a counter-based stream of "random" bytes. `run` applies a
 * decision's events like the store would, so a test can build state through the real deciders.
 */
export class World {
  state: State = emptyState();
  log: RwEvent[] = [];
  clock = Date.parse(T0);
  config: DecideConfig = { prefix: "rw", leaseMs: 30 * MIN, maxRetries: 3 };
  private eventNo = 0;
  private byteNo = 0;
  /** When set, every randomBytes() call returns these bytes (to force ID collisions). */
  fixedBytes: Uint8Array | undefined;

  get now(): string {
    return new Date(this.clock).toISOString();
  }

  tick(ms: number): this {
    this.clock += ms;
    return this;
  }

  ctx(actor = "alice"): DecideContext {
    return {
      actor,
      now: this.now,
      nextEventId: () => `01TEST${String(++this.eventNo).padStart(20, "0")}`,
      randomBytes: (n) => this.fixedBytes ?? Uint8Array.from({ length: n }, () => (++this.byteNo * 37) & 0xff),
      config: this.config,
    };
  }

  /** Decides without applying (the state must not change). */
  decide<R>(decider: Decider<R>, actor = "alice"): Decision<R> {
    const before = JSON.stringify(this.state);
    const d = decider(this.state, this.ctx(actor));
    expect(JSON.stringify(this.state), "decide must not mutate the state").toBe(before);
    return d;
  }

  /** Decides like Store.transact (decide, then settle), applies the events, and moves the clock on by one second. */
  run<R>(decider: Decider<R>, actor = "alice"): Decision<R> {
    const before = JSON.stringify(this.state);
    const { decision, state } = settle(decider, this.state, this.ctx(actor));
    expect(JSON.stringify(this.state), "decide must not mutate the state").toBe(before);
    this.state = state;
    this.log.push(...decision.events);
    this.tick(1000);
    return decision;
  }

  /** Expects `decider` to be refused with this RwError code, leaving the state as it was. */
  refuse<R>(decider: Decider<R>, code: ErrorCode, message?: string | RegExp, actor = "alice"): RwError {
    const before = JSON.stringify(this.state);
    let caught: unknown;
    try {
      decider(this.state, this.ctx(actor));
    } catch (err) {
      caught = err;
    }
    expect(caught, "expected the decision to be refused").toBeInstanceOf(RwError);
    const err = caught as RwError;
    expect(err.code, err.message).toBe(code);
    if (message !== undefined) expect(err.message).toMatch(message);
    expect(JSON.stringify(this.state)).toBe(before);
    return err;
  }

  task(id: string): Task {
    const t = this.state.tasks[id];
    if (!t) throw new Error(`no task ${id} in the test world`);
    return t;
  }
}

/** Strips the parts of events that vary by counter, for compact expectations. */
export const shape = (events: RwEvent[]): Array<Pick<RwEvent, "type" | "task" | "actor" | "data">> =>
  events.map((e) => ({ type: e.type, task: e.task, actor: e.actor, data: e.data }));
