/**
 * What `rw board` sends to its page and accepts from it (versioned, shared by the server and the
 * web app: the app imports these types only). Cards are small on purpose: 10,000 of them are the
 * first message of every event stream.
 */
import type { Session } from "../domain/types.ts";

export const BOARD_PROTOCOL = 1;

export interface Card {
  id: string;
  title: string;
  status: "open" | "in_progress" | "review" | "blocked" | "done" | "cancelled";
  priority: number;
  type: string;
  labels: string[];
  /** Dependencies that are not finished yet (what the card waits on). */
  waits: string[];
  assignee?: string;
  lease_until?: string;
  initiative?: string;
  phase?: number;
  blocked_reason?: string;
  defer_until?: string;
  retry_count?: number;
  updated_at: string;
  created_at: string;
}

export interface PhaseView { n: number; title: string; status: string; done: number; total: number }

export interface InitiativeView {
  id: string;
  title: string;
  status: string;
  phases: PhaseView[];
  done: number;
  total: number;
  updated_at: string;
}

/** A session as folded from the log; the web app imports the type only. */
export type SessionView = Session;

export interface Totals { tasks: number; by_status: Record<string, number>; tokens: number; cost_usd: number }

/** The first message of the event stream: everything the board shows. */
export interface BoardSnapshot {
  v: typeof BOARD_PROTOCOL;
  tip: string;
  repo: string;
  actor: string;
  /** Statuses a card can be dropped on, in column order. */
  statuses: string[];
  /** Whether `execution.review = "human"` puts finished work in a review column. */
  review: boolean;
  cards: Card[];
  initiatives: InitiativeView[];
  sessions: SessionView[];
  totals: Totals;
}

/**
 * Every later message: what changed between two tips. Only cards that changed; initiatives and
 * sessions only when one of them did (absent: the page keeps what it has).
 */
export interface BoardDelta {
  v: typeof BOARD_PROTOCOL;
  tip: string;
  from: string;
  cards: Card[];
  removed: string[];
  initiatives?: InitiativeView[];
  sessions?: SessionView[];
  totals: Totals;
}

export interface HistoryItem { ts: string; actor: string; type: string; commit?: string; text: string }

export interface CriterionView { index: number; text: string; checked: boolean }

export interface TaskDetail {
  v: typeof BOARD_PROTOCOL;
  card: Card;
  deps: string[];
  parent?: string;
  gates: string[];
  body: string;
  /** The body as HTML made by the server from the Markdown syntax tree: every text escaped, only safe tags and links. */
  body_html: string;
  criteria: CriterionView[];
  notes: Array<{ ts: string; actor: string; text: string }>;
  history: HistoryItem[];
  usage?: { input_tokens: number; output_tokens: number; cost_usd: number; calls: number };
  /** Whether `rw run` left a transcript for this task (streamed by /api/task/ID/transcript). */
  transcript: boolean;
}

export interface AnalyticsView {
  v: typeof BOARD_PROTOCOL;
  throughput: Array<{ day: string; done: number }>;
  cycle_time: { count: number; p50: number; p90: number; p99: number; mean: number };
  lead_time: { count: number; p50: number; p90: number; p99: number; mean: number };
  /** Cycle times (claim -> done) bucketed: upper bound in ms (null: the rest) and count. */
  cycle_histogram: Array<{ le: number | null; label: string; count: number }>;
  success_rate: number | null;
  tokens: { total: number; cost: number };
}

/** An error answer: the same words the CLI prints. */
export interface ErrorBody { error: { code: string; message: string; hint?: string } }

/** A task waiting for a person (`execution.review = "human"`): what `rw review ID` shows. */
export interface ReviewView {
  v: typeof BOARD_PROTOCOL;
  id: string;
  attempt: number;
  requested_at: string;
  /** The reviewed commit: an approval or rejection names it, so it acts on what the page showed. */
  commit: string;
  branch: string;
  integration: string;
  /** Why it waits beyond the policy (a protected path it touches), if anything. */
  reason?: string;
  gates: Array<{ gate: string; passed: boolean; exit_code: number | null; timed_out: boolean; duration_ms: number; output_tail: string }>;
  verdicts: Array<{ index: number; text: string; met: boolean; evidence: string }>;
  diffstat: string;
  diff: string;
  /** The diff was cut at this many bytes (the whole one is `rw review ID`). */
  diff_cut?: number;
}
