import type { RwEvent } from "../domain/types.ts";
import { readAllEvents } from "../store/snapshot.ts";
import type { Store } from "../store/store.ts";

/** One recorded failure of an attempt (`task.failed` from rw run, or a person's `task.review_rejected`). */
export interface PastFailure {
  kind: string;
  error: string;
  feedback: string;
  diffstat: string;
  attempt: number;
  /** The model this failure escalated the next attempt to. */
  escalate?: string;
}

/** What a new attempt needs from the task's history since it was last reopened or unblocked. */
export interface AttemptHistory {
  failures: PastFailure[];
  last: PastFailure | undefined;
  /** Conflicts since then: redone on a new base, bounded by execution.max_rebases. */
  rebases: number;
}

const str = (v: unknown): string => (typeof v === "string" ? v : "");

/** Pure: the history from a task's events, oldest first. */
export function attemptHistory(events: readonly RwEvent[]): AttemptHistory {
  let failures: PastFailure[] = [];
  for (const e of events) {
    if (e.type === "task.reopened" || e.type === "task.unblocked") failures = [];
    else if (e.type === "task.failed") {
      const d = e.data;
      failures.push({
        kind: str(d.kind) || "failed", error: str(d.error), feedback: str(d.feedback) || str(d.error), diffstat: str(d.diffstat),
        attempt: typeof d.attempt === "number" ? d.attempt : failures.length + 1, ...(typeof d.escalate === "string" ? { escalate: d.escalate } : {}),
      });
    } else if (e.type === "task.review_rejected") {
      failures.push({ kind: str(e.data.kind) || "review", error: "sent back by review", feedback: str(e.data.feedback), diffstat: "", attempt: failures.length + 1 });
    }
  }
  return { failures, last: failures[failures.length - 1], rebases: failures.filter((f) => f.kind === "conflict").length };
}

export async function loadAttemptHistory(store: Store, id: string): Promise<AttemptHistory> {
  const snap = await store.snapshot();
  const { events } = await readAllEvents(store.source, snap.root);
  return attemptHistory(events.filter((e) => e.task === id));
}

/**
 * A failure's text with what changes between identical runs taken out: times, durations,
 * temporary and worktree paths, hashes, process IDs, line:column positions of stack frames.
 */
export function normaliseFailure(text: string): string {
  return text
    .replace(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?/g, "<time>")
    .replace(/\b\d{1,2}:\d{2}:\d{2}(\.\d+)?\b/g, "<time>")
    .replace(/\b\d+(\.\d+)?\s*(ms|s|sec|seconds|m|min)\b/g, "<duration>")
    .replace(/(\/[\w.@+-]+)*\/(tmp|var\/folders|private\/var)\/[\w.@+/-]*/g, "<path>")
    .replace(/\/[\w.@+-]+(\/[\w.@+-]+)*\/rw\/worktrees\/[\w.@+/-]*/g, "<worktree>")
    .replace(/\b[0-9a-f]{7,40}\b/g, "<hash>")
    .replace(/\bpid \d+\b/gi, "pid <n>")
    .replace(/:\d+:\d+\b/g, ":<line>")
    .replace(/[ \t]+/g, " ")
    .trim();
}

/** Whether two failures are the same one (same kind, same normalised feedback). */
export const sameFailure = (a: Pick<PastFailure, "kind" | "feedback">, b: Pick<PastFailure, "kind" | "feedback">): boolean =>
  a.kind === b.kind && normaliseFailure(a.feedback) === normaliseFailure(b.feedback);

/** The note a task is blocked with when retrying would only repeat the same failure. */
export function escalationNote(id: string, failures: readonly PastFailure[], current: PastFailure): string {
  const all = [...failures, current];
  const changed = all.map((f) => `attempt ${f.attempt}: ${f.diffstat.trim().split("\n").pop()?.trim() || "no changes"}`).join("; ");
  const last = current.feedback.trim().split("\n").slice(0, 6).join(" | ").slice(0, 400);
  return `escalation: ${all.length} attempts failed the same way (${current.kind}: ${current.error}); what changed: ${changed}; ` +
    `last diff: ${current.diffstat.trim().split("\n").pop()?.trim() || "none"}; last failure: ${last}. ` +
    `A person should look (rw logs ${id}), or configure roles.worker.escalate to try a stronger model`;
}
