import { readyPage, type ReadyItem } from "../domain/ready.ts";
import { fillOrder, readyFromMemo } from "../domain/ready-memo.ts";
import { isLazyRecord } from "../domain/lazy-record.ts";
import type { Task } from "../domain/types.ts";
import { cell, more, table, when } from "./md.ts";
import { decisionsSection, positionSection, sessionsSection } from "./plan-sections.ts";
import type { StateSection, ViewInput } from "./state-md.ts";
import { topOrder } from "./view-index.ts";

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

// The orders of the lists below, named for the view index (view-index.ts), which keeps their best few.
const OLDEST_CLAIMS = topOrder("state:in_progress", "in_progress", { k: IN_PROGRESS_MAX, cmp: (a: Task, b: Task): number => -newestFirst((t) => t.claimed_at ?? t.updated_at)(a, b) || byIdAsc(a, b) });
const NEWEST_REVIEW = topOrder("state:review", "review", { k: IN_PROGRESS_MAX, cmp: newestFirst((t) => t.updated_at) });
const BLOCKED_ORDER = topOrder("state:blocked", "blocked", { k: BLOCKED_MAX, cmp: (a: Task, b: Task): number => a.priority - b.priority || byIdAsc(a, b) });
const NEWEST_DONE = topOrder("state:done", "done", { k: DONE_MAX, cmp: newestFirst((t) => t.updated_at) });

export const inProgressSection: StateSection = {
  key: "in_progress",
  title: "In progress",
  render: (view) => {
    const { index, now } = view;
    const total = index.count("in_progress");
    if (total === 0) return ["Nothing is claimed.", ...waitingForReview(view)];
    // Oldest claims first: those are the ones to look at.
    const shown = index.best(OLDEST_CLAIMS);
    const rows = shown.map((t) => {
      const lease = t.lease_until === undefined ? "" : t.lease_until <= now ? `expired ${when(t.lease_until)}` : `until ${when(t.lease_until)}`;
      return [link(t), cell(t.title), cell(t.assignee ?? "?", 32), when(t.claimed_at ?? t.updated_at), lease];
    });
    return [...table(["Task", "Title", "Who", "Since", "Lease"], rows), ...more(total, shown.length, "`rw list --status in_progress`"), ...waitingForReview(view)];
  },
};

/** Tasks `rw run` stopped for a person (execution.review = "human"): listed under "In progress" only when there are any. */
function waitingForReview({ index }: ViewInput): string[] {
  const total = index.count("review");
  if (total === 0) return [];
  const shown = index.best(NEWEST_REVIEW);
  return ["", `Waiting for review (\`rw review ID\`): ${shown.map((t) => `${link(t)} ${cell(t.title, 48)}`).join("; ")}${total > shown.length ? `; and ${total - shown.length} more` : ""}.`];
}

/**
 * The first ready tasks in `rw ready` order (the domain's ranking): from the long-lived store's
 * ready order when it has one, else ranked among the open and in-progress tasks only.
 */
export function readyTop(view: ViewInput, k: number): { items: ReadyItem[]; total: number } {
  const memo = view.readyMemo;
  // A writer ranks every candidate once (rather than the first k): the order it keeps then
  // carries to the next commands through the index file (ready-memo.ts), so they rank nothing.
  if (memo && !memo.order) fillOrder(view.state, memo);
  const fromMemo = memo ? readyFromMemo(view.state, view.now, k, memo) : undefined;
  if (fromMemo) return fromMemo;
  const { index } = view;
  // A lazily decoded state is decoded in one go by a scan of all its tasks (cheaper than one by one).
  if (isLazyRecord(view.state.tasks)) return readyPage(view.state, view.now, k, view.unblocks);
  const pool = function* (): Iterable<Task> {
    yield* index.members("open");
    yield* index.members("in_progress");
  };
  return readyPage(view.state, view.now, k, view.unblocks, pool());
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
  render: ({ index }) => {
    const total = index.count("blocked");
    if (total === 0) return ["Nothing is blocked."];
    const shown = index.best(BLOCKED_ORDER);
    const rows = shown.map((t) => [link(t), `P${t.priority}`, cell(t.title, 48), cell(t.blocked_reason ?? "no reason given", 60)]);
    return [...table(["Task", "Pri", "Title", "Why"], rows), ...more(total, shown.length, "`rw list --status blocked`")];
  },
};

export const doneSection: StateSection = {
  key: "done",
  title: "Recently done",
  render: ({ index }) => {
    const total = index.count("done");
    if (total === 0) return ["Nothing is done yet."];
    const shown = index.best(NEWEST_DONE);
    const rows = shown.map((t) => [link(t), cell(t.title), cell(t.assignee ?? "", 32), when(t.updated_at)]);
    return [...table(["Task", "Title", "Who", "When"], rows), ...more(total, shown.length, "`rw list --status done`")];
  },
};

/** STATE.md's sections in order (DESIGN §6). Replace an entry by key to fill a placeholder. */
export const STATE_SECTIONS: readonly StateSection[] = [
  positionSection, inProgressSection, readySection, blockedSection, decisionsSection, sessionsSection, doneSection,
];
