import type { Decider, Decision } from "./decide.ts";
import { decideInitiativeApprove, decideInitiativeNew, decideInitiativeSubmit, decidePhaseAdd } from "./decide-initiative.ts";
import { getInitiative } from "./initiative-lifecycle.ts";
import { decideCreate } from "./decide-task.ts";
import { RwError } from "./errors.ts";
import { applyCopy } from "./fold.ts";
import type { RwEvent, State } from "./types.ts";

/** What the planner role answers for a PRD (`rw plan`): tasks refer to each other by `key`. */
export interface PlanDraft {
  initiative: { title: string; body: string };
  phases: Array<{ title: string }>;
  tasks: PlanTask[];
}

export interface PlanTask {
  key: string;
  title: string;
  body: string;
  priority?: number | undefined;
  type?: string | undefined;
  /** 1-based phase number. */
  phase: number;
  deps?: string[] | undefined;
  gates?: string[] | undefined;
}

/** Every problem with a draft, in words that name the task; empty when it can be written. */
export function planProblems(plan: PlanDraft): string[] {
  const problems: string[] = [];
  if (plan.initiative.title.trim() === "") problems.push("the initiative has no title");
  if (plan.phases.length === 0) problems.push("the plan has no phases");
  if (plan.tasks.length === 0) problems.push("the plan has no tasks");
  const keys = new Map<string, PlanTask>();
  for (const t of plan.tasks) {
    if (keys.has(t.key)) problems.push(`two tasks have the key ${JSON.stringify(t.key)}`);
    keys.set(t.key, t);
    if (t.title.trim() === "" || t.title.includes("\n")) problems.push(`task ${t.key}: the title must be one non-empty line`);
    if (!Number.isInteger(t.phase) || t.phase < 1 || t.phase > plan.phases.length) problems.push(`task ${t.key}: phase ${t.phase} does not exist (the plan has ${plan.phases.length})`);
    if (t.priority !== undefined && (!Number.isInteger(t.priority) || t.priority < 0 || t.priority > 4)) problems.push(`task ${t.key}: priority must be 0-4`);
  }
  for (const t of plan.tasks) {
    for (const d of t.deps ?? []) {
      const dep = keys.get(d);
      if (!dep) problems.push(`task ${t.key}: depends on ${JSON.stringify(d)}, which is not in the plan`);
      else if (dep.phase > t.phase) problems.push(`task ${t.key} (phase ${t.phase}) depends on ${d}, which is in a later phase (${dep.phase})`);
    }
  }
  const cycle = findCycle(plan.tasks);
  if (cycle) problems.push(`dependency cycle: ${cycle.join(" -> ")}`);
  return problems;
}

function findCycle(tasks: PlanTask[]): string[] | undefined {
  const deps = new Map(tasks.map((t) => [t.key, t.deps ?? []]));
  const state = new Map<string, "visiting" | "done">();
  const path: string[] = [];
  const visit = (k: string): string[] | undefined => {
    if (state.get(k) === "done" || !deps.has(k)) return undefined;
    if (state.get(k) === "visiting") return [...path.slice(path.indexOf(k)), k];
    state.set(k, "visiting");
    path.push(k);
    for (const d of deps.get(k)!) {
      const c = visit(d);
      if (c) return c;
    }
    path.pop();
    state.set(k, "done");
    return undefined;
  };
  for (const t of tasks) {
    const c = visit(t.key);
    if (c) return c;
  }
  return undefined;
}

/** Dependencies first, so each task.created names only tasks that already exist. */
function creationOrder(tasks: PlanTask[]): PlanTask[] {
  const byKey = new Map(tasks.map((t) => [t.key, t]));
  const out: PlanTask[] = [];
  const seen = new Set<string>();
  const add = (t: PlanTask): void => {
    if (seen.has(t.key)) return;
    seen.add(t.key);
    for (const d of t.deps ?? []) add(byKey.get(d)!);
    out.push(t);
  };
  tasks.forEach(add);
  return out;
}

export interface PlanResult {
  initiative: string;
  status: string;
  tasks: Array<{ key: string; id: string; title: string; phase: number; deps: string[] }>;
}

/**
 * Writes a validated plan as one transaction: the initiative with its phases (a draft, or
 * submitted and every phase approved with `approve`), then its tasks with dependencies mapped
 * from plan keys to the new IDs.
 */
export const decidePlan = (plan: PlanDraft, opts: { approve: boolean; into?: string | undefined }): Decider<PlanResult> => (state, ctx) => {
  const problems = planProblems(plan);
  if (problems.length > 0) throw new RwError("invalid_input", `the plan is not valid:\n- ${problems.join("\n- ")}`, { data: { problems } });
  const events: RwEvent[] = [];
  let current: State = state;
  const run = <R>(d: Decider<R>): R => {
    const decision: Decision<R> = d(current, ctx);
    events.push(...decision.events);
    current = applyCopy(current, decision.events);
    return decision.result;
  };
  // Into an existing draft (`rw plan --from-initiative`): its title and concept stay; the plan's phases follow any it has.
  const into = opts.into !== undefined ? getInitiative(state, opts.into) : undefined;
  if (into && into.status !== "draft") {
    throw new RwError("wrong_state", `cannot plan into ${into.id}: it is ${into.status}, not a draft`, { hint: "plan a draft initiative (refine it, plan it, then submit it)", data: { id: into.id, status: into.status } });
  }
  const offset = into ? Math.max(0, ...into.phases.map((p) => p.n)) : 0;
  let id: string;
  if (into) {
    id = into.id;
    for (const p of plan.phases) run(decidePhaseAdd(id, p.title.trim()));
  } else {
    id = run(decideInitiativeNew({ title: plan.initiative.title.trim(), body: plan.initiative.body, phases: plan.phases.map((p) => p.title.trim()) })).id;
  }
  const ids = new Map<string, string>();
  const tasks: PlanResult["tasks"] = [];
  for (const t of creationOrder(plan.tasks)) {
    const deps = (t.deps ?? []).map((d) => ids.get(d)!);
    const created = run(decideCreate({
      title: t.title.trim(), body: t.body.endsWith("\n") || t.body === "" ? t.body : `${t.body}\n`, initiative: id, phase: t.phase + offset, deps,
      ...(t.priority !== undefined ? { priority: t.priority } : {}), ...(t.type ? { type: t.type } : {}), ...(t.gates?.length ? { gates: t.gates } : {}),
    }));
    ids.set(t.key, created.id);
    tasks.push({ key: t.key, id: created.id, title: t.title.trim(), phase: t.phase + offset, deps });
  }
  let status = "draft";
  if (opts.approve) {
    run(decideInitiativeSubmit(id));
    for (let n = offset + 1; n <= offset + plan.phases.length; n++) run(decideInitiativeApprove(id, n));
    status = "approved";
  }
  return { events, summary: `plan ${id}: ${into?.title ?? plan.initiative.title.trim()} (${tasks.length} tasks)`, result: { initiative: id, status, tasks } };
};
