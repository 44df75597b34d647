import { RwError } from "../domain/errors.ts";

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
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
