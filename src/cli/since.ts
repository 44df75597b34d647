import { timeArg } from "../format/when.ts";

/** `--since 2d` (a duration back from now) or `--since 2026-11-01` (a date): the ISO lower bound. */
export function sinceArg(value: string | undefined, now: Date): string | undefined {
  return timeArg(value, now, "back", "--since");
}

/**
 * `--defer 3d` (a duration from now) or `--defer 2026-12-24` (a date); "" is passed through to
 * clear it (`rw edit --defer ""`). Dates keep their own validation in the domain.
 */
export function deferArg(value: string | undefined, now: Date): string | undefined {
  if (value === undefined || value.trim() === "") return value;
  if (/^\d+(?:\.\d+)?(?:ms|s|m|h|d)/.test(value.trim())) return timeArg(value, now, "ahead", "--defer");
  return value;
}
