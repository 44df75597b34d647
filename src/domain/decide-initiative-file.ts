import { makeEvent, type DecideContext, type Decider } from "./decide.ts";
import {
  completeEvents, decideInitiativeApprove, decideInitiativeCancel, decideInitiativeEdit, decideInitiativeNew,
  decideInitiativeSubmit, decidePhaseAdd,
} from "./decide-initiative.ts";
import { RwError } from "./errors.ts";
import { applyCopy } from "./fold.ts";
import { assertAllowed, getInitiative, getPhase, tasksOf } from "./initiative-lifecycle.ts";
import { isClosed, type Initiative, type InitiativeStatus, type Phase, type RwEvent, type State, lookup } from "./types.ts";

/** What a (validated) initiative file says; `src/format/initiative-parse.ts` produces it. */
export interface InitiativeFileInput {
  id: string;
  title: string;
  status: InitiativeStatus;
  phases: Phase[];
  body: string;
}

type Step = (state: State, ctx: DecideContext) => RwEvent[];

/** Runs steps one after another, each deciding against the state the previous ones left. */
function chain(state: State, ctx: DecideContext, steps: Step[]): RwEvent[] {
  const events: RwEvent[] = [];
  let s = state;
  for (const step of steps) {
    const more = step(s, ctx);
    if (more.length === 0) continue;
    events.push(...more);
    s = applyCopy(s, more);
  }
  return events;
}

const run = <R>(d: Decider<R>): Step => (s, ctx) => d(s, ctx).events;

function refuse(id: string, message: string, hint: string): never {
  throw new RwError("invalid_input", `${id}: ${message}`, { hint, data: { id } });
}

/** Marking a phase done by hand: refused while a task of it is unfinished. */
const phaseDone = (id: string, n: number): Step => (s, ctx) => {
  const i = getInitiative(s, id);
  const phase = getPhase(i, n);
  if (phase.status === "planned") refuse(id, `phase ${n} cannot be done before it is approved`, `set its status to approved first`);
  const open = tasksOf(s, id, n).filter((t) => !isClosed(t.status));
  if (open.length > 0) refuse(id, `phase ${n} cannot be done: ${open.length} task${open.length === 1 ? " is" : "s are"} not done (${open.map((t) => t.id).slice(0, 5).join(", ")})`, "finish or cancel them; the phase then completes on its own");
  return [makeEvent(ctx, "phase.completed", undefined, { phase: n }, id)];
};

/**
 * Turns a hand-edited initiative file into events against the current state: only what changed.
 * The file's status is the goal; the steps to it go through the same lifecycle table as the CLI
 * (draft -> review -> approved via a phase approval -> in_progress -> completed, or cancelled),
 * so an edit the CLI would refuse is refused here with the same message.
 */
export const decideInitiativeFile = (file: InitiativeFileInput): Decider<{ id: string; changed: number }> => (state, ctx) => {
  const id = file.id;
  const existing = lookup(state.initiatives, id);
  if (!existing) {
    if (file.status !== "draft") refuse(id, `a new initiative starts as a draft, not ${file.status}`, "set status: draft, then submit it (`rw initiative submit`)");
    const approved = file.phases.find((p) => p.status !== "planned");
    if (approved) refuse(id, `phase ${approved.n} of a new initiative cannot be ${approved.status}`, "new phases are planned; approve them after review");
    const numbered = file.phases.every((p, k) => p.n === k + 1);
    if (!numbered) refuse(id, "phases must be numbered 1, 2, 3, ... in order", "renumber the phases");
    const d = decideInitiativeNew({ id, title: file.title, body: file.body, phases: file.phases.map((p) => p.title) })(state, ctx);
    return { events: d.events, summary: d.summary, result: { id, changed: d.events.length } };
  }
  const steps: Step[] = [];
  steps.push(run(decideInitiativeEdit(id, { title: file.title, body: file.body })));
  const known = new Map(existing.phases.map((p) => [p.n, p]));
  for (const p of existing.phases) {
    if (!file.phases.some((q) => q.n === p.n)) refuse(id, `phase ${p.n} (${p.title}) was removed`, "phases cannot be removed; leave it planned, or cancel the initiative");
  }
  const renamed = file.phases.filter((p) => known.has(p.n) && known.get(p.n)!.title !== p.title);
  if (renamed.length > 0) {
    steps.push((s, c) => {
      const i = getInitiative(s, id);
      const phases = i.phases.map((p) => ({ ...p, title: renamed.find((r) => r.n === p.n)?.title ?? p.title }));
      return [makeEvent(c, "initiative.edited", undefined, { phases, prev: { phases: i.phases } }, id)];
    });
  }
  const added = file.phases.filter((p) => !known.has(p.n)).sort((a, b) => a.n - b.n);
  let next = Math.max(0, ...existing.phases.map((p) => p.n)) + 1;
  for (const p of added) {
    if (p.n !== next) refuse(id, `new phase ${p.n} should be number ${next}`, "number new phases after the last one");
    next++;
    steps.push(run(decidePhaseAdd(id, p.title)));
  }
  // The goal status: submit first when the file moves a draft on, then approvals, then the rest.
  const goal = file.status;
  if (existing.status === "draft" && goal !== "draft" && goal !== "cancelled") steps.push(run(decideInitiativeSubmit(id)));
  for (const p of file.phases) {
    const before = known.get(p.n)?.status ?? "planned";
    if (before === p.status) continue;
    if (before === "planned" && p.status === "approved") steps.push(run(decideInitiativeApprove(id, p.n)));
    else if (before === "planned" && p.status === "done") { steps.push(run(decideInitiativeApprove(id, p.n)), phaseDone(id, p.n)); }
    else if (before === "approved" && p.status === "done") steps.push(phaseDone(id, p.n));
    else if (p.status === "planned") refuse(id, `phase ${p.n} is ${before}; an approval cannot be withdrawn`, "leave it, or cancel the initiative");
    else refuse(id, `phase ${p.n} cannot go from done back to ${p.status}`, "reopen one of its tasks (`rw reopen ID`): the phase reopens with it");
  }
  steps.push((s, c) => {
    try {
      return statusSteps(s, c, id, goal);
    } catch (err) {
      // Name the status the file started from, not the one an earlier step (a submit) left.
      if (!(err instanceof RwError) || getInitiative(s, id).status === existing.status) throw err;
      return refuse(id, `it cannot go from ${existing.status} to ${goal}`, err.hint ?? "leave the status as it is");
    }
  });
  const events = chain(state, ctx, steps);
  return { events, summary: `edit initiative ${id}: ${file.title}`, result: { id, changed: events.length } };
};

