import type { BoardDelta, BoardSnapshot, Card, InitiativeView, SessionView, Totals } from "../protocol.ts";

/** The board as the page knows it: cards by ID and the rest of the last message. */
export interface Model {
  ready: boolean;
  tip: string;
  repo: string;
  actor: string;
  statuses: string[];
  review: boolean;
  cards: Map<string, Card>;
  initiatives: InitiativeView[];
  sessions: SessionView[];
  totals: Totals;
  /** Bumped on every change, so views can memoise on it (never reused: a resync's snapshot gets a new one too). */
  version: number;
  /** Set when the stream is down (the page says so; EventSource reconnects by itself). */
  offline: boolean;
  /** What the last delta changed (IDs, and the cards and statuses before it), so columns can move only those. */
  last?: { ids: string[]; before: Map<string, Card>; statuses: string[] } | undefined;
}

export const emptyModel = (): Model => ({
  ready: false, tip: "", repo: "", actor: "", statuses: [], review: false, cards: new Map(), initiatives: [], sessions: [],
  totals: { tasks: 0, by_status: {}, tokens: 0, cost_usd: 0 }, version: 0, offline: false,
});

/** Every status in column order: a column shows when the server lists it or a card has it (a task in review without the policy). */
const ORDER = ["open", "in_progress", "review", "blocked", "done", "cancelled"];

function statusesFor(listed: string[], cards: Iterable<Card>): string[] {
  const have = new Set(listed);
  let added = false;
  for (const c of cards) {
    if (!have.has(c.status)) {
      have.add(c.status);
      added = true;
    }
  }
  return added ? ORDER.filter((s) => have.has(s)) : listed;
}

let versions = 0;

export function applySnapshot(s: BoardSnapshot): Model {
  const cards = new Map<string, Card>();
  for (const c of s.cards) cards.set(c.id, c);
  return {
    ready: true, tip: s.tip, repo: s.repo, actor: s.actor, statuses: statusesFor(s.statuses, s.cards), review: s.review, cards,
    initiatives: s.initiatives, sessions: s.sessions, totals: s.totals, version: ++versions, offline: false,
  };
}

/** A delta applies to the tip it starts from; anything else means a message was missed (resync). */
export function applyDelta(m: Model, d: BoardDelta): Model | null {
  if (d.from !== m.tip) return null;
  const cards = new Map(m.cards);
  for (const c of d.cards) cards.set(c.id, c);
  for (const id of d.removed) cards.delete(id);
  return {
    ...m, tip: d.tip, cards, statuses: statusesFor(m.statuses, d.cards), last: { ids: [...d.cards.map((c) => c.id), ...d.removed], before: m.cards, statuses: m.statuses }, initiatives: d.initiatives ?? m.initiatives, sessions: d.sessions ?? m.sessions,
    totals: d.totals, version: ++versions,
  };
}

/** What a card waits on, in words: unfinished dependencies, an unapproved phase, a date, a person. */
export function waitsOn(m: Model, c: Card): string[] {
  const out: string[] = [];
  if (c.status === "review") out.push("a person's review: open it to approve or reject");
  if (c.status === "blocked") out.push(c.blocked_reason ? `blocked: ${c.blocked_reason}` : "blocked");
  if (c.status === "open" || c.status === "blocked") {
    if (c.waits.length) out.push(`deps: ${c.waits.join(", ")}`);
    if (c.initiative) {
      const i = m.initiatives.find((x) => x.id === c.initiative);
      const p = i?.phases.find((x) => x.n === c.phase);
      if (i && c.phase !== undefined && p && p.status === "planned") out.push(`phase ${c.phase} of ${i.id} not approved`);
      else if (i && (i.status === "draft" || i.status === "review")) out.push(`${i.id} is ${i.status}`);
    }
    if (c.defer_until && c.defer_until > new Date().toISOString()) out.push(`deferred to ${c.defer_until.slice(0, 10)}`);
  }
  return out;
}

export interface Filters { text: string; label: string; initiative: string; assignee: string }

export const noFilters = (): Filters => ({ text: "", label: "", initiative: "", assignee: "" });

export function matches(c: Card, f: Filters): boolean {
  if (f.label && !c.labels.includes(f.label)) return false;
  if (f.initiative && c.initiative !== f.initiative) return false;
  if (f.assignee && (f.assignee === "(nobody)" ? c.assignee !== undefined : c.assignee !== f.assignee)) return false;
  if (f.text) {
    const q = f.text.toLowerCase();
    if (!c.id.toLowerCase().includes(q) && !c.title.toLowerCase().includes(q)) return false;
  }
  return true;
}

