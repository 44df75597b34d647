import { printable } from "../../domain/text.ts";
import { answerBytes } from "../../format/json-answer.ts";
import { readyItemJson, readyPage, readyTasks, type ReadyItem } from "../../domain/ready.ts";
import { explainInReadyOrder, matchesFilter, type TaskFilter } from "../../domain/task-query.ts";
import { recordValues, type State, type Task } from "../../domain/types.ts";
import { potentialOrder, readyFromMemo, type ReadyMemo } from "../../domain/ready-memo.ts";
import { readReadyView, writeReadyView } from "../../store/ready-cache.ts";
import { rwDir } from "../../store/repo.ts";
import type { Snapshot } from "../../store/snapshot.ts";
import type { Store } from "../../store/store.ts";
import { context, type Context } from "../context.ts";
import { jsonArg } from "../args.ts";
import { defineRw } from "../command.ts";
import { filterArgs, filterFromArgs, limitArg, mentionProblems } from "../filters.ts";
import { fit, paint, printJson } from "../output.ts";
import { nowIso, withStore } from "../read.ts";

export default defineRw({
  meta: { name: "ready", description: "List tasks ready to work on, best first" },
  args: {
    limit: { type: "string", alias: "n", description: "show at most N tasks (JSON: count is what is shown, total what is ready)" },
    explain: { type: "boolean", alias: "e", description: "say why each unfinished task is or is not ready (ready ones first, in ready order)" },
    ...filterArgs,
    ...jsonArg,
  },
  examples: ["rw ready", "rw ready --limit 5 --json", "rw ready --priority 0-1 --type bug", "rw ready --explain"],
  async run({ args }) {
    const limit = limitArg(args.limit);
    const ctx = context();
    await withStore(ctx, async (store) => {
      const now = nowIso(ctx);
      // The plain list (no filter, no --explain) at a tip an earlier `rw ready` already ranked:
      // from the ready view beside the index (store/ready-cache.ts), without decoding every task.
      const plain = !args.explain && Object.keys(filterArgs).every((k) => (args as Record<string, unknown>)[k] === undefined);
      const tip = plain ? (await store.tipCommit())?.oid : undefined;
      const cached = tip ? readReadyView(rwDir(store.repo), store.ref, tip) : undefined;
      if (cached) {
        const problems = mentionProblems(store, ctx);
        const extra = problems ? { problems: problems.count } : {};
        // Compact JSON: each task ready by its place in the view is copied as the view keeps it.
        if (args.json && !ctx.isTTY) {
          const { total, tasks } = cached.printed(now, limit ?? Infinity);
          return ctx.stdout(answerBytes(answer(tasks.length, total, cached.review, [], extra), tasks));
        }
        return print(ctx, args, readyFromMemo(cached.state, now, limit ?? Infinity, cached.memo)!, cached.review, extra);
      }
      const snap = await store.snapshot();
      const filter = filterFromArgs(args, snap.state);
      const filtered = isFiltered(filter);
      const keep = (id: string): boolean => !filtered || matchesFilter(snap.state.tasks[id]!, { ...filter, all: true });
      const problems = mentionProblems(store, ctx);
      const extra = problems ? { problems: problems.count } : {};
      if (args.explain) {
        const all = explainInReadyOrder(snap.state, now).filter((x) => keep(x.id));
        const shown = limit === undefined ? all : all.slice(0, limit);
        if (args.json) return printJson(ctx, { count: shown.length, total: all.length, tasks: shown, ...extra });
        const lines = shown.map((x) => (x.ready ? `${paint(ctx, "green", "ready")}    ${x.id}  ${printable(x.title)}` : `waiting  ${x.id}  ${printable(x.title)}\n         ${x.reasons.join("\n         ")}`));
        if (shown.length < all.length) lines.push(`… and ${all.length - shown.length} more`);
        return ctx.stdout(`${lines.join("\n") || "no unfinished tasks"}\n`);
      }
      // The ready order kept in the index (ready-memo.ts, restored with its view index): the
      // first tasks of it are all a page needs, so a write's next `rw ready` decodes only those.
      const { index, readyMemo: memo } = snap.derived?.() ?? {};
      const result = page(snap.state, now, limit ?? Infinity, filtered ? keep : undefined, memo);
      // Not ready for an agent, but waiting on someone: tasks `rw run` stopped for a person's review.
      const inReview = index && memo ? [...index.bind(snap.state).members("review")] : recordValues(snap.state.tasks).filter((t) => t.status === "review");
      const review = inReview.filter((t) => keep(t.id));
      print(ctx, args, result, review, extra);
      // Kept for the next `rw ready` at this tip, unless only a page of a kept order was read (that is already cheap).
      if (!filtered && !(memo && limit !== undefined)) saveReadyView(store, snap, memo, inReview);
    });
  },
});

