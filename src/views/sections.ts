import { readyPage, type ReadyItem } from "../domain/ready.ts";
import type { Task } from "../domain/types.ts";
import { cell, more, table, topK, when } from "./md.ts";
import { decisionsSection, positionSection, sessionsSection } from "./plan-sections.ts";
import type { StateSection, ViewInput } from "./state-md.ts";

const IN_PROGRESS_MAX = 15;
const READY_MAX = 10;
const BLOCKED_MAX = 10;
const DONE_MAX = 10;

const link = (t: Task): string => `[${t.id}](tasks/${t.id}.md)`;
const byIdAsc = (a: Task, b: Task): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const newestFirst = (key: (t: Task) => string) => (a: Task, b: Task): number => {
  const x = key(a);
  const y = key(b);
  return x > y ? -1 : x < y ? 1 : byIdAsc(a, b);
};

export const inProgressSection: StateSection = {
  key: "in_progress",
  title: "In progress",
  render: ({ byStatus, now }) => {
    const all = byStatus.in_progress;
    if (all.length === 0) return ["Nothing is claimed.", ...waitingForReview(byStatus.review)];
    // Oldest claims first: those are the ones to look at.
    const shown = topK(all, IN_PROGRESS_MAX, (a, b) => -newestFirst((t) => t.claimed_at ?? t.updated_at)(a, b) || byIdAsc(a, b));
    const rows = shown.map((t) => {
      const lease = t.lease_until === undefined ? "" : t.lease_until <= now ? `expired ${when(t.lease_until)}` : `until ${when(t.lease_until)}`;
      return [link(t), cell(t.title), cell(t.assignee ?? "?", 32), when(t.claimed_at ?? t.updated_at), lease];
    });
    return [...table(["Task", "Title", "Who", "Since", "Lease"], rows), ...more(all.length, shown.length, "`rw list --status in_progress`"), ...waitingForReview(byStatus.review)];
  },
};

/** Tasks `rw run` stopped for a person (execution.review = "human"): listed under "In progress" only when there are any. */
function waitingForReview(all: Task[]): string[] {
  if (all.length === 0) return [];
  const shown = topK(all, IN_PROGRESS_MAX, newestFirst((t) => t.updated_at));
  return ["", `Waiting for review (\`rw review ID\`): ${shown.map((t) => `${link(t)} ${cell(t.title, 48)}`).join("; ")}${all.length > shown.length ? `; and ${all.length - shown.length} more` : ""}.`];
}

/** The first ready tasks in `rw ready` order (the domain's ranking, with the store's unblock counts when it has them). */
export function readyTop(view: ViewInput, k: number): { items: ReadyItem[]; total: number } {
  return readyPage(view.state, view.now, k, view.unblocks);
}

export const readySection: StateSection = {
  key: "ready",
  title: "Ready next",
  render: (view) => {
    const { items, total } = readyTop(view, READY_MAX);
    if (total === 0) return ["Nothing is ready (`rw ready --explain` says why)."];
    const rows = items.map(({ task, unblocks }) => [link(task), `P${task.priority}`, cell(task.title), unblocks > 0 ? String(unblocks) : ""]);
    return [...table(["Task", "Pri", "Title", "Unblocks"], rows), ...more(total, items.length, "`rw ready`")];
  },
};

export const blockedSection: StateSection = {
  key: "blocked",
  title: "Blocked",
  render: ({ byStatus }) => {
    const all = byStatus.blocked;
    if (all.length === 0) return ["Nothing is blocked."];
    const shown = topK(all, BLOCKED_MAX, (a, b) => a.priority - b.priority || byIdAsc(a, b));
    const rows = shown.map((t) => [link(t), `P${t.priority}`, cell(t.title, 48), cell(t.blocked_reason ?? "no reason given", 60)]);
    return [...table(["Task", "Pri", "Title", "Why"], rows), ...more(all.length, shown.length, "`rw list --status blocked`")];
  },
};

export const doneSection: StateSection = {
  key: "done",
  title: "Recently done",
  render: ({ byStatus }) => {
    const all = byStatus.done;
    if (all.length === 0) return ["Nothing is done yet."];
    const shown = topK(all, DONE_MAX, newestFirst((t) => t.updated_at));
    const rows = shown.map((t) => [link(t), cell(t.title), cell(t.assignee ?? "", 32), when(t.updated_at)]);
    return [...table(["Task", "Title", "Who", "When"], rows), ...more(all.length, shown.length, "`rw list --status done`")];
  },
};

/** STATE.md's sections in order (DESIGN §6). Replace an entry by key to fill a placeholder. */
export const STATE_SECTIONS: readonly StateSection[] = [
  positionSection, inProgressSection, readySection, blockedSection, decisionsSection, sessionsSection, doneSection,
];
