import type { InitiativeView } from "../board/protocol.ts";
import { bar, cell, clean, painter, width, wrap, type Paint } from "./text.ts";

export interface Usage { input_tokens: number; output_tokens: number; cost_usd: number }

/** One row of the workers table: a worker of `rw run`, or (for `rw board --tui`) a task in progress. */
export interface Row {
  key: string;
  label: string;
  task?: string | undefined;
  title?: string | undefined;
  step?: string | undefined;
  started_ms?: number | undefined;
  usage?: Usage | undefined;
  busy: boolean;
  /** The transcript to show when selected. */
  transcript?: string | undefined;
}

export interface DashboardModel {
  header: string;
  /** The rows' heading: "WORKERS" for a run, "IN PROGRESS" for the board. */
  rowsTitle?: string;
  notice?: string | undefined;
  rows: Row[];
  selected: number;
  following: boolean;
  ready: Array<{ id: string; priority: number; title: string }>;
  readyTotal: number;
  initiatives: InitiativeView[];
  output: string;
  recent: string[];
  footer: string;
  keys: string;
  now: number;
  frame: number;
}

const SPIN = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export const elapsed = (ms: number): string => {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
};
export const tokens = (u: Usage | undefined): string => {
  const n = u ? u.input_tokens + u.output_tokens : 0;
  return n >= 1000 ? `${(n / 1000).toFixed(1)}k tok` : `${n} tok`;
};
export const money = (usd: number): string => `$${usd.toFixed(usd < 1 ? 4 : 2)}`;

/**
 * The whole screen as lines of exactly `w` columns: header, workers, ready queue and
 * initiative progress side by side (or stacked when narrow), the selected worker's output,
 * recent results and the footer. Pure: the controllers own the state and the terminal.
 */
export function renderDashboard(m: DashboardModel, w: number, h: number, color: boolean): string[] {
  const p = painter(color);
  const lines: string[] = [];
  const push = (s: string, style?: Parameters<Paint>[0]): void => {
    const fitted = cell(s, w);
    lines.push(style ? p(style, fitted) : fitted);
  };
  push(m.header + (m.notice ? `  ·  ${m.notice}` : ""), "bold");

  // Workers
  push(m.rowsTitle ? ` ${m.rowsTitle} (${m.rows.length})` : ` WORKERS (${m.rows.filter((r) => r.busy).length} busy of ${m.rows.length})`, "dim");
  const labelW = Math.min(16, Math.max(3, ...m.rows.map((r) => width(r.label))));
  const rowsShown = Math.max(1, Math.min(m.rows.length, Math.floor(h / 4)));
  const firstRow = Math.max(0, Math.min(m.selected - rowsShown + 1, m.rows.length - rowsShown));
  for (const [i, r] of m.rows.slice(firstRow, firstRow + rowsShown).entries()) {
    const sel = firstRow + i === m.selected;
    const lead = `${sel ? ">" : " "} ${cell(r.label, labelW)} ${r.busy ? SPIN[m.frame % SPIN.length]! : " "} `;
    if (!r.busy || !r.task) {
      const s = `${lead}idle`;
      lines.push(sel ? p("inverse", cell(s, w)) : p("dim", cell(s, w)));
      continue;
    }
    const right = `${elapsed(m.now - (r.started_ms ?? m.now)).padStart(7)} ${tokens(r.usage).padStart(10)} ${money(r.usage?.cost_usd ?? 0).padStart(8)}`;
    const room = w - width(lead) - width(right) - 2;
    const idW = Math.min(14, Math.max(8, r.task.length));
    const stepW = Math.max(8, Math.floor((room - idW) * 0.35));
    const titleW = Math.max(4, room - idW - stepW - 2);
    const s = `${lead}${cell(r.task, idW)} ${cell(clean(r.title ?? ""), titleW)} ${cell(clean(r.step ?? ""), stepW)} ${right}`;
    lines.push(sel ? p("inverse", cell(s, w)) : cell(s, w));
  }
  if (m.rows.length === 0) push(m.rowsTitle ? "   nothing in progress" : "   no workers", "dim");

  // Ready queue | initiatives
  const side = w >= 100;
  const lw = side ? Math.floor(w / 2) - 1 : w;
  const ready = [`READY (${m.readyTotal})`, ...m.ready.map((t) => `  ${t.id}  P${t.priority}  ${clean(t.title)}`)];
  if (m.ready.length === 0) ready.push("  nothing is ready");
  const inits: string[] = ["INITIATIVES"];
  for (const i of m.initiatives.filter((x) => x.status !== "completed" && x.status !== "cancelled").slice(0, 4)) {
    inits.push(`  ${i.id} ${bar(i.done, i.total, 12)} ${i.done}/${i.total}  ${clean(i.title)}`);
    for (const ph of i.phases.slice(0, 4)) inits.push(`    ${ph.n}. ${bar(ph.done, ph.total, 8)} ${ph.done}/${ph.total} ${ph.status.padEnd(8)} ${clean(ph.title)}`);
  }
  if (inits.length === 1) inits.push("  none active");
  const listH = Math.max(2, Math.min(Math.max(ready.length, side ? inits.length : 0), Math.floor(h / 4)));
  if (side) {
    for (let i = 0; i < listH; i++) {
      const a = cell(ready[i] ?? "", lw);
      const b = cell(inits[i] ?? "", w - lw - 2);
      lines.push(i === 0 ? p("dim", `${a}  ${b}`) : `${a}  ${b}`);
    }
  } else {
    const each = Math.max(2, Math.floor(h / 8));
    for (const [i, s] of ready.slice(0, each).entries()) push(s, i === 0 ? "dim" : undefined);
    for (const [i, s] of inits.slice(0, each).entries()) push(s, i === 0 ? "dim" : undefined);
  }

  // Output of the selected worker
  const sel = m.rows[m.selected];
  const label = sel?.task ? `${sel.label} ${sel.task}${m.following ? " (following)" : ""}` : "no worker selected";
  const rule = `── output: ${label} `;
  push(rule + "─".repeat(Math.max(0, w - width(rule))), "dim");
  const recentH = Math.min(m.recent.length, 3);
  const outH = Math.max(1, h - lines.length - recentH - 2);
  const outLines = m.output.split("\n").map(clean).flatMap((l) => wrap(l, w));
  while (outLines.length > 0 && outLines[outLines.length - 1] === "") outLines.pop();
  const tail = outLines.slice(-outH);
  for (let i = 0; i < outH; i++) push(tail[i] ?? "");
  for (const r of m.recent.slice(-recentH)) push(r);
  push(m.footer, "bold");
  push(m.keys, "dim");
  return lines.slice(0, h);
}