/** Ranks every candidate of this tip once and keeps it for the next `rw ready` here (never fails the command). */
function saveReadyView(store: Store, snap: Snapshot, memo: ReadyMemo | undefined, review: Task[]): void {
  try {
    const counts = memo?.counts ?? new Map<string, number>();
    writeReadyView(rwDir(store.repo), store.ref, snap.tip, snap.state, memo?.order ?? potentialOrder(snap.state, counts), counts, review);
  } catch {
    // a cache: a read-only repository or a full disk only makes the next `rw ready` slower
  }
}

type ReviewTask = Pick<Task, "id" | "title" | "priority" | "updated_at">;

const byUpdate = (review: ReviewTask[]): ReviewTask[] => [...review].sort((a, b) => (a.updated_at < b.updated_at ? -1 : 1));

/** `rw ready --json`'s answer (without its "v"). */
function answer(count: number, total: number, reviewTasks: ReviewTask[], tasks: unknown[], extra: Record<string, unknown>): Record<string, unknown> {
  const review = byUpdate(reviewTasks);
  return {
    count, total,
    ...(review.length > 0 ? { waiting_for_review: review.map((t) => ({ id: t.id, title: t.title, priority: t.priority, since: t.updated_at })) } : {}),
    tasks,
    ...extra,
  };
}

function print(ctx: Context, args: { json?: unknown }, result: { total: number; items: ReadyItem[] }, reviewTasks: ReviewTask[], extra: Record<string, unknown>): void {
  const { total, items: shown } = result;
  const review = byUpdate(reviewTasks);
  const reviewLine = review.length > 0 ? `waiting for review (rw review ID): ${review.map((t) => `${t.id} ${fit(t.title, 40).trimEnd()}`).join("; ")}` : "";
  if (args.json) return printJson(ctx, answer(shown.length, total, review, shown.map(readyItemJson), extra));
  if (total === 0) return ctx.stdout(`nothing is ready (rw ready --explain says why)\n${reviewLine ? `${reviewLine}\n` : ""}`);
  const width = Math.max(...shown.map((r) => r.task.id.length));
  const lines = shown.map((r) => {
    const why = [r.unblocks > 0 ? `unblocks ${r.unblocks}` : "", r.expired_claim ? `lease of ${r.expired_claim.assignee} expired` : ""].filter(Boolean).join(", ");
    return `${r.task.id.padEnd(width)}  P${r.task.priority}  ${fit(r.task.title, 64).trimEnd()}${why ? `  (${why})` : ""}`;
  });
  if (shown.length < total) lines.push(`… and ${total - shown.length} more`);
  if (reviewLine) lines.push(reviewLine);
  ctx.stdout(`${lines.join("\n")}\n`);
}

const isFiltered = (f: TaskFilter): boolean =>
  (f.labels?.length ?? 0) > 0 || (f.types?.length ?? 0) > 0 || f.priority !== undefined || f.initiative !== undefined || f.phase !== undefined || f.parent !== undefined;

/** The ready page; with a filter, the whole ready list filtered (readyPage's shortcut ranks only the unfiltered top). */
function page(state: State, now: string, limit: number, keep: ((id: string) => boolean) | undefined, memo?: ReadyMemo): { total: number; items: ReadyItem[] } {
  const fromMemo = memo && readyFromMemo(state, now, keep ? Infinity : limit, memo);
  if (!keep) return fromMemo ?? readyPage(state, now, limit);
  const all = (fromMemo?.items ?? readyTasks(state, now)).filter((r) => keep(r.task.id));
  return { total: all.length, items: all.slice(0, limit) };
}
