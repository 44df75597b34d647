import { cloneTouched, STATE_HANDLERS } from "./fold-plan.ts";
import { applyUsage, cloneSpend } from "./spend.ts";
import { emptyState, lookup, recordMap, type RwEvent, type State, type Status, type Task } from "./types.ts";

/**
 * State is a pure function of the event log: fold(events) = apply each event in log order.
 * `apply` mutates the state it is given (the caller owns it) because replaying 100k events by
 * copying would be needlessly slow; `fold` starts from a fresh state, so it stays pure.
 */
export function fold(events: Iterable<RwEvent>, start: State = emptyState()): State {
  for (const e of events) apply(start, e);
  return start;
}

type Handler = (task: Task, e: RwEvent) => void;

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

function setStatus(task: Task, status: Status, opts: { keepAssignee?: boolean } = {}): void {
  task.status = status;
  if (status !== "in_progress") {
    delete task.lease_until;
    delete task.claimed_at;
  }
  if (!opts.keepAssignee && status !== "in_progress") delete task.assignee;
  if (status !== "blocked") delete task.blocked_reason;
}

const TASK_HANDLERS: Record<string, Handler> = {
  "task.edited": (t, e) => {
    for (const [key, value] of Object.entries(e.data)) {
      // "__proto__" from a hand-made event line would replace the task's prototype.
      if (key === "prev" || key === "__proto__") continue;
      const rec = t as unknown as Record<string, unknown>;
      if (value === null || value === undefined) delete rec[key];
      else rec[key] = Array.isArray(value) ? [...(value as unknown[])] : value;
    }
  },
  "task.claimed": (t, e) => {
    // A renewal by the same claimant keeps the original start; anything else starts a new claim.
    if (!(t.status === "in_progress" && t.assignee === e.actor && t.claimed_at !== undefined)) t.claimed_at = e.ts;
    setStatus(t, "in_progress");
    t.assignee = e.actor;
    const lease = str(e.data.lease_until);
    if (lease) t.lease_until = lease;
  },
  "task.heartbeat": (t, e) => {
    const lease = str(e.data.lease_until);
    if (lease) t.lease_until = lease;
  },
  "task.released": (t) => setStatus(t, "open"),
  "task.lease_expired": (t) => setStatus(t, "open"),
  "task.completed": (t) => setStatus(t, "done", { keepAssignee: true }),
  "task.failed": (t, e) => {
    t.retry_count = typeof e.data.retry_count === "number" ? e.data.retry_count : t.retry_count + 1;
    if (e.data.will_retry === false) {
      setStatus(t, "blocked");
      t.blocked_reason = `failed ${t.retry_count} times: ${str(e.data.error) ?? "no reason given"}`;
    } else {
      setStatus(t, "open");
    }
  },
  "task.blocked": (t, e) => {
    setStatus(t, "blocked");
    const reason = str(e.data.reason);
    if (reason !== undefined) t.blocked_reason = reason;
    else delete t.blocked_reason;
  },
  "task.unblocked": (t, e) => {
    setStatus(t, "open");
    // `rw unblock` starts the retry count over; older logs' unblocks kept it.
    if (typeof e.data.retry_count === "number") t.retry_count = e.data.retry_count;
  },
  // rw run: an attempt that passed gates and the verifier waits for a person, its worktree kept.
  "task.review_requested": (t) => setStatus(t, "review", { keepAssignee: true }),
  // A person sent it back (`rw review --reject`), or approving it found it no longer merges.
  "task.review_rejected": (t) => setStatus(t, "open"),
  "task.reopened": (t) => {
    setStatus(t, "open");
    t.retry_count = 0;
  },
  "task.cancelled": (t) => setStatus(t, "cancelled", { keepAssignee: true }),
  "criterion.checked": (t, e) => {
    // The orchestrator found the "[ ]" at this offset; patch only those bytes, the body stays verbatim.
    const at = e.data.offset;
    if (typeof at === "number" && t.body.slice(at, at + 3) === "[ ]") t.body = `${t.body.slice(0, at)}[x]${t.body.slice(at + 3)}`;
  },
  "task.noted": (t, e) => {
    // `at`: an imported note keeps the time it was written in the source tracker.
    t.notes.push({ ts: str(e.data.at) ?? e.ts, actor: e.actor, text: str(e.data.text) ?? "" });
  },
};

