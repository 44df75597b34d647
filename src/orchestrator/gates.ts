import { decideGateRan, type GateRun } from "../domain/decide-run.ts";
import type { Task } from "../domain/types.ts";
import type { Actor, Store } from "../store/store.ts";
import { runShell, tail } from "./shell.ts";

export interface GateOutcome {
  passed: boolean;
  runs: GateRun[];
  /** Set when Ctrl-C stopped a gate: not the task's fault, so not a failure. */
  aborted: boolean;
}

/** The task's own gates, then the project's (`execution.gates`), each once. */
export function gatesFor(task: Task, configured: string[]): string[] {
  return [...new Set([...task.gates, ...configured].map((g) => g.trim()).filter((g) => g !== ""))];
}

/**
 * Runs the gates in the task's worktree, in order, stopping at the first failure (later gates
 * usually depend on earlier ones, and the agent needs one clear reason). Each run is a `gate.ran`
 * event with its exit code, duration and the tail of its output.
 */
export async function runGates(opts: {
  store: Store; actor: Actor; task: Task; gates: string[]; cwd: string; attempt: number;
  env: Record<string, string | undefined>; timeoutMs: number; now: () => number; signal: AbortSignal;
  onGate?: (gate: string) => void; log?: (text: string) => void;
  /** The task waits for review (a person approving it), so the runs are not recorded for a holder. */
  review?: boolean;
}): Promise<GateOutcome> {
  const runs: GateRun[] = [];
  for (const gate of opts.gates) {
    opts.onGate?.(gate);
    opts.log?.(`$ ${gate}\n`);
    const env = { ...opts.env, RW_TASK_ID: opts.task.id, CI: opts.env.CI ?? "1" };
    const r = await runShell(gate, { cwd: opts.cwd, env, timeoutMs: opts.timeoutMs, signal: opts.signal, now: opts.now });
    opts.log?.(`${r.output}${r.output.endsWith("\n") || r.output === "" ? "" : "\n"}[exit ${r.exit_code ?? (r.timed_out ? "timeout" : "killed")} after ${r.duration_ms} ms]\n`);
    if (r.aborted) return { passed: false, runs, aborted: true };
    const run: GateRun = { gate, exit_code: r.exit_code, duration_ms: r.duration_ms, timed_out: r.timed_out, output_tail: tail(r.output, 2_000), attempt: opts.attempt };
    await opts.store.transact(decideGateRan(opts.task.id, run, opts.review ? { review: true } : {}), opts.actor);
    runs.push(run);
    if (r.exit_code !== 0) return { passed: false, runs, aborted: false };
  }
  return { passed: true, runs, aborted: false };
}

/** What the next attempt is told about a failed gate. */
export function gateFeedback(runs: GateRun[]): string {
  const failed = runs.filter((r) => r.exit_code !== 0);
  return failed
    .map((r) => `Gate \`${r.gate}\` ${r.timed_out ? "timed out" : `exited with ${r.exit_code ?? "a signal"}`}. Last output:\n\`\`\`\n${tail(r.output_tail, 1_500).trimEnd()}\n\`\`\``)
    .join("\n\n");
}
