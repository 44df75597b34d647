import type { RwEvent } from "../domain/types.ts";

export interface Percentiles { count: number; p50: number; p90: number; p99: number; mean: number }

export interface UsageRow { key: string; tokens: number; cost: number; sessions: number }

export interface AgentRow { actor: string; claims: number; completed: number; failed: number; tool_calls: number; events: number }

export interface Analytics {
  since?: string;
  until: string;
  /** claim -> done, ms. */
  cycle_time: Percentiles;
  /** created -> done, ms. */
  lead_time: Percentiles;
  throughput: Array<{ day: string; done: number }>;
  /** Claims that ended in completion, of all claims that ended (done, failed, released, expired). */
  success_rate: number | null;
  /** Completed tasks that failed at least once on the way. */
  retry_rate: number | null;
  attempts: { completed: number; failed: number; released: number; expired: number };
  tokens: { total: number; cost: number; by_role: UsageRow[]; by_model: UsageRow[]; by_initiative: UsageRow[] };
  agents: AgentRow[];
}

export interface AnalyticsOptions {
  since?: string;
  now: string;
  /** Only tasks of this initiative (and usage attributed to it). */
  initiative?: string;
  /** A task's initiative, for usage events that only name a task. */
  initiativeOf?: (task: string) => string | undefined;
}

const DAY = 86_400_000;

/** Nearest-rank percentiles of durations (ms); zeros when there are none. */
export function percentiles(values: number[]): Percentiles {
  if (values.length === 0) return { count: 0, p50: 0, p90: 0, p99: 0, mean: 0 };
  const s = Float64Array.from(values).sort();
  const at = (p: number): number => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
  let sum = 0;
  for (const v of s) sum += v;
  return { count: s.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), mean: Math.round(sum / s.length) };
}

interface TaskTrack { created?: number; /** ts of the import that brought it, if any. */ imported?: string; claimed?: number; failures: number; initiative?: string }

const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);
const tokensOf = (v: unknown): number =>
  typeof v === "number" ? num(v) : v && typeof v === "object" ? Object.values(v as Record<string, unknown>).reduce<number>((a, b) => a + num(b), 0) : 0;

function add(map: Map<string, UsageRow>, key: string, tokens: number, cost: number): void {
  const row = map.get(key) ?? { key, tokens: 0, cost: 0, sessions: 0 };
  row.tokens += tokens;
  row.cost += cost;
  row.sessions++;
  map.set(key, row);
}

const rows = (m: Map<string, UsageRow>): UsageRow[] => [...m.values()].map((r) => ({ ...r, cost: Math.round(r.cost * 1e6) / 1e6 })).sort((a, b) => b.cost - a.cost || b.tokens - a.tokens || (a.key < b.key ? -1 : 1));

/**
 * Everything `rw analytics` reports, in one pass over the log (events in log order). The events
 * an `rw import` wrote count for nothing (that work happened in another tracker); later work on
 * imported tasks counts, except for lead time, whose start lies in the other tracker.
 */
