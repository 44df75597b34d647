import { tailFile } from "../board/tail.ts";
import { transcriptPath } from "../orchestrator/transcript.ts";
import type { Store } from "../store/store.ts";
import { money, renderDashboard, tokens, type Row } from "./dashboard.ts";
import { StateReader, type StatePanel } from "./state-panel.ts";
import { Screen, type Key, type TermIO } from "./term.ts";

const KEYS = "↑↓/jk select · enter follow (full-height output) · q quit";
const OUTPUT_KEPT = 256 * 1024;

/**
 * `rw board --tui`: the run dashboard without running agents. The rows are the tasks in
 * progress (whoever holds them: `rw run` workers, agents, people), the pane follows the
 * selected one's transcript, and everything refreshes when the state ref moves. Resolves on q.
 */
export function boardDashboard(o: { io: TermIO; store: Store; color: boolean; now: () => number; repo: string }): Promise<void> {
  const screen = new Screen(o.io);
  const reader = new StateReader(o.store, o.now);
  let panel: StatePanel | undefined;
  let rows: Row[] = [];
  let selectedKey: string | undefined;
  let zoom = false;
  let frame = 0;
  let output = "";
  let tailing: { task: string; stop: () => void } | undefined;

  const selected = (): number => Math.max(0, rows.findIndex((r) => r.key === selectedKey));
  const follow = (): void => {
    const task = rows[selected()]?.task;
    if (tailing?.task === task) return;
    tailing?.stop();
    tailing = undefined;
    output = "";
    if (!task) return;
    tailing = { task, stop: tailFile(transcriptPath(o.store.repo, task), (text, reset) => (output = (reset ? text : output + text).slice(-OUTPUT_KEPT))) };
  };
  const draw = (): void => {
    const s = panel?.state;
    const by: Record<string, number> = {};
    for (const t of Object.values(s?.tasks ?? {})) by[t.status] = (by[t.status] ?? 0) + 1;
    const spend = s?.spend.total;
    const budget = panel?.budgetLeft !== undefined ? ` · budget left ${money(Math.max(0, panel.budgetLeft))}` : "";
    const counts = ["open", "in_progress", "blocked", "done", "cancelled"].map((k) => `${k.replace("_", " ")} ${by[k] ?? 0}`).join(" · ");
    screen.draw(renderDashboard({
      header: `rw board · ${o.repo}`, rowsTitle: "IN PROGRESS", rows, selected: selected(), following: zoom,
      ready: zoom ? [] : panel?.ready ?? [], readyTotal: panel?.readyTotal ?? 0, initiatives: zoom ? [] : panel?.initiatives ?? [],
      output, recent: [],
      footer: `${counts} · ${tokens(spend)} · ${money(spend?.cost_usd ?? 0)}${budget}`,
      keys: KEYS, now: o.now(), frame,
    }, screen.width, screen.height, o.color));
  };
  const refresh = async (): Promise<void> => {
    const p = await reader.read().catch(() => undefined);
    if (!p || p === panel) return;
    panel = p;
    const spend = p.state.spend.by_task;
    rows = Object.values(p.state.tasks)
      .filter((t) => t.status === "in_progress")
      .sort((a, b) => ((a.claimed_at ?? a.updated_at) < (b.claimed_at ?? b.updated_at) ? -1 : 1))
      .map((t) => ({
        key: t.id, label: (t.assignee ?? "?").replace(/@.*/, ""), task: t.id, title: t.title,
        step: t.lease_until && t.lease_until < new Date(o.now()).toISOString() ? "lease expired" : `held by ${t.assignee ?? "?"}`,
        started_ms: Date.parse(t.claimed_at ?? t.updated_at), usage: spend[t.id], busy: true,
      }));
    selectedKey ??= rows[0]?.key;
    follow();
  };

  return new Promise<void>((resolve) => {
    const ticker = setInterval(() => {
      frame++;
      void refresh().then(draw);
    }, 250);
    const onKey = (k: Key): void => {
      const i = selected();
      if (k === "q" || k === "ctrl-c") {
        clearInterval(ticker);
        tailing?.stop();
        screen.stop();
        return resolve();
      }
      if (k === "up") selectedKey = rows[Math.max(0, i - 1)]?.key;
      else if (k === "down") selectedKey = rows[Math.min(rows.length - 1, i + 1)]?.key;
      else if (k === "enter") zoom = !zoom;
      else if (k === "escape") zoom = false;
      else return;
      follow();
      draw();
    };
    screen.start(onKey, draw);
    void refresh().then(draw);
  });
}
