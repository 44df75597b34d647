import { emptySpend, type Spend } from "./spend.ts";
import { forkLazy, lazyKeys, lazyValues } from "./lazy-record.ts";

/** Task lifecycle states (DESIGN §4). Waiting on dependencies is derived, never stored. */
/** `review`: passed gates and the verifier, waiting for a person (`rw review`, execution.review = "human"). */
export const STATUSES = ["open", "in_progress", "review", "blocked", "done", "cancelled"] as const;
export type Status = (typeof STATUSES)[number];

export interface Task {
  id: string;
  title: string;
  status: Status;
  priority: number;
  type: string;
  labels: string[];
  deps: string[];
  parent?: string;
  initiative?: string;
  phase?: number;
  assignee?: string;
  lease_until?: string;
  defer_until?: string;
  gates: string[];
  created_at: string;
  updated_at: string;
  /** Markdown body, kept verbatim. */
  body: string;
  /** Derived bookkeeping, not written to the task file's frontmatter. */
  retry_count: number;
  blocked_reason?: string;
  /** When the current claim started (a renewal keeps it): "since" in STATE.md. */
  claimed_at?: string;
  notes: TaskNote[];
}

export interface TaskNote {
  ts: string;
  actor: string;
  text: string;
}

/** One line of the event log (DESIGN §3). Keys are serialised in this order. */
export interface RwEvent {
  v: 1;
  id: string;
  ts: string;
  actor: string;
  type: string;
  task?: string;
  initiative?: string;
  data: Record<string, unknown>;
}

/** Initiative lifecycle (DESIGN §7): draft -> review -> approved -> in_progress -> completed, or cancelled. */
export const INITIATIVE_STATUSES = ["draft", "review", "approved", "in_progress", "completed", "cancelled"] as const;
export type InitiativeStatus = (typeof INITIATIVE_STATUSES)[number];

/** A phase is planned until a human approves it (rolling approval), done when its tasks are. */
export const PHASE_STATUSES = ["planned", "approved", "done"] as const;
export type PhaseStatus = (typeof PHASE_STATUSES)[number];

export interface Phase {
  n: number;
  title: string;
  status: PhaseStatus;
  /** Commands that show the phase's goals hold ("observable truths"), run by goal-backward verification. */
  verify?: string[];
  /** The latest goal-backward verification of the phase (`phase.verified`). */
  verification?: PhaseVerification;
}

/** What the last `phase.verified` said; `round` counts remediation rounds in a row (the bound's counter). */
export interface PhaseVerification {
  verdict: "passed" | "gaps" | "blocked";
  at: string;
  /** The `phase.verified` event's ID: remediation tasks name it. */
  event: string;
  round: number;
  gaps: number;
  /** The tasks the verdict created (remediations, or the one blocked task for a person). */
  tasks: string[];
  /** The phase reopened since: it is verified again once it is done. */
  stale?: boolean;
  /** Verify commands the verifier proposed (recorded, never run) that the phase does not have yet. */
  proposed_verify?: string[];
}

/** An initiative's own integration branch: its tasks land there; it lands on the main integration branch when done. */
export interface InitiativeBranch {
  name: string;
  /** Commits it is ahead of the main integration branch, as of the last landing or merge rw recorded. */
  ahead?: number;
  base?: string;
  merged?: { into: string; commit: string; at: string };
  shipped?: { remote: string; at: string; pr?: string };
}

export interface Initiative {
  id: string;
  title: string;
  status: InitiativeStatus;
  phases: Phase[];
  created_at: string;
  updated_at: string;
  /** The concept document, kept verbatim. */
  body: string;
  /** The architect's latest round of questions (`rw initiative refine`); not written to the file. */
  refinement?: { round: number; questions: string[]; at: string };
  /** Set by `rw initiative new --branch` or `integration = "per-initiative"`; not written to the file. */
  branch?: InitiativeBranch;
}

/** A recorded decision (`rw decide`); its ID is the event's ULID. */
export interface DecisionRecord {
  id: string;
  ts: string;
  actor: string;
  text: string;
  why?: string;
  initiative?: string;
  task?: string;
}

/** One agent session, from `session.started` / `session.ended` (the orchestrator emits them). */
export interface Session {
  id: string;
  actor: string;
  tasks: string[];
  started_at: string;
  ended_at?: string;
  /** "completed", "failed", or whatever else the emitter said; absent while running. */
  outcome?: string;
  tokens?: number;
  cost?: number;
  duration_ms?: number;
  /** Task counts a multi-task session (`rw run`) reports. */
  done_count?: number;
  failed_count?: number;
}

/** Everything the event log folds into. Plain data so it can be cached as JSON. */
export interface State {
  tasks: Record<string, Task>;
  initiatives: Record<string, Initiative>;
  /** Oldest first. */
  decisions: DecisionRecord[];
  sessions: Record<string, Session>;
  /** ts of the newest event folded; new events are never older (keeps log order = (ts,id) order). */
  last_ts: string;
  event_count: number;
  /** Tokens and cost of agent model calls (`agent.usage` events), for budgets and `rw budget`. */
  spend: Spend;
}

export function emptyState(): State {
  return { tasks: recordMap(), initiatives: recordMap(), decisions: [], sessions: recordMap(), last_ts: "", event_count: 0, spend: emptySpend() };
}

/**
 * A map keyed by IDs, without a prototype: a task called "constructor" or "toString" is just a
 * key (in a plain object those names answer with Object.prototype's members). Copies of the
 * state's maps are made with this too, never with `{ ...map }`.
 */
export function recordMap<T>(from?: Readonly<Record<string, T>>): Record<string, T> {
  // A lazily decoded record (the index's tasks) stays lazy: a copy must not decode every task.
  return forkLazy(from) ?? Object.assign(Object.create(null) as Record<string, T>, from);
}

/**
 * The records of a map, in Object.values order. NOTE: V8's Object.values is very slow on a big
 * dictionary-mode object (measured at 10,000 tasks: ~45x slower than for-in, which the
 * prototype-free maps make safe: there are no inherited keys). Every scan of state.tasks uses this.
 */
/** The keys of a record (`Object.keys`), listed without a Proxy trap per key on a lazy index (domain/lazy-record.ts). */
export function recordKeys(map: Readonly<Record<string, unknown>>): readonly string[] {
  return lazyKeys(map) ?? Object.keys(map);
}

export function recordValues<T>(map: Readonly<Record<string, T>>): T[] {
  const lazy = lazyValues(map);
  if (lazy) return lazy;
  const out: T[] = [];
  for (const key in map) out.push(map[key]!);
  return out;
}

/** A record by ID, own keys only (defence in depth where a map may have come from elsewhere). */
export function lookup<T>(map: Readonly<Record<string, T>>, id: string): T | undefined {
  return Object.hasOwn(map, id) ? map[id] : undefined;
}

/** Fields a human or command may edit with `task.edited`. */
export const EDITABLE_FIELDS = [
  "title", "priority", "type", "labels", "deps", "parent", "initiative", "phase", "defer_until", "gates", "body",
] as const;
export type EditableField = (typeof EDITABLE_FIELDS)[number];
export type TaskPatch = Partial<Pick<Task, EditableField>>;

export function isClosed(status: Status): boolean {
  return status === "done" || status === "cancelled";
}
