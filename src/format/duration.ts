import { RwError } from "../domain/errors.ts";

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "30m", "90s", "2h", "1d", "1h30m" -> milliseconds. */
export function parseDuration(text: string, what = "duration"): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    matched += m[0].length;
  }
  if (matched !== text.length || text.length === 0 || total <= 0) {
    throw new RwError("usage", `invalid ${what} ${JSON.stringify(text)}`, { hint: "use a number and a unit: 90s, 30m, 2h, 1d" });
  }
  return Math.round(total);
}
