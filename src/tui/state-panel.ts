import { initiativeViews } from "../board/cards.ts";
import type { InitiativeView } from "../board/protocol.ts";
import { readyPage } from "../domain/ready.ts";
import type { State } from "../domain/types.ts";
import type { Store } from "../store/store.ts";

export interface StatePanel {
  tip: string;
  state: State;
  ready: Array<{ id: string; priority: number; title: string }>;
  readyTotal: number;
  initiatives: InitiativeView[];
  /** The project budget minus what agents spent, when a project budget is set. */
  budgetLeft?: number | undefined;
}

/**
 * What the dashboard shows from the state ref: the ready queue, initiative progress, budget
 * left. Re-read only when the tip moved (the store brings its snapshot forward from memory).
 */
export class StateReader {
  private last: StatePanel | undefined;
  private budget: number | undefined | null = null;

  constructor(private readonly store: Store, private readonly now: () => number) {}

  async read(): Promise<StatePanel | undefined> {
    const snap = await this.store.trySnapshot();
    if (!snap) return undefined;
    if (this.last?.tip === snap.tip) return this.last;
    if (this.budget === null) this.budget = await projectBudget(this.store);
    const page = readyPage(snap.state, new Date(this.now()).toISOString(), 8);
    this.last = {
      tip: snap.tip, state: snap.state,
      ready: page.items.map((r) => ({ id: r.task.id, priority: r.task.priority, title: r.task.title })), readyTotal: page.total,
      initiatives: initiativeViews(snap.state),
      budgetLeft: this.budget === undefined ? undefined : this.budget - snap.state.spend.total.cost_usd,
    };
    return this.last;
  }
}

/** `budgets.project_usd` from the agent configuration (zod and the agent layer load only here). */
async function projectBudget(store: Store): Promise<number | undefined> {
  try {
    const { loadAgentConfig } = await import("../agents/load.ts");
    return loadAgentConfig(store).budgets.project_usd;
  } catch {
    return undefined; // an invalid agent config is `rw config check`'s to report, not the dashboard's
  }
}
