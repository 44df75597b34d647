import { tailFile } from "../board/tail.ts";
import type { Usage as RunUsage } from "../orchestrator/executor.ts";
import type { ProgressEvent } from "../orchestrator/progress-events.ts";
import { transcriptPath } from "../orchestrator/transcript.ts";
import type { Store } from "../store/store.ts";
import { elapsed, money, renderDashboard, tokens, type Row } from "./dashboard.ts";
import { StateReader, type StatePanel } from "./state-panel.ts";
import { Screen, type Key, type TermIO } from "./term.ts";

export interface RunDashboardOptions {
  io: TermIO;
  store: Store;
  parallel: number;
  color: boolean;
  now: () => number;
  /** `q` or Ctrl-C: stop the run the way Ctrl-C does without the dashboard. */
  onStop: () => void;
}

export interface RunDashboard {
  emit: (e: ProgressEvent) => void;
  /** runLoop's `holdClaims`: resolves at once, or when claims are resumed (`p`) or the run stops. */
  holdClaims: () => Promise<void>;
  /** Leaves the full screen and prints the run's outcome lines to the normal screen. */
  close: () => void;
}

const KEYS = "↑↓/jk select · enter follow (full-height output) · p pause new claims · q stop";
const OUTPUT_KEPT = 256 * 1024;