/** Applies one event to the state in place. Unknown types are kept in the log but change nothing. */
export function apply(state: State, e: RwEvent): void {
  state.event_count++;
  if (e.ts > state.last_ts) state.last_ts = e.ts;
  if (e.type === "agent.usage") {
    applyUsage(state.spend, e);
    return;
  }
  if (RESOLUTION_TYPES.has(e.type)) {
    applyResolution(state, e);
    return;
  }
  const stateHandler = STATE_HANDLERS[e.type];
  if (stateHandler) {
    stateHandler(state, e);
    return;
  }
  if (e.type === "task.created" && e.task) {
    state.tasks[e.task] = taskFromCreated(e);
    return;
  }
  if (!e.task) return;
  const task = lookup(state.tasks, e.task);
  const handler = TASK_HANDLERS[e.type];
  if (!task || !handler) return;
  handler(task, e);
  task.updated_at = e.ts;
}

/** Events a sync merge derived for a conflict (domain/merge.ts): they carry the resolved fields. */
export const RESOLUTION_TYPES: ReadonlySet<string> = new Set(["task.claim_lost", "task.cancel_kept", "task.renamed"]);

const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** A patched copy, never an in-place change: the task may be shared with a cached snapshot (applyCopy). */
function patchTask(state: State, id: string, patch: unknown): void {
  const task = lookup(state.tasks, id);
  if (!task || typeof patch !== "object" || patch === null) return;
  const rec = copy(task) as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (key === "__proto__") continue;
    if (value === null || value === undefined) delete rec[key];
    else rec[key] = copy(value);
  }
  state.tasks[id] = rec as unknown as Task;
}

function applyResolution(state: State, e: RwEvent): void {
  const d = e.data;
  const created = d.create as Task | undefined;
  if (created && typeof created === "object" && typeof created.id === "string") state.tasks[created.id] = copy(created);
  if (e.task !== undefined) patchTask(state, e.task, d.set);
  if (typeof d.rewrites === "object" && d.rewrites !== null) {
    for (const [id, patch] of Object.entries(d.rewrites as Record<string, unknown>)) patchTask(state, id, patch);
  }
}

/**
 * Applies events to a copy-on-write copy: the given state (possibly a cached snapshot) is left
 * untouched, and only the records the events change are copied.
 */
export function applyCopy(state: State, events: readonly RwEvent[]): State {
  const next: State = { ...state, tasks: recordMap(state.tasks), initiatives: recordMap(state.initiatives), decisions: [...state.decisions], sessions: recordMap(state.sessions) };
  if (events.some((e) => e.type === "agent.usage")) next.spend = cloneSpend(state.spend);
  const copied = new Set<string>();
  for (const e of events) {
    cloneTouched(next, e, copied);
    apply(next, e);
  }
  return next;
}

function taskFromCreated(e: RwEvent): Task {
  const d = e.data;
  const task: Task = {
    id: e.task!,
    title: str(d.title) ?? "(untitled)",
    status: "open",
    priority: typeof d.priority === "number" ? d.priority : 2,
    type: str(d.type) ?? "task",
    labels: Array.isArray(d.labels) ? (d.labels as string[]).slice() : [],
    deps: Array.isArray(d.deps) ? (d.deps as string[]).slice() : [],
    gates: Array.isArray(d.gates) ? (d.gates as string[]).slice() : [],
    // Importers keep the source tracker's creation time; everything else is created "now".
    created_at: str(d.created_at) ?? e.ts,
    updated_at: e.ts,
    body: typeof d.body === "string" ? d.body : "",
    retry_count: 0,
    notes: [],
  };
  const parent = str(d.parent);
  if (parent) task.parent = parent;
  const initiative = str(d.initiative);
  if (initiative) task.initiative = initiative;
  if (typeof d.phase === "number") task.phase = d.phase;
  const defer = str(d.defer_until);
  if (defer) task.defer_until = defer;
  return task;
}
