import { progressBar } from "../domain/initiative-lifecycle.ts";
import { isClosed, type Initiative, type Session } from "../domain/types.ts";
import { cell, more, table, topK, when } from "./md.ts";
import type { StateSection } from "./state-md.ts";
import { byAge } from "../domain/order.ts";

/** Budgets that keep STATE.md under ~150 lines whatever the backlog (DESIGN §6). */
const INITIATIVES_MAX = 3;
const PHASES_MAX = 6;
const DECISIONS_MAX = 5;
const SESSIONS_MAX = 8;

const RANK: Partial<Record<Initiative["status"], number>> = { in_progress: 0, approved: 1 };
const PHASE_WORDS = { planned: "awaiting approval", approved: "approved", done: "done" } as const;
const STATUS_WORDS: Partial<Record<Initiative["status"], string>> = { in_progress: "in progress", approved: "approved" };


/** An initiative's own integration branch and how far it is ahead (as of rw's last landing on it). */
const branchNote = (i: Initiative): string =>
  i.branch ? ` · branch \`${cell(i.branch.name, 60)}\`${i.branch.ahead !== undefined ? `, ${i.branch.ahead} commit${i.branch.ahead === 1 ? "" : "s"} ahead of ${cell(i.branch.base ?? "main", 40)}` : ""}` : "";

/** A phase's goal-backward verdict, while it stands (a reopened phase is judged again once done). */
const verdictNote = (p: Initiative["phases"][number]): string => {
  const v = p.verification;
  if (!v || v.stale) return "";
  if (v.verdict === "passed") return ", verified";
  if (v.verdict === "gaps") return `, verification: ${v.gaps} gap${v.gaps === 1 ? "" : "s"} (remediation round ${v.round})`;
  return `, verification: ${v.gaps} gap${v.gaps === 1 ? "" : "s"}, blocked for a person`;
};

/** "Current position": the initiatives under way, each phase with a progress bar of its tasks. */
export const positionSection: StateSection = {
  key: "position",
  title: "Current position",
  render: ({ state, index }) => {
    const all = Object.values(state.initiatives);
    const active = all.filter((i) => RANK[i.status] !== undefined);
    const review = all.filter((i) => i.status === "review").sort(byAge);
    const lines: string[] = [];
    if (active.length === 0) lines.push("No active initiative.");
    const shown = topK(active, INITIATIVES_MAX, (a, b) => RANK[a.status]! - RANK[b.status]! || byAge(a, b));
    for (const i of shown) {
      const mine = [...index.ofInitiative(i.id)];
      const done = mine.filter((t) => isClosed(t.status)).length;
      lines.push(`- **[${i.id}](initiatives/${i.id}.md) ${cell(i.title, 60)}** (${STATUS_WORDS[i.status]}) \`${progressBar(done, mine.length)}\`${branchNote(i)}`);
      for (const p of i.phases.slice(0, PHASES_MAX)) {
        const inPhase = mine.filter((t) => t.phase === p.n);
        const closed = inPhase.filter((t) => isClosed(t.status)).length;
        lines.push(`  - Phase ${p.n}: ${cell(p.title, 60)} — ${PHASE_WORDS[p.status]}${verdictNote(p)} \`${progressBar(closed, inPhase.length)}\``);
      }
      if (i.phases.length > PHASES_MAX) lines.push(`  - … and ${i.phases.length - PHASES_MAX} more phases (\`rw initiative show ${i.id}\`)`);
    }
    lines.push(...more(active.length, shown.length, "`rw initiative list`"));
    // Completed, but its branch has not reached the main one (a merge that failed or has not run yet).
    const unmerged = all.filter((i) => i.status === "completed" && i.branch !== undefined && !i.branch.merged).sort(byAge);
    if (unmerged.length > 0) {
      const names = unmerged.slice(0, 5).map((i) => `[${i.id}](initiatives/${i.id}.md) ${cell(i.title, 40)}${branchNote(i)}`);
      lines.push("", `Completed, branch not merged yet (\`rw run\` merges it, or \`rw initiative ship ID\`): ${names.join("; ")}${unmerged.length > 5 ? `; … and ${unmerged.length - 5} more` : ""}.`);
    }
    if (review.length > 0) {
      const names = review.slice(0, 5).map((i) => `[${i.id}](initiatives/${i.id}.md) ${cell(i.title, 40)}`);
      lines.push("", `Awaiting review: ${names.join(", ")}${review.length > 5 ? `, … and ${review.length - 5} more` : ""}.`);
    }
    return lines;
  },
};

/** "Recent decisions": the newest `rw decide` entries. */
export const decisionsSection: StateSection = {
  key: "decisions",
  title: "Recent decisions",
  render: ({ state }) => {
    const all = state.decisions;
    if (all.length === 0) return ["None recorded."];
    const shown = all.slice(-DECISIONS_MAX).reverse();
    const rows = shown.map((d) => {
      const about = [d.initiative, d.task].filter((x): x is string => x !== undefined).join(", ");
      return [when(d.ts), cell(d.actor, 32), cell(d.text, 80), cell(d.why ?? "", 60), about];
    });
    return [...table(["When", "Who", "Decision", "Why", "About"], rows), ...more(all.length, shown.length, "`rw decisions`")];
  },
};

const lastSeen = (s: Session): string => s.ended_at ?? s.started_at;

function duration(ms: number | undefined): string {
  if (ms === undefined || ms < 0) return "";
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m ${s % 60}s` : `${Math.floor(m / 60)}h ${m % 60}m`;
}

function outcome(s: Session): string {
  if (s.outcome === undefined) return "running";
  const counts = [s.done_count !== undefined ? `${s.done_count} done` : "", s.failed_count ? `${s.failed_count} failed` : ""].filter(Boolean);
  return counts.length > 0 ? `${s.outcome} (${counts.join(", ")})` : s.outcome;
}

const tokens = (n: number | undefined): string => (n === undefined ? "" : n >= 10_000 ? `${Math.round(n / 1000)}k` : String(n));

/** "Recent sessions": who worked on what, when, with what outcome and cost, from `session.*` events. */
export const sessionsSection: StateSection = {
  key: "sessions",
  title: "Recent sessions",
  render: ({ state }) => {
    const all = Object.values(state.sessions);
    if (all.length === 0) return ["None recorded."];
    const shown = topK(all, SESSIONS_MAX, (a, b) => (lastSeen(a) > lastSeen(b) ? -1 : lastSeen(a) < lastSeen(b) ? 1 : a.id < b.id ? -1 : 1));
    const rows = shown.map((s) => [
      cell(s.actor, 32),
      s.tasks.slice(0, 3).map((t) => `[${t}](tasks/${t}.md)`).join(", ") + (s.tasks.length > 3 ? ", …" : ""),
      when(s.started_at),
      outcome(s),
      tokens(s.tokens),
      s.cost === undefined ? "" : `$${s.cost.toFixed(2)}`,
      duration(s.duration_ms),
    ]);
    return [...table(["Who", "Tasks", "Started", "Outcome", "Tokens", "Cost", "Took"], rows), ...more(all.length, shown.length, "`git log rewind`")];
  },
};
