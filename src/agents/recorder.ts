import { checkBudget, costOf, type BudgetBlock } from "../domain/budget.ts";
import { decideAgentTurn, decideBudgetGate, type CallUsage, type ToolCallRecord } from "../domain/decide-agent.ts";
import { addCost, emptySpend } from "../domain/spend.ts";
import type { Actor, Store } from "../store/store.ts";
import { priceOf, type AgentConfig } from "./config.ts";
import type { ProviderSettings, Role, TokenUsage } from "./types.ts";

export interface RecorderOptions {
  /** Without a store (dry runs, library use) nothing is written and budgets count this session only. */
  store?: Store | undefined;
  actor: Actor;
  session: string;
  role: Role;
  task?: string | undefined;
  config: AgentConfig;
}

/**
 * A session's link to the log: checks budgets before each model call and records each turn
 * (usage + tool calls) as one transaction through Store.transact, the one write path.
 */
export class SessionRecorder {
  readonly totals = { input_tokens: 0, output_tokens: 0, cost_usd: 0 };

  constructor(private readonly opts: RecorderOptions) {}

  private costOf(model: string, input: number, output: number): number {
    return costOf(priceOf(this.opts.config, model), input, output);
  }

  /**
   * One call's usage as recorded: priced per token kind under the configured model name (so
   * budgets and `rw budget` use one key per model), unless the provider reported its own cost
   * (a CLI agent). The account that ran it (by name) when the role rotates accounts.
   */
  usage(s: ProviderSettings, u: TokenUsage & { cost_usd?: number | undefined }, account?: string): CallUsage {
    const read = u.cache_read_tokens ?? 0;
    const write = u.cache_write_tokens ?? 0;
    const cost = u.cost_usd ?? costOf(priceOf(this.opts.config, s.model), { input: u.input_tokens, output: u.output_tokens, cache_read: read, cache_write: write, service_tier: u.service_tier });
    return {
      provider: s.provider, model: s.model, input_tokens: u.input_tokens, output_tokens: u.output_tokens,
      ...(read > 0 ? { cache_read_tokens: read } : {}), ...(write > 0 ? { cache_write_tokens: write } : {}),
      ...(u.service_tier ? { service_tier: u.service_tier } : {}), ...(account ? { account } : {}),
      cost_usd: cost,
    };
  }

  /**
   * Refuses a call whose worst case (estimated input + max_tokens of output) would exceed the
   * task, role or project budget; the refusal is recorded as `budget.blocked`.
   */
  async gate(model: string, estimatedInput: number, maxOutput: number): Promise<BudgetBlock | null> {
    const projected = this.costOf(model, estimatedInput, maxOutput);
    const { store, config, role, task, session, actor } = this.opts;
    if (!store) {
      return checkBudget(emptySpend(), config.budgets, { role, task, projected_usd: projected }, this.totals.cost_usd);
    }
    const tx = await store.transact(decideBudgetGate({ session, role, task, model, limits: config.budgets, projected_usd: projected, estimated_input_tokens: estimatedInput }), actor);
    return tx.result.blocked;
  }

  async record(turn: number, usage: CallUsage | undefined, tools: ToolCallRecord[]): Promise<void> {
    if (usage) {
      this.totals.input_tokens += usage.input_tokens;
      this.totals.output_tokens += usage.output_tokens;
      this.totals.cost_usd = addCost(this.totals.cost_usd, usage.cost_usd);
    }
    const { store, role, task, session, actor } = this.opts;
    if (!store || (!usage && tools.length === 0)) return;
    await store.transact(decideAgentTurn({ session, role, task, turn, usage, tools }), actor);
  }
}
