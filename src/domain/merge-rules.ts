import { RESOLUTION_TYPES } from "./fold.ts";
import { isClosed, type RwEvent, type Task } from "./types.ts";

/**
 * Which history an event came from, relative to the merge base: both histories already had it
 * ("base"), or only one of them did. The rules below only ever compare sides for equality, so
 * swapping "ours" and "theirs" gives the same answer: both machines merge to the same bytes.
 */
export type Side = "base" | "ours" | "theirs";

/** The actor of derived events: the same on every machine, so merges agree byte for byte. */
export const SYNC_ACTOR = "rw-sync";

const STATUS_TYPES = new Set([
  "task.claimed", "task.heartbeat", "task.released", "task.completed", "task.failed", "task.lease_expired",
  "task.blocked", "task.unblocked", "task.reopened", "task.cancelled",
]);

export function changesStatus(e: RwEvent): boolean {
  return STATUS_TYPES.has(e.type) || RESOLUTION_TYPES.has(e.type);
}

/**
 * Whether an event decided on one machine still makes sense after the other machine changed the
 * same task's status concurrently. Only called when the task's status was last set by the other
 * side; in a single history every event passed `decide`, so nothing is ever voided there.
 */
export function stillValid(cur: Task, e: RwEvent): boolean {
  // A cancellation is a person's decision: it stands, and nothing concurrent undoes it.
  if (e.type === "task.cancelled") return true;
  if (cur.status === "cancelled") return false;
  switch (e.type) {
    case "task.claimed":
      return cur.status === "open" || (cur.status === "in_progress" && (
        cur.assignee === e.actor || e.data.takeover_from === cur.assignee || (cur.lease_until ?? "") <= e.ts));
    case "task.heartbeat":
    case "task.released":
    case "task.completed":
    case "task.failed":
      return cur.status === "in_progress" && cur.assignee === e.actor;
    case "task.lease_expired":
      return cur.status === "in_progress" && cur.assignee === e.data.assignee;
    case "task.blocked":
      return !isClosed(cur.status);
    case "task.unblocked":
      return cur.status === "blocked";
    case "task.reopened":
      return isClosed(cur.status);
    default:
      return true;
  }
}

/** Rewrites references to renamed tasks in one event (its task, and deps/parent it sets). */
export function reroute(e: RwEvent, renames: ReadonlyMap<string, string>): RwEvent {
  const task = e.task !== undefined ? renames.get(e.task) ?? e.task : undefined;
  let data = e.data;
  if (Array.isArray(data.deps) || typeof data.parent === "string") {
    data = { ...data };
    if (Array.isArray(data.deps)) data.deps = (data.deps as string[]).map((d) => renames.get(d) ?? d);
    if (typeof data.parent === "string") data.parent = renames.get(data.parent) ?? data.parent;
  }
  if (task === e.task && data === e.data) return e;
  const out: RwEvent = { ...e, data };
  if (task !== undefined) out.task = task;
  return out;
}

/** A field-level patch: every key whose value differs, with null for a key that must go. */
export function taskPatch(from: Task | undefined, to: Task): Record<string, unknown> | null {
  const a = (from ?? {}) as unknown as Record<string, unknown>;
  const b = to as unknown as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const patch: Record<string, unknown> = {};
  for (const key of keys) {
    if (JSON.stringify(a[key]) === JSON.stringify(b[key])) continue;
    patch[key] = b[key] === undefined ? null : clone(b[key]);
  }
  return Object.keys(patch).length > 0 ? patch : null;
}

export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
