import { humanDuration } from "../../analytics/chart.ts";
import { progressBar } from "../../domain/initiative-lifecycle.ts";
import { statusSummary, type StatusSummary } from "../../domain/status-summary.ts";
import { printable } from "../../domain/text.ts";
import { lockIsLive, readLock } from "../../daemon/lock.ts";
import { waitingProblems } from "../../store/mirror-problems.ts";
import { rwDir } from "../../store/repo.ts";
import { jsonArg } from "../args.ts";
import { defineRw } from "../command.ts";
import type { Context } from "../context.ts";
import { fit, paint, printJson } from "../output.ts";
import { withSnapshot } from "../read.ts";

export default defineRw({
  meta: { name: "status", description: "The backlog in one screen: counts by status, initiative progress, what is running, what waits for people, problems" },
  args: { ...jsonArg },
  examples: ["rw status", "rw status --json | jq '.by_status'"],
  async run({ args }) {
    await withSnapshot((snap, store, ctx) => {
      const now = ctx.now();
      const s = statusSummary(snap.state, now.toISOString());
      const lock = readLock(rwDir(store.repo));
      const daemon = lock && lockIsLive(lock) ? { pid: lock.pid, started_at: lock.started_at } : undefined;
      const problems = waitingProblems(store.repo);
      if (args.json) {
        return printJson(ctx, { ...s, daemon: daemon ?? null, problems: problems ? { count: problems.count, file: problems.file } : { count: 0 } });
      }
      ctx.stdout(`${screen(ctx, s, now.getTime(), daemon, problems).join("\n")}\n`);
    });
  },
});

function screen(ctx: Context, s: StatusSummary, now: number, daemon: { pid: number } | undefined, problems: { count: number; file: string } | undefined): string[] {
  const counts = Object.entries(s.by_status).map(([k, n]) => `${n} ${k.replace("_", " ")}`).join(", ");
  const lines = [
    paint(ctx, "bold", `backlog: ${s.tasks} task${s.tasks === 1 ? "" : "s"}`) + (s.tasks > 0 ? ` (${counts})` : ""),
    `  ${s.ready} ready, ${s.waiting} waiting on dependencies, a phase or a date${s.next.length > 0 ? `; next: ${s.next.map((t) => `${t.id} P${t.priority} ${fit(t.title, 40).trimEnd()}`).join(" · ")}` : ""}`,
  ];
  if (s.initiatives.length > 0) {
    lines.push("", paint(ctx, "bold", "initiatives:"));
    const w = Math.max(...s.initiatives.map((i) => i.id.length));
    for (const i of s.initiatives) {
      const approved = i.phases.filter((p) => p.status !== "planned").length;
      const phases = i.phases.length > 0 ? `  phases ${approved}/${i.phases.length} approved` : "";
      lines.push(`  ${i.id.padEnd(w)}  ${fit(i.title, 32)}  ${i.status.padEnd(11)}  ${progressBar(i.done, i.total)}${phases}`);
    }
  }
  lines.push("", paint(ctx, "bold", "running:"));
  if (s.running.length === 0 && s.sessions.length === 0) lines.push("  nothing is claimed");
  const w = Math.max(0, ...s.running.map((r) => r.id.length));
  for (const r of s.running) {
    const since = r.claimed_at ? `since ${humanDuration(Math.max(0, now - Date.parse(r.claimed_at)))}` : "";
    const lease = r.lease_until === undefined ? "" : r.expired
      ? paint(ctx, "yellow", `lease expired ${humanDuration(now - Date.parse(r.lease_until))} ago: anyone may take it over`)
      : `lease ends in ${humanDuration(Date.parse(r.lease_until) - now)}`;
    lines.push(`  ${r.id.padEnd(w)}  ${fit(r.title, 40)}  @${printable(r.assignee)}  ${[since, lease].filter(Boolean).join(", ")}`.trimEnd());
  }
  for (const x of s.sessions) lines.push(`  session ${x.id} by ${printable(x.actor)} since ${humanDuration(Math.max(0, now - Date.parse(x.started_at)))}${x.tasks.length > 0 ? ` (${x.tasks.join(", ")})` : ""}`);
  lines.push(`  daemon: ${daemon ? `running (pid ${daemon.pid})` : "not running (commands record mirror edits themselves)"}`);
  if (s.review.length > 0) {
    lines.push("", paint(ctx, "bold", `waiting for review (${s.review.length}):`));
    for (const r of s.review.slice(0, 5)) lines.push(`  ${r.id}  ${fit(r.title, 60).trimEnd()}${r.assignee ? `  @${printable(r.assignee)}` : ""}`);
    if (s.review.length > 5) lines.push(`  … and ${s.review.length - 5} more`);
  }
  if (s.blocked.length > 0) {
    lines.push("", paint(ctx, "bold", `blocked (${s.blocked.length}):`));
    for (const b of s.blocked.slice(0, 5)) lines.push(`  ${b.id}  ${fit(b.title, 40)}  ${fit(b.reason, 60).trimEnd()}`);
    if (s.blocked.length > 5) lines.push(`  … and ${s.blocked.length - 5} more (rw blocked)`);
  }
  lines.push("", problems ? paint(ctx, "red", `problems: ${problems.count} in ${problems.file} (mirror edits that were not recorded)`) : "problems: none");
  return lines;
}
