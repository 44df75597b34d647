import type { CriterionCheck, GateRun } from "../domain/decide-run.ts";
import { RwError } from "../domain/errors.ts";
import type { Task } from "../domain/types.ts";
import { git, gitOk } from "../store/git.ts";
import type { Actor, Store } from "../store/store.ts";
import { gateFeedback, runGates } from "./gates.ts";
import { checkDiff } from "./guards.ts";
import { changedFiles, commitsBetween, fastForward, revOf, updateBranch, type MergeLocks } from "./merge.ts";
import { repoCwd, type TaskWorktree, type WorktreeSetup } from "./worktrees.ts";

/** The verifier's judgement of the attempt's merged diff. */
export interface VerifyOutcome {
  ticks: CriterionCheck[];
  verdicts: Array<{ index: number; text: string; met: boolean; evidence: string }>;
  /** Set when some criteria are not met: what the next attempt is told. */
  unmet?: { error: string; feedback: string };
}

export interface LandContext {
  store: Store;
  actor: Actor;
  setup: WorktreeSetup;
  locks: MergeLocks;
  task: Task;
  wt: TaskWorktree;
  gates: string[];
  attempt: number;
  signal: AbortSignal;
  log: (text: string) => void;
  onStep?: (step: string) => void;
  /** Judges the open criteria against the merged diff; absent when a person approves a review. */
  verify?: (diff: string, runs: GateRun[]) => Promise<VerifyOutcome>;
  /** Stop before the fast-forward and wait for a person (execution.review = "human"). */
  review: boolean;
  /** Gates recorded for a task waiting for review (a person approving it) rather than for its holder. */
  approving?: boolean;
  /** Asked right before the integration branch moves: does this worker still hold the task? */
  stillHeld: () => Promise<boolean>;
}

export type FailureKind = "gates" | "verifier" | "guard" | "conflict";

export type LandOutcome =
  | { kind: "landed"; commit: string; previous: string; files: string[]; ticks: CriterionCheck[]; runs: GateRun[] }
  | { kind: "review"; commit: string; base: string; runs: GateRun[]; verify: VerifyOutcome | undefined; diffstat: string; reason?: string }
  | { kind: "failed"; failure: FailureKind; error: string; feedback: string; conflicts?: { files: string[]; commits: string[] } }
  | { kind: "aborted" }
  | { kind: "lost" };

/** Rounds that gate outside the queue's lock before a task that keeps being overtaken gates inside it. */
const OPTIMISTIC_ROUNDS = 3;
const MAX_ROUNDS = 12;

const bullet = (lines: string[]): string => lines.map((l) => `- ${l}`).join("\n");

/**
 * The merge queue (DESIGN §8, issue 12): the task branch is brought up to date with the
 * integration branch, the gates run on that merged tree, the verifier judges the merged diff, and
 * only then is the integration branch fast-forwarded — under one lock that is held only for the
 * "did it move? then move it" step. If another task landed meanwhile the round starts over: merge
 * again, gate again (only when the tree changed), verify again (only when the diff changed). A
 * task overtaken OPTIMISTIC_ROUNDS times does its round holding the lock, so it cannot starve.
 * Agents never wait for this lock; only landings do.
 */
