import type { GateRun } from "../domain/decide-run.ts";
import type { Task } from "../domain/types.ts";
import type { Actor } from "../store/store.ts";

/**
 * What the loop needs from an agent: do the work in a worktree, and judge the result. The agent
 * layer (src/agents) provides the real one; the loop, git, gates and merge never depend on which.
 */
export interface Executor {
  work(req: WorkRequest): Promise<WorkResult>;
  verify(req: VerifyRequest): Promise<VerifyResult>;
  /** The worker role's `escalate` model, if configured: where a repeated identical failure goes next. */
  escalation?: string | undefined;
}

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
}

export const noUsage = (): Usage => ({ input_tokens: 0, output_tokens: 0, cost_usd: 0 });

/** The sum of two usages; money in whole micro-dollars, so a long run's total prints as it should. */
export function addUsage(a: Usage, b: Usage | undefined): Usage {
  if (!b) return a;
  return { input_tokens: a.input_tokens + b.input_tokens, output_tokens: a.output_tokens + b.output_tokens, cost_usd: Math.round((a.cost_usd + b.cost_usd) * 1e6) / 1e6 };
}

export interface WorkRequest {
  task: Task;
  prompt: string;
  /** The task's worktree: the only place the agent may touch. */
  cwd: string;
  attempt: number;
  /** The previous attempt failed the same way twice: use the role's `escalate` provider/model. */
  escalated?: boolean;
  /** The worker, who authors the events the agent layer writes. */
  actor: Actor;
  /** The run's session ID, for the agent layer's events. */
  session: string;
  signal: AbortSignal;
  /** Appends to the task's transcript (`rw logs ID`). */
  log: (text: string) => void;
  /** Live progress for the status line: running totals for this attempt. */
  onProgress: (p: { step?: string; usage?: Usage }) => void;
}

export interface WorkResult {
  /** The agent's explicit "I am done" signal; an exit without it is a failure, never a success. */
  finished: boolean;
  summary: string;
  usage: Usage;
  /** Why it did not finish (budget, provider error, gave up). */
  error?: string;
}

export interface Criterion {
  index: number;
  text: string;
  checked: boolean;
}

export interface VerifyRequest {
  task: Task;
  criteria: Criterion[];
  /** `git diff` of the attempt against the integration branch. */
  diff: string;
  gates: GateRun[];
  cwd: string;
  actor: Actor;
  session: string;
  signal: AbortSignal;
  log: (text: string) => void;
}

export interface Verdict {
  index: number;
  met: boolean;
  evidence: string;
}

export interface VerifyResult {
  verdicts: Verdict[];
  usage: Usage;
}
