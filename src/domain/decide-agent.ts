import { checkBudget, type BudgetBlock, type BudgetLimits } from "./budget.ts";
import { makeEvent, type Decider } from "./decide.ts";
import type { RwEvent } from "./types.ts";

/** One tool call as it goes into the log: already summarised and redacted by the agent layer. */
export interface ToolCallRecord {
  tool: string;
  args: string;
  result: string;
  ok: boolean;
}

/** One model call's actual usage. */
export interface CallUsage {
  provider: string;
  model: string;
  /** All input tokens; the cache counts are the parts of them read from / written to a prompt cache. */
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens?: number;
  cache_write_tokens?: number;
  service_tier?: string;
  /** The CLI account (by name, never a token) that ran the call. */
  account?: string;
  cost_usd: number;
}

/** What one agent turn leaves in the log: its model usage (if any) and the tool calls it made. */
export interface TurnRecord {
  session: string;
  role: string;
  task?: string | undefined;
  turn: number;
  usage?: CallUsage | undefined;
  tools: ToolCallRecord[];
}

/**
 * One turn = one commit: `agent.usage` then one `agent.tool_called` per call. Batching per turn
 * keeps a 40-turn session at 40 commits, not hundreds.
 */
export const decideAgentTurn = (rec: TurnRecord): Decider<{ events: number }> => (_state, ctx) => {
  const events: RwEvent[] = [];
  const base = { session: rec.session, role: rec.role, turn: rec.turn };
  if (rec.usage) events.push(makeEvent(ctx, "agent.usage", rec.task, { ...base, ...rec.usage }));
  for (const t of rec.tools) {
    events.push(makeEvent(ctx, "agent.tool_called", rec.task, { ...base, tool: t.tool, args: t.args, result: t.result, ok: t.ok }));
  }
  const what = rec.tools.length > 0 ? rec.tools.map((t) => t.tool).join(", ") : "model call";
  return { events, summary: `agent ${rec.role}${rec.task ? ` ${rec.task}` : ""} turn ${rec.turn}: ${what}`, result: { events: events.length } };
};

export interface BudgetGate {
  session: string;
  role: string;
  task?: string | undefined;
  model: string;
  limits: BudgetLimits;
  projected_usd: number;
  estimated_input_tokens: number;
  /** This session's spend that the log does not hold yet. */
  pending_usd?: number;
}

/**
 * Checks a projected call against the budgets on the current state. When it would exceed one,
 * the refusal itself is recorded (`budget.blocked`) so `rw budget` and the history show why
 * work stopped; otherwise nothing is written.
 */
export const decideBudgetGate = (gate: BudgetGate): Decider<{ blocked: BudgetBlock | null }> => (state, ctx) => {
  const blocked = checkBudget(state.spend, gate.limits, { role: gate.role, task: gate.task, projected_usd: gate.projected_usd }, gate.pending_usd ?? 0);
  if (!blocked) return { events: [], summary: "", result: { blocked: null } };
  const e = makeEvent(ctx, "budget.blocked", gate.task, {
    session: gate.session, role: gate.role, model: gate.model, scope: blocked.scope, key: blocked.key,
    limit_usd: blocked.limit_usd, spent_usd: blocked.spent_usd, projected_usd: blocked.projected_usd,
    estimated_input_tokens: gate.estimated_input_tokens,
  });
  return { events: [e], summary: `budget blocked ${gate.role}${gate.task ? ` ${gate.task}` : ""}: ${blocked.scope} limit $${blocked.limit_usd}`, result: { blocked } };
};
