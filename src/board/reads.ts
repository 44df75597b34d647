import { existsSync } from "node:fs";
import { getTask } from "../domain/decide.ts";
import { computeAnalytics } from "../analytics/metrics.ts";
import { findCriteria } from "../format/criteria.ts";
import { transcriptPath } from "../orchestrator/transcript.ts";
import { describeEntry, taskHistory } from "../store/history.ts";
import { readAllEvents } from "../store/snapshot.ts";
import type { Store } from "../store/store.ts";
import type { RwEvent } from "../domain/types.ts";
import { toCard } from "./cards.ts";
import { markdownToHtml } from "./markdown.ts";
import { BOARD_PROTOCOL, type AnalyticsView, type TaskDetail } from "./protocol.ts";

/** History shown on a task page: the newest entries (a long-lived task can have thousands). */
const HISTORY_SHOWN = 300;

export async function taskDetail(store: Store, id: string): Promise<TaskDetail> {
  const snap = await store.snapshot();
  const t = getTask(snap.state, id);
  const [body_html, criteria, history] = await Promise.all([markdownToHtml(t.body), findCriteria(t.body), taskHistory(store, id)]);
  const usage = snap.state.spend.by_task[id];
  return {
    v: BOARD_PROTOCOL,
    card: toCard(snap.state, t),
    deps: t.deps,
    ...(t.parent ? { parent: t.parent } : {}),
    gates: t.gates,
    body: t.body,
    body_html,
    criteria: criteria.map((c) => ({ index: c.index, text: c.text, checked: c.checked })),
    notes: t.notes,
    history: history.slice(-HISTORY_SHOWN).map((h) => ({ ts: h.ts, actor: h.actor, type: h.type, ...(h.commit ? { commit: h.commit } : {}), text: describeEntry(h) })),
    ...(usage ? { usage } : {}),
    transcript: existsSync(transcriptPath(store.repo, id)),
  };
}

const MIN = 60_000;
const HOUR = 60 * MIN;
/** Cycle-time buckets: wide enough for agents (minutes) and people (days). */
const BUCKETS: Array<[number, string]> = [[5 * MIN, "<5m"], [15 * MIN, "<15m"], [HOUR, "<1h"], [4 * HOUR, "<4h"], [24 * HOUR, "<1d"], [3 * 24 * HOUR, "<3d"], [7 * 24 * HOUR, "<1w"]];

/**
 * Claim -> done of every completion, with the same reading as `rw analytics` (the latest claim
 * before the completion; import replays count for nothing), for the distribution chart.
 */
export function cycleTimes(events: readonly RwEvent[]): number[] {
  const claimed = new Map<string, number>();
  const imported = new Map<string, string>();
  const out: number[] = [];
  for (const e of events) {
    if (!e.task) continue;
    if (e.type === "task.created" && typeof e.data.source === "string") imported.set(e.task, e.ts);
    if (imported.get(e.task) === e.ts) continue;
    if (e.type === "task.claimed") claimed.set(e.task, Date.parse(e.ts));
    else if (e.type === "task.completed") {
      const at = claimed.get(e.task);
      if (at !== undefined) out.push(Date.parse(e.ts) - at);
      claimed.delete(e.task);
    }
  }
  return out;
}

export async function analytics(store: Store, now: string): Promise<AnalyticsView> {
  const snap = await store.snapshot();
  const { events } = await readAllEvents(store.source, snap.root);
  const a = computeAnalytics(events, { now, initiativeOf: (id) => snap.state.tasks[id]?.initiative });
  const counts: AnalyticsView["cycle_histogram"] = BUCKETS.map(([le, label]) => ({ le, label, count: 0 }));
  counts.push({ le: null, label: "≥1w", count: 0 });
  for (const ms of cycleTimes(events)) {
    const b = counts.find((c) => c.le === null || ms < c.le)!;
    b.count++;
  }
  return {
    v: BOARD_PROTOCOL, throughput: a.throughput, cycle_time: a.cycle_time, lead_time: a.lead_time, cycle_histogram: counts,
    success_rate: a.success_rate, tokens: { total: a.tokens.total, cost: a.tokens.cost },
  };
}
