import { compareEvents } from "./event-order.ts";
import { apply, fold } from "./fold.ts";
import { changesStatus, clone, reroute, stillValid, SYNC_ACTOR, taskPatch, type Side } from "./merge-rules.ts";
import { stableBase36, stableUlid } from "./stable-id.ts";
import { emptyState, type RwEvent, type State, lookup } from "./types.ts";

/** The event logs at the merge base (empty when the histories share none) and at both tips. */
export interface MergeInput { base: RwEvent[]; ours: RwEvent[]; theirs: RwEvent[] }

export interface MergeConflict {
  kind: "claim_lost" | "cancel_kept" | "renamed";
  task: string;
  detail: string;
}

export interface MergeResult {
  /** The merged log in (ts, id) order, resolutions last. */
  events: RwEvent[];
  /** fold(events). */
  state: State;
  incoming: RwEvent[];
  outgoing: RwEvent[];
  resolutions: RwEvent[];
  conflicts: MergeConflict[];
}

interface Record_ { type: string; task: string; voided: string[]; data: Record<string, unknown> }

/**
 * Merges two diverged event logs (DESIGN §9): the union of events, deduplicated by id, in
 * (ts, id) order; then the conflicts only divergence can create are resolved by derived events
 * appended after everything else. Those events carry the resolved fields, so fold stays a plain
 * left fold of the log, `rw doctor` replays it like any other, and a later merge sees them as
 * ordinary history. Pure and symmetric: merge(a, b) and merge(b, a) write the same events.
 */
export function mergeLogs(input: MergeInput): MergeResult {
  const baseIds = new Set(input.base.map((e) => e.id));
  const oursIds = new Set(input.ours.map((e) => e.id));
  const theirsIds = new Set(input.theirs.map((e) => e.id));
  const byId = new Map<string, RwEvent>();
  for (const e of [...input.ours, ...input.theirs]) if (!byId.has(e.id)) byId.set(e.id, e);
  const union = [...byId.values()].sort(compareEvents);
  const sideOf = (e: RwEvent): Side =>
    baseIds.has(e.id) || (oursIds.has(e.id) && theirsIds.has(e.id)) ? "base" : oursIds.has(e.id) ? "ours" : "theirs";

  const records: Record_[] = [];
  const renames = findCollisions(union, sideOf, records);
  const routed = union.map((e) => {
    const map = renames.get(sideOf(e));
    return map ? reroute(e, map) : e;
  });
  const intended = foldIntended(routed, sideOf, records);
  const plain = fold(union, emptyState());
  const resolutions = resolutionEvents(union, plain, intended, records);
  const events = [...union, ...resolutions];
  const state = fold(resolutions, plain);
  return {
    events, state, resolutions,
    incoming: union.filter((e) => !oursIds.has(e.id)),
    outgoing: union.filter((e) => !theirsIds.has(e.id)),
    conflicts: records.map(describe),
  };
}

/** Two different tasks created with one ID on the two sides: the later create is renamed. */
function findCollisions(union: RwEvent[], sideOf: (e: RwEvent) => Side, records: Record_[]): Map<Side, Map<string, string>> {
  const handled = new Set(union.filter((e) => e.type === "task.renamed").map((e) => String(e.data.create_event)));
  const taken = new Set(union.filter((e) => e.type === "task.created" && e.task).map((e) => e.task!));
  const creates = new Map<string, RwEvent[]>();
  for (const e of union) if (e.type === "task.created" && e.task) creates.set(e.task, [...(creates.get(e.task) ?? []), e]);
  const renames = new Map<Side, Map<string, string>>();
  for (const [id, list] of creates) {
    if (list.length < 2) continue;
    const winnerSide = sideOf(list[0]!);
    for (const loser of list.slice(1)) {
      const side = sideOf(loser);
      if (side === "base" || side === winnerSide || handled.has(loser.id)) continue;
      const to = renamedId(id, loser.id, taken);
      taken.add(to);
      const map = renames.get(side) ?? new Map<string, string>();
      map.set(id, to);
      renames.set(side, map);
      records.push({ type: "task.renamed", task: to, voided: [], data: { from: id, to, create_event: loser.id, kept_event: list[0]!.id } });
    }
  }
  return renames;
}

function renamedId(id: string, seed: string, taken: Set<string>): string {
  const dash = id.lastIndexOf("-");
  const prefix = dash > 0 ? id.slice(0, dash) : id;
  for (let length = Math.max(4, Math.min(12, id.length - dash - 1)); ; length++) {
    const candidate = `${prefix}-${stableBase36(seed, length)}`.slice(0, 64);
    if (!taken.has(candidate)) return candidate;
  }
}

/**
 * Folds the routed union, skipping events that a concurrent status change on the other side
 * made meaningless (a second claim, work on a task cancelled elsewhere). Only events of tasks
 * both sides touched can be skipped; the skipped events stay in the log, nothing is lost.
 */
