/** Small Markdown helpers shared by the view renderers (pure). */
import { insertionPoint } from "../domain/sorted.ts";

/** A table cell: pipes escaped, newlines flattened, long text cut so rows stay one screen wide. */
export function cell(text: string, max = 72): string {
  const flat = text.replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** `2026-11-21T10:02:03.123Z` -> `2026-11-21 10:02`: minutes are enough for a glance. */
export function when(iso: string | undefined): string {
  if (iso === undefined || iso.length < 16) return iso ?? "";
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

export function table(header: string[], rows: string[][]): string[] {
  return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)];
}

export const more = (total: number, shown: number, how: string): string[] =>
  total > shown ? [`… and ${total - shown} more (${how})`] : [];

/**
 * The best `k` items by `cmp` without sorting everything: views run on every write, and a full
 * sort of 10,000 tasks to show ten would be most of their cost.
 */
export function topK<T>(items: Iterable<T>, k: number, cmp: (a: T, b: T) => number): T[] {
  const best: T[] = [];
  if (k <= 0) return best;
  for (const item of items) {
    if (best.length === k && cmp(item, best[k - 1]!) >= 0) continue;
    best.splice(insertionPoint(best, item, cmp), 0, item);
    if (best.length > k) best.pop();
  }
  return best;
}
