/** A horizontal bar chart for a terminal: one row per label, bars scaled to the largest value. */
export function barChart(rows: Array<{ label: string; value: number }>, width = 40): string[] {
  const max = Math.max(0, ...rows.map((r) => r.value));
  const labelWidth = Math.max(0, ...rows.map((r) => r.label.length));
  return rows.map((r) => {
    const cells = max === 0 ? 0 : (r.value / max) * width;
    const full = Math.floor(cells);
    // Eighth blocks keep small differences visible at a glance.
    const part = " ▏▎▍▌▋▊▉"[Math.round((cells - full) * 8)] ?? "";
    return `${r.label.padEnd(labelWidth)}  ${"█".repeat(full)}${full < width && part !== " " ? part : ""} ${r.value}`.trimEnd();
  });
}

/** Milliseconds as a short human duration: 45s, 12m, 3.5h, 2.1d. */
export function humanDuration(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)}s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)}m`;
  if (ms < 86_400_000) return `${(ms / 3_600_000).toFixed(1)}h`;
  return `${(ms / 86_400_000).toFixed(1)}d`;
}