/** `rw run --tui`: the full-screen dashboard, fed by the run's progress events. */
export function startRunDashboard(o: RunDashboardOptions): RunDashboard {
  const screen = new Screen(o.io);
  const reader = new StateReader(o.store, o.now);
  const rows: Row[] = Array.from({ length: o.parallel }, (_, i) => ({ key: String(i + 1), label: `w${i + 1}`, busy: false }));
  const recent: string[] = [];
  const totals = { done: 0, retry: 0, blocked: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0 };
  let header = `rw run · ${o.parallel} worker${o.parallel === 1 ? "" : "s"}`;
  let panel: StatePanel | undefined;
  let selected = 0;
  let zoom = false;
  let paused = false;
  let stopping = false;
  let frame = 0;
  let output = "";
  let tailing: { task: string; stop: () => void } | undefined;
  let release: (() => void) | undefined;
  let gate: Promise<void> | undefined;
  let dirty = true;

  const follow = (): void => {
    const task = rows[selected]?.task;
    if (tailing?.task === task) return;
    tailing?.stop();
    tailing = undefined;
    output = "";
    if (!task) return;
    tailing = {
      task,
      stop: tailFile(transcriptPath(o.store.repo, task), (text, reset) => {
        output = (reset ? text : output + text).slice(-OUTPUT_KEPT);
        dirty = true;
      }),
    };
  };

  const draw = (): void => {
    dirty = false;
    const live = rows.reduce((a, r) => ({ i: a.i + (r.busy ? (r.usage?.input_tokens ?? 0) : 0), o: a.o + (r.busy ? (r.usage?.output_tokens ?? 0) : 0), c: a.c + (r.busy ? (r.usage?.cost_usd ?? 0) : 0) }), { i: 0, o: 0, c: 0 });
    const u = { input_tokens: totals.input_tokens + live.i, output_tokens: totals.output_tokens + live.o, cost_usd: totals.cost_usd + live.c };
    const budget = panel?.budgetLeft !== undefined ? ` · budget left ${money(Math.max(0, panel.budgetLeft))}` : "";
    const notice = stopping ? "stopping: workers stop before their merge, claims are released" : paused ? "new claims paused (p resumes)" : undefined;
    const model = {
      header, notice, rows, selected, following: zoom,
      ready: zoom ? [] : panel?.ready ?? [], readyTotal: panel?.readyTotal ?? 0, initiatives: zoom ? [] : panel?.initiatives ?? [],
      output, recent,
      footer: `done ${totals.done} · retry ${totals.retry} · blocked ${totals.blocked} · ${tokens(u)} · ${money(u.cost_usd)}${budget}`,
      keys: KEYS, now: o.now(), frame,
    };
    screen.draw(renderDashboard(model, screen.width, screen.height, o.color));
  };

  const setPaused = (p: boolean): void => {
    paused = p;
    if (!p) {
      release?.();
      release = undefined;
      gate = undefined;
    }
    dirty = true;
  };

  const onKey = (k: Key): void => {
    if (k === "q" || k === "ctrl-c") {
      if (stopping) return;
      stopping = true;
      setPaused(false);
      o.onStop();
    } else if (k === "up") selected = Math.max(0, selected - 1);
    else if (k === "down") selected = Math.min(rows.length - 1, selected + 1);
    else if (k === "home") selected = 0;
    else if (k === "end") selected = rows.length - 1;
    else if (k === "enter") zoom = !zoom;
    else if (k === "escape") zoom = false;
    else if (k === "p" && !stopping) setPaused(!paused);
    else return;
    follow();
    dirty = true;
  };

  const note = (line: string): void => {
    recent.push(line);
    if (recent.length > 50) recent.shift();
  };

  screen.start(onKey, () => draw());
  const refresh = (): void => {
    void reader.read().then((p) => {
      if (p && p !== panel) {
        panel = p;
        dirty = true;
      }
    }, () => undefined);
  };
  refresh();
  const ticker = setInterval(() => {
    frame++;
    refresh();
    draw();
  }, 250);
  const painter = setInterval(() => dirty && draw(), 50);
  draw();

  const rowOf = (n: number): Row | undefined => rows[n - 1];
  return {
    emit: (e) => {
      const add = (usage: RunUsage): void => {
        totals.input_tokens += usage.input_tokens;
        totals.output_tokens += usage.output_tokens;
        totals.cost_usd += usage.cost_usd;
      };
      switch (e.event) {
        case "session.started":
          header = `rw run · session ${e.session} · ${e.parallel} worker${e.parallel === 1 ? "" : "s"} · merging into ${e.integration}`;
          break;
        case "step": {
          const r = rowOf(e.worker);
          if (r) Object.assign(r, { task: e.task, title: e.title, step: e.step, started_ms: e.started_ms, usage: e.usage, busy: true });
          break;
        }
        case "task.completed":
          totals.done++;
          add(e.usage);
          note(`done    ${e.task}  ${e.title}  (${elapsed(e.duration_ms)}, ${tokens(e.usage)}, ${money(e.usage.cost_usd)}, ${e.commit.slice(0, 10)})`);
          break;
        case "task.failed":
          if (e.will_retry) totals.retry++;
          else totals.blocked++;
          add(e.usage);
          note(`${e.will_retry ? "retry " : "blocked"} ${e.task}  ${e.title}: ${e.error}`);
          break;
        case "task.interrupted":
          note(`stopped ${e.task}  ${e.title} (${e.released ? "claim released" : "claim kept until its lease ends"}; worktree kept)`);
          break;
        case "task.lost":
          note(`lost    ${e.task}  its claim expired and was taken over; nothing recorded`);
          break;
        case "session.ended":
          note(`${e.interrupted ? "stopped" : "finished"}: ${e.completed.length} done, ${e.failed.length} to retry, ${e.blocked.length} blocked in ${elapsed(e.duration_ms)} (${tokens(e.usage)}, ${money(e.usage.cost_usd)})`);
          break;
        case "worker.idle":
          break;
      }
      if ("worker" in e && e.event !== "step") {
        const r = rowOf(e.worker);
        // The row keeps its task until the next claim, so its output can still be read.
        if (r) r.busy = false;
      }
      if (e.event !== "step" || rows[selected]?.task !== tailing?.task) follow();
      dirty = true;
    },
    holdClaims: () => {
      if (!paused || stopping) return Promise.resolve();
      gate ??= new Promise<void>((r) => (release = r));
      return gate;
    },
    close: () => {
      clearInterval(ticker);
      clearInterval(painter);
      tailing?.stop();
      screen.stop();
      const outcome = recent.filter((l) => /^(done|retry|blocked|stopped|lost|finished)/.test(l));
      if (outcome.length) o.io.stdout.write(`${outcome.join("\n")}\n`);
    },
  };
}