/** Column order: open work by priority then age; active work by when it moved; finished work newest first. */
export function columnOrder(status: string): (a: Card, b: Card) => number {
  if (status === "open" || status === "blocked") return (a, b) => a.priority - b.priority || (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : 1);
  return (a, b) => (a.updated_at > b.updated_at ? -1 : a.updated_at < b.updated_at ? 1 : a.id < b.id ? -1 : 1);
}

export function columns(m: Model, f: Filters): Map<string, Card[]> {
  const out = new Map<string, Card[]>(m.statuses.map((s) => [s, []]));
  for (const c of m.cards.values()) if (matches(c, f)) (out.get(c.status) ?? out.set(c.status, []).get(c.status)!).push(c);
  for (const [s, list] of out) list.sort(columnOrder(s));
  return out;
}

/** A board's columns for one model's cards, statuses and filters. */
export interface Columns { cards: Map<string, Card>; statuses: string[]; filters: Filters; cols: Map<string, Card[]> }

/**
 * The columns of `m`: from `prev` when it was made from the cards just before the last delta
 * (and the same filters and statuses), by taking out and putting back only the cards the delta named (a binary search in
 * the sorted column: a claim at 10,000 cards moves one, not sorts 10,000); else sorted afresh.
 */
export function nextColumns(prev: Columns | undefined, m: Model, f: Filters): Columns {
  if (prev && prev.cards === m.cards && prev.statuses === m.statuses && prev.filters === f) return prev;
  const l = m.last;
  const made = { cards: m.cards, statuses: m.statuses, filters: f };
  if (!prev || !l || prev.cards !== l.before || prev.statuses !== l.statuses || l.statuses !== m.statuses || prev.filters !== f) return { ...made, cols: columns(m, f) };
  const cols = new Map(prev.cols);
  const copied = new Set<string>();
  const list = (status: string): Card[] => {
    if (!copied.has(status)) {
      cols.set(status, [...(cols.get(status) ?? [])]); // the previous render keeps its arrays
      copied.add(status);
    }
    return cols.get(status)!;
  };
  for (const id of new Set(l.ids)) {
    const old = l.before.get(id);
    if (old && matches(old, f)) {
      const xs = list(old.status);
      const at = lowerBound(xs, old, columnOrder(old.status));
      const i = xs[at]?.id === id ? at : xs.findIndex((c) => c.id === id);
      if (i >= 0) xs.splice(i, 1);
    }
    const now = m.cards.get(id);
    if (now && matches(now, f)) {
      const xs = list(now.status);
      xs.splice(lowerBound(xs, now, columnOrder(now.status)), 0, now);
    }
  }
  return { ...made, cols };
}

/** The first index whose card does not sort before `c`. */
function lowerBound(xs: Card[], c: Card, order: (a: Card, b: Card) => number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (order(xs[mid]!, c) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function facets(m: Model): { labels: string[]; initiatives: string[]; assignees: string[] } {
  const labels = new Set<string>();
  const assignees = new Set<string>();
  for (const c of m.cards.values()) {
    for (const l of c.labels) labels.add(l);
    if (c.assignee) assignees.add(c.assignee);
  }
  return { labels: [...labels].sort(), initiatives: m.initiatives.map((i) => i.id), assignees: [...assignees].sort() };
}

export const STATUS_NAMES: Record<string, string> = { open: "Open", in_progress: "In progress", blocked: "Blocked", review: "Review", done: "Done", cancelled: "Cancelled" };

export function ago(iso: string | undefined, now = Date.now()): string {
  if (!iso) return "";
  const s = Math.round((now - Date.parse(iso)) / 1000);
  const abs = Math.abs(s);
  const text = abs < 60 ? `${abs}s` : abs < 3600 ? `${Math.round(abs / 60)}m` : abs < 86400 ? `${Math.round(abs / 3600)}h` : `${Math.round(abs / 86400)}d`;
  return s >= 0 ? `${text} ago` : `in ${text}`;
}

export function duration(ms: number | undefined): string {
  if (ms === undefined) return "";
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  return `${Math.floor(s / 86400)}d${Math.floor((s % 86400) / 3600)}h`;
}