export function computeAnalytics(events: readonly RwEvent[], opts: AnalyticsOptions): Analytics {
  const since = opts.since ?? "";
  const tasks = new Map<string, TaskTrack>();
  const cycle: number[] = [];
  const lead: number[] = [];
  const perDay = new Map<string, number>();
  const attempts = { completed: 0, failed: 0, released: 0, expired: 0 };
  let doneTasks = 0;
  let retried = 0;
  const byRole = new Map<string, UsageRow>();
  const byModel = new Map<string, UsageRow>();
  const byInitiative = new Map<string, UsageRow>();
  let totalTokens = 0;
  let totalCost = 0;
  const agents = new Map<string, AgentRow>();
  const agent = (actor: string): AgentRow => {
    let a = agents.get(actor);
    if (!a) agents.set(actor, (a = { actor, claims: 0, completed: 0, failed: 0, tool_calls: 0, events: 0 }));
    return a;
  };
  // With per-call `agent.usage` events in the log, a session's end totals would count the same
  // spend twice: they are used only for logs that have no per-call usage.
  const perCall = events.some((e) => e.type === "agent.usage");
  for (const e of events) {
    const id = e.task;
    let t = id ? tasks.get(id) : undefined;
    if (e.type === "task.created" && id) {
      const ini = typeof e.data.initiative === "string" ? e.data.initiative : undefined;
      tasks.set(id, (t = { created: Date.parse(e.ts), failures: 0, ...(typeof e.data.source === "string" ? { imported: e.ts } : {}), ...(ini ? { initiative: ini } : {}) }));
    } else if (e.type === "task.edited" && t && "initiative" in e.data) {
      t.initiative = typeof e.data.initiative === "string" ? e.data.initiative : undefined;
    }
    // The events an import wrote to reproduce the source's statuses are history from elsewhere, not work done here.
    if (t?.imported === e.ts) continue;
    const inScope = e.ts >= since && (opts.initiative === undefined || (t ? t.initiative === opts.initiative : e.initiative === opts.initiative));
    if (e.type === "task.claimed" && t) t.claimed = Date.parse(e.ts);
    if (e.type === "task.failed" && t) t.failures++;
    if (inScope) {
      const a = agent(e.actor);
      a.events++;
      switch (e.type) {
        case "task.claimed":
          if (e.data.renewed !== true) a.claims++;
          break;
        case "task.completed": {
          a.completed++;
          attempts.completed++;
          doneTasks++;
          if (t && t.failures > 0) retried++;
          const day = e.ts.slice(0, 10);
          perDay.set(day, (perDay.get(day) ?? 0) + 1);
          const at = Date.parse(e.ts);
          if (t && t.claimed !== undefined) cycle.push(at - t.claimed);
          if (t && t.created !== undefined && t.imported === undefined) lead.push(at - t.created);
          break;
        }
        case "task.failed":
          a.failed++;
          attempts.failed++;
          break;
        case "task.released":
          attempts.released++;
          break;
        case "task.lease_expired":
          attempts.expired++;
          break;
        case "agent.tool_called":
          a.tool_calls++;
          break;
      }
      if ((e.type === "session.ended" && !perCall) || e.type.endsWith(".usage")) {
        const tokens = tokensOf(e.data.tokens) || num(e.data.input_tokens) + num(e.data.output_tokens);
        const cost = num(e.data.cost) || num(e.data.cost_usd);
        if (tokens > 0 || cost > 0) {
          totalTokens += tokens;
          totalCost += cost;
          add(byRole, typeof e.data.role === "string" ? e.data.role : "unknown", tokens, cost);
          add(byModel, typeof e.data.model === "string" ? e.data.model : "unknown", tokens, cost);
          const ini = e.initiative ?? t?.initiative ?? (id ? opts.initiativeOf?.(id) : undefined) ?? "(none)";
          add(byInitiative, ini, tokens, cost);
        }
      }
    }
    if (e.type === "task.completed" && t) t.claimed = undefined;
  }
  const ended = attempts.completed + attempts.failed + attempts.released + attempts.expired;
  return {
    ...(opts.since ? { since: opts.since } : {}),
    until: opts.now,
    cycle_time: percentiles(cycle),
    lead_time: percentiles(lead),
    throughput: fillDays(perDay, opts.since, opts.now),
    success_rate: ended === 0 ? null : attempts.completed / ended,
    retry_rate: doneTasks === 0 ? null : retried / doneTasks,
    attempts,
    tokens: { total: totalTokens, cost: Math.round(totalCost * 1e6) / 1e6, by_role: rows(byRole), by_model: rows(byModel), by_initiative: rows(byInitiative) },
    agents: [...agents.values()].sort((a, b) => b.completed - a.completed || b.events - a.events || (a.actor < b.actor ? -1 : 1)).slice(0, 10),
  };
}

/** Every day from the window's start (or the first completion) to now, zeros included, at most 60. */
function fillDays(perDay: Map<string, number>, since: string | undefined, now: string): Array<{ day: string; done: number }> {
  const days = [...perDay.keys()].sort();
  const first = since ? since.slice(0, 10) : days[0];
  if (first === undefined) return [];
  const out: Array<{ day: string; done: number }> = [];
  const end = Date.parse(`${now.slice(0, 10)}T00:00:00Z`);
  for (let d = Math.max(Date.parse(`${first}T00:00:00Z`), end - 59 * DAY); d <= end; d += DAY) {
    const day = new Date(d).toISOString().slice(0, 10);
    out.push({ day, done: perDay.get(day) ?? 0 });
  }
  return out;
}
