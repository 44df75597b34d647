import { MAX_TIMER_MS } from "../domain/decide.ts";
import { RwError } from "../domain/errors.ts";

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export { MAX_TIMER_MS };

/** The limit as a person reads it: "24d 20h 31m 23s (2^31-1 ms, Node's timer limit)". */
export const MAX_TIMER_TEXT = "24d 20h 31m 23s (2^31-1 ms, the longest timer Node.js can set)";

/**
 * "30m", "90s", "2h", "1d", "1h30m" -> milliseconds. Bounded by `max` (default: the timer limit,
 * because leases, timeouts and intervals become timers: past 2^31-1 ms Node fires them at once,
 * which made a 100d lease heartbeat hundreds of times a second).
 */
export function parseDuration(text: string, what = "duration", opts: { max?: number } = {}): number {
  const re = /(\d{1,15}(?:\.\d{1,9})?)(ms|s|m|h|d)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    matched += m[0].length;
  }
  if (matched !== text.length || text.length === 0 || !(total > 0) || !Number.isFinite(total)) {
    throw new RwError("usage", `invalid ${what} ${JSON.stringify(text)}`, { hint: "use a number and a unit: 90s, 30m, 2h, 1d" });
  }
  const max = opts.max ?? MAX_TIMER_MS;
  if (total > max) {
    throw new RwError("usage", `${what} ${JSON.stringify(text)} is too long: the limit is ${max === MAX_TIMER_MS ? MAX_TIMER_TEXT : `${Math.floor(max / UNITS.d!)}d`}`, {
      hint: max === MAX_TIMER_MS ? "use at most 24d (claims renew with heartbeats; a shorter lease is safer)" : `use at most ${Math.floor(max / UNITS.d!)}d`,
      data: { max_ms: max },
    });
  }
  return Math.round(total);
}
