import { RwError } from "../domain/errors.ts";
import { parseDuration } from "./duration.ts";

const HUNDRED_YEARS = 100 * 365 * 86_400_000;
const RELATIVE = /^\d+(?:\.\d+)?(?:ms|s|m|h|d)/;

/**
 * A time a person types: a duration relative to now (`2d`, `12h`, `1h30m`) or a date. `back`
 * counts the duration into the past (`--since 2d`), `ahead` into the future (`--defer 3d`), so
 * both options read durations the same way. Returns ISO 8601, or undefined when not given.
 */
export function timeArg(value: string | undefined, now: Date, direction: "back" | "ahead", flag: string): string | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (RELATIVE.test(text)) {
    const ms = parseDuration(text, flag, { max: HUNDRED_YEARS });
    return new Date(now.getTime() + (direction === "back" ? -ms : ms)).toISOString();
  }
  const ms = Date.parse(text);
  if (text === "" || Number.isNaN(ms)) {
    const example = direction === "back" ? "2d, 12h" : "3d, 12h";
    throw new RwError("usage", `invalid ${flag} ${JSON.stringify(value)}`, { hint: `use a duration ${direction === "back" ? "back from" : "from"} now (${example}) or a date (2026-11-01)` });
  }
  return new Date(ms).toISOString();
}
