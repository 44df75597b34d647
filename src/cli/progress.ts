import type { Usage } from "../orchestrator/executor.ts";
import type { ProgressEvent } from "../orchestrator/progress-events.ts";
import type { Context } from "./context.ts";
import { fit, paint } from "./output.ts";

export const elapsed = (ms: number): string => {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
};

export const tokens = (u: Usage): string => {
  const n = u.input_tokens + u.output_tokens;
  return n >= 1000 ? `${(n / 1000).toFixed(1)}k tok` : `${n} tok`;
};

export const cost = (u: Usage): string => `$${u.cost_usd.toFixed(u.cost_usd < 1 ? 4 : 2)}`;

/** A line for events that are worth keeping in the scrollback (and the only lines off a terminal). */
function permanent(ctx: Context, e: ProgressEvent): string | undefined {
  switch (e.event) {
    case "session.started":
      return `rw run: session ${e.session}, ${e.parallel} worker${e.parallel === 1 ? "" : "s"}, merging into ${e.integration}${e.resumed.length ? `; resuming ${e.resumed.join(", ")}` : ""}`;
    case "task.completed":
      return `${paint(ctx, "green", "done")}    ${e.task}  ${e.title}  (${elapsed(e.duration_ms)}, ${e.files.length} file${e.files.length === 1 ? "" : "s"}, ${tokens(e.usage)}, ${cost(e.usage)}, ${e.commit.slice(0, 10)})`;
    case "task.failed":
      return `${paint(ctx, e.will_retry ? "yellow" : "red", e.will_retry ? "retry" : "blocked")}   ${e.task}  ${e.title}: ${e.error}`;
    case "task.interrupted":
      return `stopped ${e.task}  ${e.title} (${e.released ? "claim released" : "claim kept until its lease ends"}; worktree kept)`;
    case "task.review":
      return `${paint(ctx, "yellow", "review")}  ${e.task}  ${e.title}: waits for a person (rw review ${e.task})${e.reason ? `; note: ${e.reason}` : ""}`;
    case "task.lost":
      return `lost    ${e.task}  its claim expired and was taken over; nothing recorded`;
    case "session.ended":
      return `${e.interrupted ? "stopped" : "finished"}: ${e.completed.length} done, ${e.failed.length} to retry, ${e.blocked.length} blocked${e.review.length ? `, ${e.review.length} waiting for review` : ""} in ${elapsed(e.duration_ms)} (${tokens(e.usage)}, ${cost(e.usage)})`;
    default:
      return undefined;
  }
}

/**
 * Shows a run's progress: on a terminal, one live line per worker (task, step, elapsed, tokens,
 * cost) under the finished tasks; otherwise plain lines as things happen; with --json, the events
 * themselves, one object per line.
 */
export function progressPrinter(ctx: Context, mode: "json" | "tty" | "plain"): { emit: (e: ProgressEvent) => void; close: () => void } {
  if (mode === "json") return { emit: (e) => ctx.stdout(`${JSON.stringify({ v: 1, ...e })}\n`), close: () => undefined };
  if (mode === "plain") {
    const lastStep = new Map<number, string>();
    return {
      emit: (e) => {
        if (e.event === "step") {
          const key = `${e.task}:${e.step}`;
          if (lastStep.get(e.worker) === key) return;
          lastStep.set(e.worker, key);
          return ctx.stdout(`w${e.worker}      ${e.task}  ${e.step}\n`);
        }
        const line = permanent(ctx, e);
        if (line) ctx.stdout(`${line}\n`);
      },
      close: () => undefined,
    };
  }
  const live = new Map<number, Extract<ProgressEvent, { event: "step" }> | undefined>();
  let drawn = 0;
  const draw = (): void => {
    const rows = [...live.entries()].sort(([a], [b]) => a - b).map(([n, s]) =>
      s ? `w${n}  ${s.task}  ${fit(s.title, 28)}  ${fit(s.step, 22)}  ${elapsed(Date.now() - s.started_ms).padStart(6)}  ${tokens(s.usage).padStart(10)}  ${cost(s.usage)}` : paint(ctx, "dim", `w${n}  idle`));
    ctx.stdout(`${drawn > 0 ? `\u001b[${drawn}F` : ""}${rows.map((r) => `\u001b[2K${r}`).join("\n")}${rows.length ? "\n" : ""}\u001b[J`);
    drawn = rows.length;
  };
  const clear = (): void => {
    if (drawn > 0) ctx.stdout(`\u001b[${drawn}F\u001b[J`);
    drawn = 0;
  };
  const ticker = setInterval(draw, 1000);
  ticker.unref();
  return {
    emit: (e) => {
      if (e.event === "step") live.set(e.worker, e);
      else if (e.event === "worker.idle") live.set(e.worker, undefined);
      else if ("worker" in e) live.set(e.worker, undefined);
      const line = permanent(ctx, e);
      if (line) {
        clear();
        ctx.stdout(`${line}\n`);
      }
      if (e.event === "session.ended") live.clear();
      draw();
    },
    close: () => {
      clearInterval(ticker);
      clear();
    },
  };
}
