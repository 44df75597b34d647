import { checkBudget, costOf, type BudgetBlock } from "../domain/budget.ts";
import { decideAgentTurn, decideBudgetGate, type CallUsage, type ToolCallRecord } from "../domain/decide-agent.ts";
import { emptySpend } from "../domain/spend.ts";
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
   * One call's usage as recorded: priced under the configured model name (so budgets and `rw budget`
   * use one key per model), unless the provider reported its own cost (a CLI agent).
   */
  usage(s: ProviderSettings, u: TokenUsage & { cost_usd?: number | undefined }): CallUsage {
    return { provider: s.provider, model: s.model, input_tokens: u.input_tokens, output_tokens: u.output_tokens, cost_usd: u.cost_usd ?? this.costOf(s.model, u.input_tokens, u.output_tokens) };
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
      this.totals.cost_usd = Math.round((this.totals.cost_usd + usage.cost_usd) * 1e6) / 1e6;
    }
    const { store, role, task, session, actor } = this.opts;
    if (!store || (!usage && tools.length === 0)) return;
    await store.transact(decideAgentTurn({ session, role, task, turn, usage, tools }), actor);
  }
}
