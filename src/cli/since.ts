import { RwError } from "../domain/errors.ts";
import { parseDuration } from "../format/duration.ts";

/** `--since 2d` (a duration back from now) or `--since 2026-11-01` (a date): the ISO lower bound. */
export function sinceArg(value: string | undefined, now: Date): string | undefined {
  if (value === undefined) return undefined;
  if (/^\d+(?:\.\d+)?(?:ms|s|m|h|d)/.test(value)) return new Date(now.getTime() - parseDuration(value, "--since", { max: 100 * 365 * 86_400_000 })).toISOString();
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new RwError("usage", `invalid --since ${JSON.stringify(value)}`, { hint: "use a duration back from now (2d, 12h) or a date (2026-11-01)" });
  return new Date(ms).toISOString();
}
