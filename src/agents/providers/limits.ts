import type { ProviderErrorKind } from "../types.ts";

/**
 * Reads a CLI agent's failure text the way a person would: a usage or rate limit, an overloaded
 * or failing server, or something else. Status codes count only as whole numbers, so the reset
 * stamp in "Claude AI usage limit reached|1767225600" is not a 5xx.
 */
export function classifyFailureText(text: string): ProviderErrorKind | undefined {
  if (/\b(rate[ _-]?limit(ed)?|usage limit|too many requests|quota|hit your limit|429)\b/i.test(text)) return "rate_limit";
  if (/\b(overloaded(_error)?|server error|api_error|internal error|service unavailable|bad gateway|5\d\d)\b/i.test(text)) return "server";
  return undefined;
}

/**
 * When a limit lifts, if the text says: Claude Code's `…usage limit reached|<epoch seconds>`, or an
 * ISO time after "reset". Undefined when it does not say (the caller picks a default rest).
 */
export function resetTimeOf(text: string, now = Date.now()): number | undefined {
  const epoch = /limit[^|\n]*\|(\d{10})\b/i.exec(text);
  if (epoch) return Number(epoch[1]) * 1000;
  const iso = /reset[^0-9]{0,20}(\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d)?(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?)/i.exec(text);
  if (iso) {
    const t = Date.parse(iso[1]!);
    if (Number.isFinite(t) && t > now) return t;
  }
  const rel = /try again in (\d+)\s*(second|minute|hour)s?/i.exec(text);
  if (rel) return now + Number(rel[1]) * { second: 1000, minute: 60_000, hour: 3_600_000 }[rel[2]!.toLowerCase() as "second"];
  return undefined;
}

/** codex prints transient stream retries as `{"type":"error","message":"Reconnecting... 2/5 (…)"}` before it goes on. */
export const isReconnectNotice = (message: string): boolean => /^Reconnecting\.\.\.\s*\d+\/\d+/.test(message.trim());