function foldIntended(routed: RwEvent[], sideOf: (e: RwEvent) => Side, records: Record_[]): State {
  const touched = new Map<string, Set<Side>>();
  for (const e of routed) {
    if (!e.task) continue;
    const s = touched.get(e.task) ?? new Set<Side>();
    s.add(sideOf(e));
    touched.set(e.task, s);
  }
  const contested = (task: string): boolean => {
    const s = touched.get(task);
    return Boolean(s?.has("ours") && s.has("theirs"));
  };
  cancelRecords(routed, sideOf, contested, records);
  const state = emptyState();
  const owner = new Map<string, Side>();
  const lost = new Map<string, Record_>();
  for (const e of routed) {
    const side = sideOf(e);
    const task = e.task !== undefined ? lookup(state.tasks, e.task) : undefined;
    if (task && contested(task.id) && changesStatus(e) && side !== "base") {
      const by = owner.get(task.id);
      if (by !== undefined && by !== "base" && by !== side && !stillValid(task, e)) {
        voidEvent(records, lost, task.id, side, e, task.status === "cancelled", task.assignee);
        continue;
      }
      owner.set(task.id, side);
    } else if (task && changesStatus(e)) {
      owner.set(task.id, side);
    }
    apply(state, e);
  }
  return state;
}

function cancelRecords(routed: RwEvent[], sideOf: (e: RwEvent) => Side, contested: (t: string) => boolean, records: Record_[]): void {
  const cancels = new Map<string, Set<Side>>();
  for (const e of routed) {
    if (e.type !== "task.cancelled" || !e.task || sideOf(e) === "base") continue;
    cancels.set(e.task, (cancels.get(e.task) ?? new Set<Side>()).add(sideOf(e)));
  }
  for (const [task, sides] of cancels) {
    if (sides.size !== 1 || !contested(task)) continue;
    const by = [...sides][0]!;
    const other = routed.filter((e) => e.task === task && sideOf(e) !== "base" && sideOf(e) !== by);
    const cancel = routed.find((e) => e.task === task && e.type === "task.cancelled" && sideOf(e) === by)!;
    records.push({
      type: "task.cancel_kept", task, voided: [],
      data: { cancel_event: cancel.id, cancelled_by: cancel.actor, edits: other.filter((e) => e.type === "task.edited").map((e) => e.id) },
    });
  }
}

function voidEvent(records: Record_[], lost: Map<string, Record_>, task: string, side: Side, e: RwEvent, cancelled: boolean, holder: string | undefined): void {
  if (cancelled) {
    const rec = records.find((r) => r.type === "task.cancel_kept" && r.task === task);
    if (rec) {
      rec.voided.push(e.id);
      return;
    }
  }
  const key = `${task}|${side}|${e.actor}`;
  let rec = lost.get(key);
  if (!rec) {
    rec = { type: "task.claim_lost", task, voided: [], data: { loser: e.actor, ...(holder !== undefined ? { winner: holder } : {}) } };
    lost.set(key, rec);
    records.push(rec);
  }
  rec.voided.push(e.id);
}

/** One event per conflict, after every merged event, carrying the fields that make fold land on `intended`. */
function resolutionEvents(union: RwEvent[], plain: State, intended: State, records: Record_[]): RwEvent[] {
  if (records.length === 0) return [];
  const last = union[union.length - 1]?.ts ?? "1970-01-01T00:00:00.000Z";
  const ts = new Date(Date.parse(last) + 1).toISOString();
  const drafts = records.map((r) => {
    const data: Record<string, unknown> = { ...r.data };
    if (r.voided.length > 0) data.voided = [...r.voided].sort();
    const id = stableUlid(ts, `${r.type}|${r.task}|${JSON.stringify(data)}`);
    return { id, type: r.type, task: r.task, data };
  }).sort((a, b) => (a.id < b.id ? -1 : 1));
  const renamedTo = new Set(records.filter((r) => r.type === "task.renamed").map((r) => r.task));
  const ids = [...new Set([...Object.keys(plain.tasks), ...Object.keys(intended.tasks)])].sort();
  for (const id of ids) {
    const want = intended.tasks[id];
    if (!want) continue;
    const owner = [...drafts].reverse().find((d) => d.task === id);
    if (renamedTo.has(id) && owner) {
      owner.data.create = clone(want);
      continue;
    }
    const patch = taskPatch(plain.tasks[id], want);
    if (!patch) continue;
    if (owner) {
      owner.data.set = patch;
    } else {
      const home = drafts.find((d) => d.type === "task.renamed") ?? drafts[drafts.length - 1]!;
      home.data.rewrites = { ...(home.data.rewrites as Record<string, unknown> | undefined), [id]: patch };
    }
  }
  return drafts.map((d) => ({ v: 1, id: d.id, ts, actor: SYNC_ACTOR, type: d.type, task: d.task, data: d.data }));
}

function describe(r: Record_): MergeConflict {
  const d = r.data;
  if (r.type === "task.renamed") return { kind: "renamed", task: r.task, detail: `two tasks were created as ${String(d.from)}; the later one is now ${r.task}` };
  if (r.type === "task.cancel_kept") return { kind: "cancel_kept", task: r.task, detail: `cancelled by ${String(d.cancelled_by)} while changed elsewhere: stays cancelled, edits kept` };
  return { kind: "claim_lost", task: r.task, detail: `${String(d.loser)} lost the claim${typeof d.winner === "string" ? ` to ${d.winner}` : ""} (${r.voided.length} event${r.voided.length === 1 ? "" : "s"} set aside)` };
}
