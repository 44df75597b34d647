import { RwError } from "./errors.ts";
import { assertValidId } from "./ids.ts";
import { isClosed, type Initiative, type InitiativeStatus, type State, type Task, lookup, recordValues } from "./types.ts";
import { byAge } from "./order.ts";

/** What can be done to an initiative. `start`, `complete` and `reopen` are usually derived from its tasks. */
export const INITIATIVE_ACTIONS = ["submit", "approve", "start", "complete", "reopen", "cancel", "add_phase"] as const;
export type InitiativeAction = (typeof INITIATIVE_ACTIONS)[number];

/**
 * The lifecycle (DESIGN §7) as a table: the statuses each action is allowed from. Everything
 * else is refused with the message from `refusal`. draft -> review -> approved -> in_progress ->
 * completed, or cancelled from any unfinished status; a completed initiative is reopened when a
 * task of it is reopened.
 */
export const ALLOWED_FROM: Record<InitiativeAction, readonly InitiativeStatus[]> = {
  submit: ["draft"],
  approve: ["review", "approved", "in_progress"],
  start: ["approved"],
  complete: ["approved", "in_progress"],
  reopen: ["completed"],
  cancel: ["draft", "review", "approved", "in_progress"],
  add_phase: ["draft", "review", "approved", "in_progress"],
};

/** Where each action leaves the initiative (approve keeps approved / in_progress as they are). */
export function statusAfter(action: InitiativeAction, from: InitiativeStatus): InitiativeStatus {
  switch (action) {
    case "submit": return "review";
    case "approve": return from === "review" ? "approved" : from;
    case "start": return "in_progress";
    case "complete": return "completed";
    case "reopen": return "in_progress";
    case "cancel": return "cancelled";
    case "add_phase": return from;
  }
}

export const STATUS_WORDS: Record<InitiativeStatus, string> = {
  draft: "a draft", review: "in review", approved: "approved", in_progress: "in progress", completed: "completed", cancelled: "cancelled",
};

const VERB: Record<InitiativeAction, string> = {
  submit: "submit", approve: "approve a phase of", start: "start", complete: "complete",
  reopen: "reopen", cancel: "cancel", add_phase: "add a phase to",
};

/** Why `action` is not allowed on `i` in its current status, with what to do instead; undefined if allowed. */
export function refusal(i: Initiative, action: InitiativeAction): RwError | undefined {
  if (ALLOWED_FROM[action].includes(i.status)) return undefined;
  const id = i.id;
  const hints: Partial<Record<InitiativeStatus, string>> = {
    draft: action === "approve" ? `submit it for review first: \`rw initiative submit ${id}\`` : undefined,
    review: action === "submit" ? `it is already in review; approve a phase with \`rw initiative approve ${id} --phase N\`` : undefined,
    completed: "it is finished; reopen one of its tasks (`rw reopen ID`) to reopen it",
    cancelled: "a cancelled initiative stays cancelled; create a new one with `rw initiative new`",
  };
  const already = statusAfter(action, i.status) === i.status && action !== "approve" && action !== "add_phase";
  const what = already ? `it is already ${STATUS_WORDS[i.status]}` : `it is ${STATUS_WORDS[i.status]}`;
  return new RwError("wrong_state", `cannot ${VERB[action]} ${id}: ${what}`, {
    hint: hints[i.status] ?? `allowed only when it is ${ALLOWED_FROM[action].join(" or ")}`,
    data: { id, status: i.status, action },
  });
}

export function assertAllowed(i: Initiative, action: InitiativeAction): void {
  const err = refusal(i, action);
  if (err) throw err;
}

export function getInitiative(state: State, id: string): Initiative {
  assertValidId(id, "initiative ID");
  const i = lookup(state.initiatives, id);
  if (!i) {
    throw new RwError("not_found", `initiative ${id} not found`, { hint: "run `rw initiative list` to see every initiative", data: { id } });
  }
  return i;
}

export function getPhase(i: Initiative, n: number): Initiative["phases"][number] {
  const phase = i.phases.find((p) => p.n === n);
  if (!phase) {
    const known = i.phases.map((p) => p.n).join(", ");
    throw new RwError("not_found", `${i.id} has no phase ${n}`, {
      hint: known ? `its phases: ${known}` : `it has no phases yet: add one with \`rw initiative phase add ${i.id} "Title"\``,
      data: { id: i.id, phase: n },
    });
  }
  return phase;
}

/** Tasks linked to an initiative (and, when given, one phase of it), in a stable order. */
export function tasksOf(state: State, id: string, phase?: number): Task[] {
  return recordValues(state.tasks)
    .filter((t) => t.initiative === id && (phase === undefined || t.phase === phase))
    .sort(byAge);
}

/** Completing by hand is refused while work is left: unapproved phases or unfinished tasks. */
export function completionBlockers(state: State, i: Initiative): string[] {
  const out: string[] = [];
  for (const p of i.phases) if (p.status === "planned") out.push(`phase ${p.n} is not approved`);
  const open = tasksOf(state, i.id).filter((t) => !isClosed(t.status));
  if (open.length > 0) out.push(`${open.length} task${open.length === 1 ? " is" : "s are"} not done: ${open.slice(0, 5).map((t) => t.id).join(", ")}${open.length > 5 ? ", ..." : ""}`);
  return out;
}

/** Checks a task's link to an initiative and phase (rw create / rw edit / hand edits). */
export function checkInitiativeLink(state: State, initiative: string | undefined, phase: number | undefined): void {
  if (initiative === undefined) {
    if (phase !== undefined) throw new RwError("usage", "--phase needs --initiative", { hint: "name the initiative the phase belongs to" });
    return;
  }
  const i = getInitiative(state, initiative);
  if (i.status === "cancelled") throw new RwError("wrong_state", `initiative ${i.id} is cancelled: it takes no new tasks`);
  if (phase !== undefined) {
    if (!Number.isInteger(phase) || phase < 1) throw new RwError("usage", `phase must be a whole number from 1, got ${String(phase)}`);
    getPhase(i, phase);
  }
}

export interface PhaseProgress {
  n: number;
  title: string;
  status: string;
  done: number;
  total: number;
  tasks: Task[];
}

/** Each phase with its tasks and how many are finished (cancelled tasks count as finished, not as done work). */
export function phaseProgress(state: State, i: Initiative): { phases: PhaseProgress[]; unphased: Task[] } {
  const all = tasksOf(state, i.id);
  const phases = i.phases.map((p) => {
    const tasks = all.filter((t) => t.phase === p.n);
    return { n: p.n, title: p.title, status: p.status, done: tasks.filter((t) => isClosed(t.status)).length, total: tasks.length, tasks };
  });
  const known = new Set(i.phases.map((p) => p.n));
  return { phases, unphased: all.filter((t) => t.phase === undefined || !known.has(t.phase)) };
}

/** A fixed-width text progress bar, `[#####-----]`, the same in the CLI and STATE.md. */
export function progressBar(done: number, total: number, width = 10): string {
  const filled = total === 0 ? 0 : Math.round((done / total) * width);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total}`;
}
