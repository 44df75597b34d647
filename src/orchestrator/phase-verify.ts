import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { decidePhaseVerified, type GoalResult, type PhaseVerifyResult } from "../domain/decide-phase-verify.ts";
import { initiativeBranchName } from "../domain/decide-initiative-branch.ts";
import { RwError } from "../domain/errors.ts";
import { getInitiative, getPhase, tasksOf } from "../domain/initiative-lifecycle.ts";
import type { Initiative, Phase } from "../domain/types.ts";
import { git } from "../store/git.ts";
import type { Actor, Store } from "../store/store.ts";
import { addUsage, noUsage, type Usage } from "./executor.ts";
import { revOf } from "./merge.ts";
import { runShell, tail } from "./shell.ts";
import { ensureWorktree, removeWorktree, repoCwd, resetWorktree, type WorktreeSetup } from "./worktrees.ts";

/**
 * Goal-backward verification of a phase, the IO half (the verdict is decide-phase-verify.ts):
 * a checkout of the integration branch the phase's work landed on, its verify commands run there
 * (observable truths), the lines its tasks' commits added scanned for stubs (required artifacts),
 * then the verifier role — read-only tools over that checkout — judges the wiring and anything the
 * commands cannot show. One `phase.verified` event holds the evidence per goal.
 */

/** What the verifier role is asked about a phase. */
export interface PhaseVerifyRequest {
  initiative: Initiative;
  phase: Phase;
  /** A checkout of the branch at `commit`; the verifier may read it, never write. */
  cwd: string;
  branch: string;
  commit: string;
  /** Truths and artifacts rw checked itself (facts: the verifier does not overrule them). */
  checked: GoalResult[];
  /** Files the phase's commits changed, and their `git log --stat`. */
  changed: string[];
  log: string;
  actor: Actor;
  session: string;
  signal: AbortSignal;
  transcript: (text: string) => void;
}

export interface PhaseVerifyAnswer { goals: GoalResult[]; proposed_verify?: string[]; usage: Usage }

/** The verifier role's side of it; an Executor without one gets rw's own checks only. */
export interface PhaseVerifier { verifyPhase: (req: PhaseVerifyRequest) => Promise<PhaseVerifyAnswer> }

export interface PhaseVerifyOptions {
  store: Store;
  /** The run's settings with the main integration branch. */
  setup: WorktreeSetup;
  verifier?: PhaseVerifier | undefined;
  initiative: string;
  phase: number;
  actor: Actor;
  session: string;
  signal: AbortSignal;
  log: (text: string) => void;
  trigger: "run" | "manual";
}

export type PhaseVerifyOutcome = (PhaseVerifyResult & { usage: Usage; commit: string; branch: string }) | { skipped: string };

