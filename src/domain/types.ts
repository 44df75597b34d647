import { emptySpend, type Spend } from "./spend.ts";

/** Task lifecycle states (DESIGN §4). Waiting on dependencies is derived, never stored. */
export const STATUSES = ["open", "in_progress", "blocked", "done", "cancelled"] as const;
export type Status = (typeof STATUSES)[number];

export const TASK_TYPES = ["task", "feature", "bug", "chore", "epic", "docs", "spike"] as const;

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

/** Everything the event log folds into. Plain data so it can be cached as JSON. */
export interface State {
  tasks: Record<string, Task>;
  /** ts of the newest event folded; new events are never older (keeps log order = (ts,id) order). */
  last_ts: string;
  event_count: number;
  /** Tokens and cost of agent model calls (`agent.usage` events), for budgets and `rw budget`. */
  spend: Spend;
}

export function emptyState(): State {
  return { tasks: {}, last_ts: "", event_count: 0, spend: emptySpend() };
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
