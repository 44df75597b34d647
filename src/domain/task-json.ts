/**
 * A task as JSON with its keys in one fixed order: what `--json` prints, and (without body and
 * notes) what the index keeps of each task (store/state-cache.ts), so `rw list --json` can copy
 * a task's bytes from the index instead of decoding and re-encoding it (issue 17).
 */
export const TASK_KEYS = [
  "id", "title", "status", "priority", "type", "labels", "deps", "parent", "initiative", "phase", "assignee", "lease_until",
  "claimed_at", "defer_until", "blocked_reason", "retry_count", "gates", "created_at", "updated_at", "body", "notes",
] as const;

const KNOWN_KEYS: ReadonlySet<string> = new Set(TASK_KEYS);

/** What `rw list --json` leaves out of each task (`show` has them), and what the index keeps apart. */
export const LISTED_WITHOUT: ReadonlySet<string> = new Set(["body", "notes"]);

/**
 * A folded task's key order depends on its history and on whether it came from the index or a
 * replay, so without this the same answer could print as different bytes after the cache is
 * rebuilt. Keys rw does not list (from a newer writer) come after those, in name order.
 */
export function taskJson(task: object, omit?: ReadonlySet<string>): Record<string, unknown> {
  const rec = task as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of TASK_KEYS) if (rec[k] !== undefined && !omit?.has(k)) out[k] = rec[k];
  // Usually none, so no sort per task.
  let extra: string[] | undefined;
  for (const k of Object.keys(rec)) if (!KNOWN_KEYS.has(k) && rec[k] !== undefined && !omit?.has(k)) (extra ??= []).push(k);
  if (extra) for (const k of extra.sort()) out[k] = rec[k];
  return out;
}