/** A line added by the phase that says the work is not finished. */
const STUB = /\b(TODO|FIXME|XXX)\b|not implemented|NotImplementedError|unimplemented!\(|todo!\(|^\s*pass\s*$/i;
/** A named function with nothing in it: `function f() {}`, `def f(): pass` is caught by STUB. */
const EMPTY_FN = /\bfunction\s+[\w$]+\s*\([^)]*\)\s*(?::\s*[^{=]+)?\{\s*\}/;
const MAX_FINDINGS = 20;

/** The phase's commits (by their `Rewind-Task:` trailer) on `branch`: changed files, added lines, stat. */
async function phaseCommits(cwd: string, branch: string, tasks: string[]): Promise<{ files: string[]; added: Array<{ file: string; line: string }>; stat: string }> {
  if (tasks.length === 0) return { files: [], added: [], stat: "" };
  const grep = tasks.flatMap((t) => ["--grep", `Rewind-Task: ${t}`]);
  const base = ["log", "--no-merges", "--fixed-strings", ...grep, `refs/heads/${branch}`];
  const patch = (await git([...base, "--format=", "-p", "-U0", "--no-color", "--no-ext-diff"], { cwd })).stdout;
  const stat = (await git([...base, "--format=%h %s", "--stat"], { cwd })).stdout.trimEnd();
  const files = new Set<string>();
  const added: Array<{ file: string; line: string }> = [];
  let file: string | undefined;
  for (const line of patch.split("\n")) {
    if (line.startsWith("+++ ")) {
      file = line === "+++ /dev/null" ? undefined : line.replace(/^\+\+\+ b\//, "");
      if (file) files.add(file);
    } else if (file && line.startsWith("+") && added.length < 50_000) added.push({ file, line: line.slice(1) });
  }
  return { files: [...files].sort(), added, stat };
}

/** Required artifacts: every file the phase touched exists and holds no stub it added. */
async function artifactGoals(checkout: string, files: string[], added: Array<{ file: string; line: string }>): Promise<GoalResult[]> {
  if (files.length === 0) return [];
  const findings: GoalResult[] = [];
  const present: string[] = [];
  for (const file of files) {
    const text = await readFile(join(checkout, file), "utf8").catch(() => undefined);
    if (text === undefined) continue; // deleted by the phase on purpose
    present.push(file);
    const lines = text.split("\n");
    if (text.trim() === "") {
      findings.push({ kind: "artifact", goal: `${file} has real content`, met: false, evidence: `${file} is empty`, fix: `write ${file}, or remove it` });
      continue;
    }
    const stubs = added.filter((a) => a.file === file && (STUB.test(a.line) || EMPTY_FN.test(a.line)) && lines.includes(a.line));
    if (stubs.length > 0) {
      const at = stubs.slice(0, 3).map((s) => `line ${lines.indexOf(s.line) + 1}: ${s.line.trim().slice(0, 120)}`).join("; ");
      findings.push({ kind: "artifact", goal: `${file} is complete (no stubs left by the phase)`, met: false, evidence: at, fix: `finish what ${file} leaves as a stub` });
    }
    if (findings.length >= MAX_FINDINGS) break;
  }
  if (findings.length > 0) return findings;
  return [{ kind: "artifact", goal: `the ${present.length} file${present.length === 1 ? "" : "s"} the phase changed exist and are not stubs`, met: true, evidence: present.slice(0, 15).join(", ") + (present.length > 15 ? `, and ${present.length - 15} more` : "") }];
}

/** Observable truths: each verify command, run in the checkout with the gates' clean environment. */
async function truthGoals(o: PhaseVerifyOptions, checkout: string, commands: string[]): Promise<GoalResult[]> {
  const out: GoalResult[] = [];
  for (const cmd of commands) {
    o.log(`$ ${cmd}\n`);
    const r = await runShell(cmd, { cwd: checkout, env: o.setup.env, timeoutMs: o.setup.exec.gate_timeout_ms, signal: o.signal, now: o.setup.now });
    o.log(r.output);
    if (r.aborted || o.signal.aborted) throw new RwError("conflict", "phase verification was interrupted; nothing was recorded", { hint: "run `rw initiative verify` again" });
    const output = tail(r.output, 600).trim();
    const how = r.timed_out ? "timed out" : `exit ${r.exit_code ?? "signal"}`;
    out.push({ kind: "truth", goal: `\`${cmd}\` succeeds`, met: r.exit_code === 0 && !r.timed_out, evidence: `${how} in ${Math.round(r.duration_ms / 100) / 10}s${output ? `: ${output.split("\n").slice(-4).join(" | ")}` : ""}` });
  }
  return out;
}

export async function verifyPhase(o: PhaseVerifyOptions): Promise<PhaseVerifyOutcome> {
  const state = (await o.store.snapshot()).state;
  const i = getInitiative(state, o.initiative);
  const p = getPhase(i, o.phase);
  const exec = o.setup.exec;
  const branch = initiativeBranchName(i, exec.integration === "per-initiative") ?? o.setup.integration;
  const cwd = repoCwd(o.setup.repo);
  if ((await git(["rev-parse", "-q", "--verify", `refs/heads/${branch}^{commit}`], { cwd })).code !== 0) {
    throw new RwError("not_found", `${i.id}'s integration branch ${branch} does not exist`, { hint: "nothing of it has landed yet; run its tasks with `rw run` first" });
  }
  const tasks = tasksOf(state, i.id, p.n).filter((t) => t.status === "done").map((t) => t.id);
  const wt = await ensureWorktree({ ...o.setup, integration: branch, signal: o.signal }, `${i.id}-verify-${p.n}`);
  try {
    await resetWorktree(wt.path, branch, exec.git_hooks);
    const commit = await revOf(wt.path, "HEAD");
    o.log(`\n=== verifying ${i.id} phase ${p.n} (${p.title}) on ${branch} at ${commit.slice(0, 10)} ===\n`);
    const truths = await truthGoals(o, wt.path, p.verify ?? []);
    const commits = await phaseCommits(cwd, branch, tasks);
    const checked = [...truths, ...(await artifactGoals(wt.path, commits.files, commits.added))];
    let usage = noUsage();
    let judged: GoalResult[] = [];
    let proposed: string[] = [];
    if (o.verifier) {
      const a = await o.verifier.verifyPhase({
        initiative: i, phase: p, cwd: wt.path, branch, commit, checked, changed: commits.files, log: commits.stat,
        actor: o.actor, session: o.session, signal: o.signal, transcript: o.log,
      });
      usage = addUsage(usage, a.usage);
      // rw's own checks are facts; the verifier adds goals (wiring, truths it read) rather than re-judging them.
      judged = a.goals.filter((g) => !checked.some((c) => c.kind === g.kind && c.goal === g.goal));
      proposed = (a.proposed_verify ?? []).filter((c) => !(p.verify ?? []).includes(c));
    }
    const goals = [...checked, ...judged];
    for (const g of goals) o.log(`${g.met ? "met" : "GAP"}  [${g.kind}] ${g.goal} — ${g.evidence}\n`);
    if (goals.length === 0) return { skipped: `phase ${p.n} of ${i.id} has no goals to check: no verify commands, no commits of its tasks, no verifier` };
    const tx = await o.store.transact(decidePhaseVerified({
      initiative: i.id, phase: p.n, goals, branch, commit, max: exec.max_remediations, trigger: o.trigger, ...(proposed.length > 0 ? { proposed_verify: proposed } : {}),
    }), o.actor);
    return { ...tx.result, usage, commit, branch };
  } finally {
    await removeWorktree(o.setup, wt).catch(() => undefined);
  }
}