export async function landAttempt(c: LandContext): Promise<LandOutcome> {
  const integration = c.setup.integration;
  const ref = `refs/heads/${integration}`;
  const cwd = repoCwd(c.setup.repo);
  const hooks = c.setup.exec.git_hooks;
  const startBase = (await gitOk(["merge-base", "HEAD", ref], { cwd: c.wt.path })).trim();
  let gatedTree: string | undefined;
  let runs: GateRun[] = [];
  let verifiedDiff: string | undefined;
  let verdict: VerifyOutcome | undefined;

  const round = async (holding: boolean): Promise<LandOutcome | "moved"> => {
    const tip = await revOf(cwd, ref);
    const up = await updateBranch(c.wt, tip, integration, hooks);
    if ("conflicts" in up) {
      const commits = await commitsBetween(cwd, startBase, tip, up.conflicts);
      return {
        kind: "failed", failure: "conflict", conflicts: { files: up.conflicts, commits },
        error: `merge conflict with ${integration} in ${up.conflicts.join(", ")}`,
        feedback: `Your change conflicted with work merged into ${integration} meanwhile, in:\n${bullet(up.conflicts)}\n` +
          `${commits.length > 0 ? `The commits that changed those files:\n${bullet(commits)}\n` : ""}` +
          `This attempt starts again from the current ${integration}; redo the task on top of those changes.`,
      };
    }
    const head = await revOf(c.wt.path, "HEAD");
    const guard = await checkDiff(c.wt.path, tip, head, c.setup.exec);
    let reason: string | undefined;
    if (guard) {
      // Under review a person decides: it waits with this reason, and that person's approval lands it.
      if (guard.kind !== "protected" || !(c.review || c.approving)) return { kind: "failed", failure: "guard", error: guard.error, feedback: guard.feedback };
      reason = guard.error;
    }
    const tree = (await gitOk(["rev-parse", "HEAD^{tree}"], { cwd: c.wt.path })).trim();
    if (tree !== gatedTree) {
      c.onStep?.(up.merged ? "gates (merged)" : "gates");
      const g = await runGates({
        store: c.store, actor: c.actor, task: c.task, gates: c.gates, cwd: c.wt.path, attempt: c.attempt, env: c.setup.env, timeoutMs: c.setup.exec.gate_timeout_ms,
        now: c.setup.now, signal: c.signal, log: c.log, onGate: (gate) => c.onStep?.(`gate: ${gate}`), ...(c.approving ? { review: true } : {}),
      });
      if (g.aborted || c.signal.aborted) return { kind: "aborted" };
      runs = g.runs;
      if (!g.passed) {
        const bad = runs[runs.length - 1]!;
        const landed = startBase === tip ? [] : await commitsBetween(cwd, startBase, tip);
        return {
          kind: "failed", failure: "gates", error: `gate \`${bad.gate}\` ${bad.timed_out ? "timed out" : `failed with exit ${bad.exit_code ?? "signal"}`}${landed.length > 0 ? ` after merging ${integration}` : ""}`,
          feedback: gateFeedback(runs) + (landed.length > 0
            ? `\n\nThe gates ran on your change merged with ${integration}. These commits landed there meanwhile:\n${bullet(landed)}\nMake your change work together with them.`
            : ""),
        };
      }
      gatedTree = tree;
    }
    if (c.verify) {
      const diff = await gitOk(["diff", tip, head], { cwd: c.wt.path });
      if (diff !== verifiedDiff) {
        c.onStep?.("verify");
        verdict = await c.verify(diff, runs);
        if (c.signal.aborted) return { kind: "aborted" };
        if (verdict.unmet) return { kind: "failed", failure: "verifier", ...verdict.unmet };
        verifiedDiff = diff;
      }
    }
    if (c.review) {
      const diffstat = (await git(["diff", "--stat", tip, head], { cwd: c.wt.path })).stdout.trimEnd();
      return { kind: "review", commit: head, base: tip, runs, verify: verdict, diffstat, ...(reason ? { reason } : {}) };
    }
    if (c.signal.aborted) return { kind: "aborted" };
    const land = async (): Promise<LandOutcome | "moved"> => {
      if ((await revOf(cwd, ref)) !== tip) return "moved";
      if (!(await c.stillHeld())) return { kind: "lost" };
      const files = await changedFiles(cwd, tip, head);
      if (head !== tip && !(await fastForward(c.setup.repo, integration, tip, head, c.locks))) return "moved";
      return { kind: "landed", commit: head, previous: tip, files, ticks: verdict?.ticks ?? [], runs };
    };
    return holding ? land() : c.locks.merge.run(land);
  };

  for (let n = 0; n < MAX_ROUNDS; n++) {
    if (c.signal.aborted) return { kind: "aborted" };
    const exclusive = n >= OPTIMISTIC_ROUNDS;
    const out = exclusive ? await c.locks.merge.run(() => round(true)) : await round(false);
    if (out !== "moved") return out;
    c.log(`--- ${integration} moved while this attempt was gated; merging it again ---\n`);
  }
  throw new RwError("conflict", `gave up landing ${c.task.id} on ${integration}: it kept moving`, { hint: "run `rw run` again; the task's work is kept in its worktree" });
}
