import { decideRefineRound, type RefineAnswer, type RefineRoundResult, type UserAnswers } from "../domain/decide-refine.ts";
import { assertRefinable } from "../domain/decide-refine.ts";
import { getInitiative } from "../domain/initiative-lifecycle.ts";
import type { DecisionRecord, Initiative } from "../domain/types.ts";
import type { Actor, Store } from "../store/store.ts";
import type { Usage } from "./executor.ts";

/** The architect role, seen from `rw initiative refine`: a concept and its decisions in, questions and a revised concept out. */
export interface Architect {
  refine(req: { initiative: Initiative; round: number; decisions: DecisionRecord[]; signal?: AbortSignal }): Promise<{ answer: RefineAnswer; usage: Usage }>;
}

export interface RefineOutcome extends RefineRoundResult {
  usage?: Usage;
  commits: string[];
  findings: string[];
}

/**
 * One round of `rw initiative refine`. The user's answers are written first, in their own
 * transaction, so they survive an architect that fails or is interrupted; then the architect
 * reads the concept, the decisions (the answers among them) and the repository, and its
 * questions and revised concept are written as the round. With `ask: false` only the answers
 * are recorded.
 */
export async function refineInitiative(store: Store, architect: Architect, opts: { id: string; answers: UserAnswers; ask: boolean; actor: Actor; signal?: AbortSignal }): Promise<RefineOutcome> {
  const before = await store.snapshot();
  const i = getInitiative(before.state, opts.id);
  assertRefinable(i.status, i.id);
  const commits: string[] = [];
  let result: RefineRoundResult | undefined;
  if (opts.answers.size > 0) {
    const tx = await store.transact(decideRefineRound(opts.id, opts.answers, undefined), opts.actor);
    if (tx.commit) commits.push(tx.commit);
    result = tx.result;
  }
  if (!opts.ask) return { ...(result ?? { id: i.id, round: i.refinement?.round ?? 0, questions: i.refinement?.questions ?? [], concept_changed: false, answers_recorded: 0 }), commits, findings: [] };
  const now = (await store.snapshot()).state;
  const current = getInitiative(now, opts.id);
  const decisions = now.decisions.filter((d) => d.initiative === current.id);
  const round = (current.refinement?.round ?? 0) + 1;
  const { answer, usage } = await architect.refine({ initiative: current, round, decisions, ...(opts.signal ? { signal: opts.signal } : {}) });
  const tx = await store.transact(decideRefineRound(opts.id, new Map(), answer), opts.actor);
  if (tx.commit) commits.push(tx.commit);
  return { ...tx.result, answers_recorded: result?.answers_recorded ?? 0, usage, commits, findings: answer.findings ?? [] };
}
