import type { ImportNote } from "../domain/decide-import.ts";
import type { ImportOutcome } from "./run.ts";

/** How many example lines each kind of note shows without --verbose. */
const EXAMPLES = 3;

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * The human report of an import: what was imported, how concepts mapped, the notes grouped by
 * kind (a few examples each; every one with `verbose`), and, last, the counts per kind.
 */
export function importReport(r: ImportOutcome, verbose: boolean): string {
  const statuses = Object.entries(r.by_status).map(([s, n]) => `${n} ${s}`).join(", ");
  const lines = [
    `${r.dry_run ? "would import" : "imported"} ${plural(r.created.length, "task")} of ${plural(r.items, "item")} from ${r.kind} (${r.path})${statuses ? `: ${statuses}` : ""}`,
    ...r.initiatives.map((i) => `initiative ${i}${r.kind === "prd" ? ` (in review: \`rw initiative approve ${i} --phase 1\` makes its stories ready)` : ""}`),
    ...(r.commit ? [`one commit on the state ref: ${r.commit.slice(0, 10)} (${plural(r.events, "event")})`] : []),
    ...r.mapped.map((m) => `mapped: ${m}`),
  ];
  const byKind = new Map<string, ImportNote[]>();
  for (const n of r.notes) byKind.set(n.kind, [...(byKind.get(n.kind) ?? []), n]);
  for (const [kind, notes] of byKind) {
    const shown = verbose ? notes : notes.slice(0, EXAMPLES);
    lines.push(`${kind} (${notes.length}):`);
    for (const n of shown) lines.push(`  ${n.item ? `${n.item}: ` : ""}${n.text}`);
    if (shown.length < notes.length) lines.push(`  … and ${notes.length - shown.length} more (--verbose lists them, --json has them all)`);
  }
  lines.push(`counts: ${Object.entries(r.counts).map(([k, n]) => `${k} ${n}`).join(", ")}`);
  return `${lines.join("\n")}\n`;
}
