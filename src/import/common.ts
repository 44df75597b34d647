import { RwError } from "../domain/errors.ts";
import type { ImportNote } from "../domain/decide-import.ts";

/** A Markdown body from a description and named sections; empty sections are left out. */
export function body(description: string | undefined, sections: Array<[string, string | undefined]>): string {
  const parts: string[] = [];
  if (description && description.trim() !== "") parts.push(description.trim());
  for (const [title, text] of sections) if (text && text.trim() !== "") parts.push(`## ${title}\n\n${text.trim()}`);
  return parts.length === 0 ? "" : `${parts.join("\n\n")}\n`;
}

/** rw's acceptance criteria section (DESIGN §4): a checklist under "Acceptance criteria". */
export function criteria(items: Array<{ text: string; checked: boolean }>): string | undefined {
  const kept = items.filter((i) => i.text.trim() !== "");
  return kept.length === 0 ? undefined : kept.map((i) => `- [${i.checked ? "x" : " "}] ${i.text.trim()}`).join("\n");
}

/** Free text to checklist items: an existing checklist keeps its ticks, other lines become items. */
export function criteriaFromText(text: string | undefined): Array<{ text: string; checked: boolean }> {
  if (!text) return [];
  return text.split("\n").map((l) => l.trim()).filter((l) => l !== "").map((l) => {
    const m = /^(?:(?:[-*+]|\d+[.)])\s+)?(?:\[([ xX])\]\s+)?(.*)$/.exec(l)!;
    return { text: m[2]!, checked: (m[1] ?? " ").toLowerCase() === "x" };
  });
}

/** Parses JSON or throws an error naming the file and, when the parser says, the position. */
export function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new RwError("invalid_input", `${file} is not valid JSON: ${(err as Error).message}`, { hint: "fix the file (or export it again from its tool) and retry" });
  }
}

/** A label rw accepts, from a source tracker's free-form label ("Needs Review" -> "needs-review"). */
export function labelOf(text: string): string {
  return text.trim().replace(/[\s,[\]{}:#"']+/g, "-").replace(/-{2,}/g, "-").replace(/^-+|-+$/g, "").slice(0, 64);
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
export const str = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v : typeof v === "number" ? String(v) : undefined);
export const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(str).filter((s): s is string => s !== undefined) : []);

/** Counts occurrences for a "mapped" report line: `closed -> done x3`. */
export function tally(pairs: string[]): string[] {
  const counts = new Map<string, number>();
  for (const p of pairs) counts.set(p, (counts.get(p) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k} ×${n}`);
}

/** An ISO timestamp from a source date, or undefined when it is not one. */
export function iso(v: unknown): string | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  const ms = rfc3339Ms(s) ?? Date.parse(s);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

const RFC3339 = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

/**
 * Milliseconds of an RFC 3339 time such as beads writes (`2025-10-31T18:51:52.123456789-07:00`),
 * or undefined for anything else (Date.parse decides those). Date.parse takes a slow path for
 * nanoseconds and offsets: for 10,000 issues with four times each it was a tenth of an import.
 */
function rfc3339Ms(s: string): number | undefined {
  const m = RFC3339.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, sec] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  // Date.UTC reads years 0-99 as 19xx: leave those to Date.parse.
  if (y < 100 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59) return undefined;
  const frac = m[7] ? Number(m[7].slice(0, 3).padEnd(3, "0")) : 0;
  const zone = m[8]!;
  const offset = zone === "Z" ? 0 : (zone[0] === "-" ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  const ms = Date.UTC(y, mo - 1, d, h, mi, sec, frac) - offset * 60_000;
  // A day the month does not have (Feb 30): let Date.parse judge it as before.
  return new Date(Date.UTC(y, mo - 1, d)).getUTCDate() === d ? ms : undefined;
}

/**
 * Source labels to rw labels. A label rw cannot hold as written (`gt:merge-request`) is
 * rewritten (`gt-merge-request`), reported, and its spelling kept in `origin.labels` so an
 * export writes the original back.
 */
export function labelsOf(raw: string[], item: string, notes: ImportNote[], origin: Record<string, unknown>): string[] {
  const out: string[] = [];
  const spelled: Record<string, string> = {};
  for (const l of raw) {
    const rw = labelOf(l);
    if (rw === "") {
      notes.push({ kind: "label-dropped", item, text: `label ${JSON.stringify(l)} dropped (nothing left of it as an rw label)` });
      continue;
    }
    if (rw !== l) {
      spelled[rw] = l;
      notes.push({ kind: "label-rewritten", item, text: `label ${JSON.stringify(l)} -> ${rw}` });
    }
    out.push(rw);
  }
  if (Object.keys(spelled).length > 0) origin.labels = spelled;
  return out;
}

/**
 * Source priorities to rw's 0-4 keeping their order: values already 0-4 stay; otherwise the
 * distinct values, sorted, are spread evenly over 0-4 (rank mapping, lowest value = 0 = most
 * urgent). The source value goes to `origin.priority` so exports write it back.
 */
export function rankPriorities(values: number[]): (v: number) => number {
  const inRange = values.every((v) => Number.isInteger(v) && v >= 0 && v <= 4);
  if (inRange) return (v) => v;
  const distinct = [...new Set(values)].sort((a, b) => a - b);
  const rank = new Map(distinct.map((v, i) => [v, distinct.length === 1 ? 2 : Math.round((i * 4) / (distinct.length - 1))]));
  return (v) => rank.get(v) ?? 2;
}

/** One "field-dropped" note per source field rw does not keep, with how many items had it. */
export function droppedFields(counts: Map<string, number>, source: string, notes: ImportNote[]): void {
  for (const [field, n] of [...counts].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    notes.push({ kind: "field-dropped", item: field, text: `${source} field ${JSON.stringify(field)} not imported (${n} item${n === 1 ? "" : "s"} had it)` });
  }
}

/** Counts the fields of `rec` that are not in `known` (for droppedFields). */
export function countUnknown(rec: Record<string, unknown>, known: ReadonlySet<string>, counts: Map<string, number>): void {
  for (const k of Object.keys(rec)) if (!known.has(k) && rec[k] !== undefined && rec[k] !== null && rec[k] !== "") counts.set(k, (counts.get(k) ?? 0) + 1);
}

/**
 * Free-text acceptance criteria as rw's checklist: list lines (`- x`, `* x`, `1. x`, `[ ] x`)
 * become checkboxes (ticked when `done`, or as the source ticked them); prose, headings and
 * blank lines stay as written, so nothing of the text is lost.
 */
export function checklistOf(text: string, done: boolean): string {
  return text.split("\n").map((l) => {
    const m = /^(\s*)(?:(?:[-*+]|\d+[.)])\s+(?:\[([ xX])\]\s+)?|\[([ xX])\]\s+)(.*)$/.exec(l);
    if (!m) return l;
    const tick = m[2] ?? m[3];
    return `${m[1]}- [${tick !== undefined ? (tick === " " ? " " : "x") : done ? "x" : " "}] ${m[4]}`;
  }).join("\n");
}
