import type { Spend, Usage } from "./spend.ts";

/**
 * USD per million tokens, per token kind. Cache reads and writes default to the input price
 * when a table entry does not name them (never cheaper than it was billed). `flex` scales the
 * whole price of a call served by the flex tier (OpenAI: half price).
 */
export interface Price { input: number; output: number; cache_read?: number | undefined; cache_write?: number | undefined; flex?: number | undefined }

/** The tokens of a call by kind: `input` is all input; the cache counts are parts of it. */
export interface TokenCounts { input: number; output: number; cache_read?: number | undefined; cache_write?: number | undefined; service_tier?: string | undefined }

/** Budget limits in USD; undefined means unlimited. */
export interface BudgetLimits {
  task_usd?: number | undefined;
  project_usd?: number | undefined;
  roles: Record<string, number | undefined>;
}

export interface BudgetBlock {
  scope: "task" | "role" | "project";
  /** The task ID, role name or "project". */
  key: string;
  limit_usd: number;
  spent_usd: number;
  projected_usd: number;
}

/**
 * Cost of a call at a price, each token kind at its own rate; 0 when the model has no price
 * (reported by `rw config check`). Also takes (input, output) for the worst-case estimate.
 */
export function costOf(price: Price | undefined, tokens: TokenCounts | number, output = 0): number {
  if (!price) return 0;
  const t: TokenCounts = typeof tokens === "number" ? { input: tokens, output } : tokens;
  const read = Math.max(0, t.cache_read ?? 0);
  const write = Math.max(0, t.cache_write ?? 0);
  const plain = Math.max(0, t.input - read - write);
  const usd = plain * price.input + read * (price.cache_read ?? price.input) + write * (price.cache_write ?? price.input) + t.output * price.output;
  const tier = t.service_tier === "flex" ? (price.flex ?? 1) : 1;
  return Math.round(((usd * tier) / 1e6) * 1e6) / 1e6;
}

/** A rough token count for text: ~4 characters per token for English and code. */
export function estimateTokens(chars: number): number {
  return Math.ceil(chars / 4);
}

const spent = (u: Usage | undefined): number => u?.cost_usd ?? 0;

/**
 * Would a call projected to cost `projected` exceed a budget? The first limit it breaks, in
 * task, role, project order (the narrowest scope names the most useful fix), or null.
 * `extra` is spend not yet folded into `spend` (this session's calls still in flight).
 */
export function checkBudget(spend: Spend, limits: BudgetLimits, call: { role: string; task?: string | undefined; projected_usd: number }, extra = 0): BudgetBlock | null {
  const p = call.projected_usd;
  const over = (limit: number | undefined, used: number): limit is number => limit !== undefined && used + extra + p > limit;
  if (call.task !== undefined) {
    const used = spent(spend.by_task[call.task]);
    if (over(limits.task_usd, used)) return { scope: "task", key: call.task, limit_usd: limits.task_usd, spent_usd: used + extra, projected_usd: p };
  }
  const roleLimit = limits.roles[call.role];
  const roleUsed = spent(spend.by_role[call.role]);
  if (over(roleLimit, roleUsed)) return { scope: "role", key: call.role, limit_usd: roleLimit, spent_usd: roleUsed + extra, projected_usd: p };
  const total = spend.total.cost_usd;
  if (over(limits.project_usd, total)) return { scope: "project", key: "project", limit_usd: limits.project_usd, spent_usd: total + extra, projected_usd: p };
  return null;
}