/** The events that take the initiative from where the earlier steps left it to `goal`. */
function statusSteps(state: State, ctx: DecideContext, id: string, goal: InitiativeStatus): RwEvent[] {
  const i = getInitiative(state, id);
  if (i.status === goal) return [];
  switch (goal) {
    case "cancelled":
      return decideInitiativeCancel(id)(state, ctx).events;
    case "completed":
      return completeEvents(state, i, ctx);
    case "in_progress":
      assertAllowed(i, "start");
      return [makeEvent(ctx, "initiative.started", undefined, {}, id)];
    case "approved":
      if (i.status === "review") refuse(id, "it becomes approved when a phase is approved", "set one phase's status to approved");
      return refuse(id, `it cannot go from ${i.status} back to approved`, "leave the status as it is");
    case "review":
    case "draft":
      return refuse(id, `it cannot go from ${i.status} back to ${goal}`, "leave the status as it is");
  }
}

/**
 * A hand edit merged onto the initiative as it is now (three-way, like task files): what the
 * file changed since its base (the version rw last wrote there) wins; everything else is taken
 * from the current state, so phases approved or completed meanwhile by rw are not undone by a
 * stale copy. Phases the human added keep their place after every existing one.
 */
export function mergeInitiativeEdit(mine: InitiativeFileInput, base: InitiativeFileInput, now: Initiative): InitiativeFileInput {
  const pick = <T>(m: T, b: T, n: T): T => (JSON.stringify(m) === JSON.stringify(b) ? n : m);
  const baseByN = new Map(base.phases.map((p) => [p.n, p]));
  const nowByN = new Map(now.phases.map((p) => [p.n, p]));
  const phases: Phase[] = [];
  const added: Phase[] = [];
  for (const p of mine.phases) {
    const b = baseByN.get(p.n);
    const n = nowByN.get(p.n);
    if (!b) added.push(p);
    else if (!n) phases.push(p); // gone from the state: decideInitiativeFile explains
    else phases.push({ n: p.n, title: pick(p.title, b.title, n.title), status: pick(p.status, b.status, n.status) });
  }
  // Phases added by rw since the base: the human never saw them, so the file cannot remove them.
  for (const n of now.phases) if (!baseByN.has(n.n) && !phases.some((p) => p.n === n.n)) phases.push(n);
  // A number rw took meanwhile goes to the human's new phase's next free number instead.
  for (const p of added.sort((a, b) => a.n - b.n)) {
    const taken = phases.some((q) => q.n === p.n);
    phases.push(taken ? { ...p, n: Math.max(...phases.map((q) => q.n)) + 1 } : p);
  }
  return {
    id: now.id,
    title: pick(mine.title, base.title, now.title),
    status: pick(mine.status, base.status, now.status),
    body: pick(mine.body, base.body, now.body),
    phases: phases.sort((a, b) => a.n - b.n),
  };
}

/** The file rw would write for an initiative, as the input a hand edit is compared with. */
export const initiativeAsFile = (i: Initiative): InitiativeFileInput => ({ id: i.id, title: i.title, status: i.status, phases: i.phases.map((p) => ({ ...p })), body: i.body });
