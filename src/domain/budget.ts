import type { Spend, Usage } from "./spend.ts";

/** USD per million tokens. */
export interface Price { input: number; output: number }

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

/** Cost of a number of tokens at a price; 0 when the model has no price (reported by `rw config check`). */
export function costOf(price: Price | undefined, input: number, output: number): number {
  if (!price) return 0;
  return Math.round(((input * price.input + output * price.output) / 1e6) * 1e6) / 1e6;
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
