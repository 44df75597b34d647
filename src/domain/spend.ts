import type { RwEvent } from "./types.ts";

/** Tokens and money spent by model calls; folded from `agent.usage` events. */
export interface Usage {
  /** All input tokens, cached or not; cache_read / cache_write are the parts of them priced apart. */
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens?: number;
  cache_write_tokens?: number;
  cost_usd: number;
  calls: number;
}

/** Spend by project (total), role, task and model: what budgets are checked against and `rw budget` shows. */
export interface Spend {
  total: Usage;
  by_role: Record<string, Usage>;
  by_task: Record<string, Usage>;
  by_model: Record<string, Usage>;
}

export const zeroUsage = (): Usage => ({ input_tokens: 0, output_tokens: 0, cost_usd: 0, calls: 0 });

export function emptySpend(): Spend {
  return { total: zeroUsage(), by_role: {}, by_task: {}, by_model: {} };
}

const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) && v > 0 ? v : 0);

/** Money is summed in micro-dollars so replays and forward folds give identical bytes. */
export const addCost = (a: number, b: number): number => Math.round((a + b) * 1e6) / 1e6;

export function addUsage(into: Usage, u: Omit<Usage, "calls"> & { calls?: number }): void {
  into.input_tokens += u.input_tokens;
  into.output_tokens += u.output_tokens;
  // Only present once some call had cache tokens, so logs without them fold to the same bytes as before.
  if (u.cache_read_tokens) into.cache_read_tokens = (into.cache_read_tokens ?? 0) + u.cache_read_tokens;
  if (u.cache_write_tokens) into.cache_write_tokens = (into.cache_write_tokens ?? 0) + u.cache_write_tokens;
  into.cost_usd = addCost(into.cost_usd, u.cost_usd);
  into.calls += u.calls ?? 1;
}

/** Reads the usage an `agent.usage` event carries (data.input_tokens, output_tokens, cost_usd, role, model). */
export function usageOf(e: RwEvent): Usage {
  const u: Usage = { input_tokens: num(e.data.input_tokens), output_tokens: num(e.data.output_tokens), cost_usd: num(e.data.cost_usd), calls: 1 };
  const read = num(e.data.cache_read_tokens);
  const write = num(e.data.cache_write_tokens);
  if (read) u.cache_read_tokens = read;
  if (write) u.cache_write_tokens = write;
  return u;
}

/**
 * Applies one `agent.usage` event in place, like fold's `apply`. Entries are replaced, never
 * mutated, so a caller that copied the three records (`cloneSpend`) shares nothing with a cached state.
 */
export function applyUsage(spend: Spend, e: RwEvent): void {
  const u = usageOf(e);
  const bump = (rec: Record<string, Usage>, key: unknown): void => {
    if (typeof key !== "string" || key === "") return;
    const next = { ...(rec[key] ?? zeroUsage()) };
    addUsage(next, u);
    rec[key] = next;
  };
  const total = { ...spend.total };
  addUsage(total, u);
  spend.total = total;
  bump(spend.by_role, e.data.role);
  bump(spend.by_task, e.task);
  bump(spend.by_model, e.data.model);
}

/** A copy whose records can be written without touching the original (copy-on-write in transactions). */
export function cloneSpend(s: Spend): Spend {
  return { total: { ...s.total }, by_role: { ...s.by_role }, by_task: { ...s.by_task }, by_model: { ...s.by_model } };
}
