import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { RwError } from "../domain/errors.ts";
import { getInitiative } from "../domain/initiative-lifecycle.ts";
import { decidePlan, planProblems, type PlanDraft, type PlanResult } from "../domain/plan.ts";
import type { Actor, Store } from "../store/store.ts";
import type { Usage } from "./executor.ts";

/** The planner role, seen from `rw plan`: a PRD in, a structured plan out. */
export interface Planner {
  /** `dryRun`: write nothing at all, not even the planner's agent.usage events. */
  plan(req: { prd: string; file: string; signal?: AbortSignal; dryRun?: boolean }): Promise<{ draft: PlanDraft; usage: Usage }>;
}

export interface PlanOutcome {
  draft: PlanDraft;
  usage: Usage;
  /** Absent on a dry run. */
  written?: PlanResult;
  commit?: string | null;
}

/**
 * `rw plan`: read the PRD, ask the planner, validate (no cycles, every dependency and phase
 * resolves) before anything is written, then write initiative, phases and tasks as ONE
 * transaction, so a plan is either all there or not at all.
 */
export async function planFromPrd(store: Store, planner: Planner, opts: { file: string; cwd: string; dryRun: boolean; approve: boolean; actor: Actor; signal?: AbortSignal }): Promise<PlanOutcome> {
  const path = resolve(opts.cwd, opts.file);
  let prd: string;
  try {
    prd = await readFile(path, "utf8");
  } catch (err) {
    throw new RwError("invalid_input", `cannot read ${opts.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { hint: "name a Markdown file with the product requirements" });
  }
  if (prd.trim() === "") throw new RwError("invalid_input", `${opts.file} is empty`, { hint: "write the requirements first" });
  await store.snapshot(); // refuse early when rw is not initialised, before paying for a model call
  const { draft, usage } = await planner.plan({ prd, file: opts.file, dryRun: opts.dryRun, ...(opts.signal ? { signal: opts.signal } : {}) });
  const problems = planProblems(draft);
  if (problems.length > 0) {
    throw new RwError("invalid_input", `the planner's plan for ${opts.file} is not valid, nothing was written:\n- ${problems.join("\n- ")}`, {
      hint: "run `rw plan` again, or make the PRD more explicit about the order of the work", data: { problems },
    });
  }
  if (opts.dryRun) return { draft, usage };
  const tx = await store.transact(decidePlan(draft, { approve: opts.approve }), opts.actor);
  return { draft, usage, written: tx.result, commit: tx.commit };
}

/**
 * `rw plan --from-initiative ID`: the planner drafts phases and tasks from a draft initiative's
 * (refined) concept and its decisions; they are added to that initiative in one transaction.
 */
export async function planFromInitiative(store: Store, planner: Planner, opts: { id: string; dryRun: boolean; approve: boolean; actor: Actor; signal?: AbortSignal }): Promise<PlanOutcome> {
  const state = (await store.snapshot()).state;
  const i = getInitiative(state, opts.id);
  if (i.status !== "draft") throw new RwError("wrong_state", `cannot plan into ${i.id}: it is ${i.status}, not a draft`, { hint: "plan a draft initiative (refine it, plan it, then submit it)" });
  if (i.body.trim() === "") throw new RwError("invalid_input", `${i.id} has no concept to plan from`, { hint: `write one: rw initiative edit ${i.id} --body-file concept.md (or rw initiative refine ${i.id})` });
  const decisions = state.decisions.filter((d) => d.initiative === i.id).map((d) => `- ${d.text}${d.why ? ` (${d.why})` : ""}`);
  const existing = i.phases.map((p) => `- phase ${p.n}: ${p.title} (already planned; add only what comes after it)`);
  const prd = [`# ${i.title}`, "", i.body.trim(), ...(decisions.length ? ["", "## Decisions", ...decisions] : []), ...(existing.length ? ["", "## Existing phases", ...existing] : [])].join("\n");
  const { draft, usage } = await planner.plan({ prd, file: i.id, ...(opts.signal ? { signal: opts.signal } : {}) });
  const problems = planProblems(draft);
  if (problems.length > 0) {
    throw new RwError("invalid_input", `the planner's plan for ${i.id} is not valid, nothing was written:\n- ${problems.join("\n- ")}`, { data: { problems } });
  }
  if (opts.dryRun) return { draft, usage };
  const tx = await store.transact(decidePlan(draft, { approve: opts.approve, into: i.id }), opts.actor);
  return { draft, usage, written: tx.result, commit: tx.commit };
}
