import { makeEvent, type DecideContext, type Decider } from "./decide.ts";
import { decideCreate } from "./decide-task.ts";
import { statusChangeEvents } from "./decide-lifecycle.ts";
import { RwError } from "./errors.ts";
import { applyCopy } from "./fold.ts";
import { getInitiative, getPhase } from "./initiative-lifecycle.ts";
import { checkLine } from "./text.ts";
import type { Initiative, Phase, RwEvent, State } from "./types.ts";

/**
 * Goal-backward verification of a phase (issue 19): once its last task is done, the phase's goals
 * are checked against the integration branch — observable truths (commands), required artifacts
 * (files exist and are no stubs), wiring (new code reachable from named entry points). This is the
 * pure half: a verdict from the checked goals, and what follows from it. Gaps become remediation
 * tasks in the same phase (so settle.ts reopens it), at most `max` rounds in a row; after that the
 * phase gets one blocked task holding the findings, for a person.
 */

export const GOAL_KINDS = ["truth", "artifact", "wiring"] as const;
export type GoalKind = (typeof GOAL_KINDS)[number];

export interface GoalResult {
  kind: GoalKind;
  goal: string;
  met: boolean;
  evidence: string;
  /** What would close the gap (the verifier's suggestion). */
  fix?: string;
}

export interface PhaseVerifyInput {
  initiative: string;
  phase: number;
  goals: GoalResult[];
  /** Where the goals were checked: the branch and its commit. */
  branch: string;
  commit: string;
  /** Commands the verifier proposes as the phase's observable truths (recorded, not run: a person adopts them). */
  proposed_verify?: string[];
  /** Remediation rounds in a row before the phase is blocked for a person (execution.max_remediations). */
  max: number;
  /** Who asked: "run" (rw run, when the phase finished) or "manual" (`rw initiative verify`). */
  trigger: "run" | "manual";
}

export type PhaseVerdict = "passed" | "gaps" | "blocked";

export interface PhaseVerifyResult {
  initiative: string;
  phase: number;
  verdict: PhaseVerdict;
  round: number;
  gaps: GoalResult[];
  /** Remediation tasks created (verdict "gaps"), or the blocked task for a person ("blocked"). */
  tasks: string[];
  event: string;
}

/** At most this many remediation tasks per round; further gaps are listed in the last one. */
const MAX_TASKS_PER_ROUND = 5;

/** Should `rw run` verify this phase now: it is done and nothing has judged it since its last task finished. */
export function needsVerification(phase: Phase, mode: "auto" | "always" | "off"): boolean {
  if (mode === "off" || phase.status !== "done") return false;
  if (mode === "auto" && (phase.verify ?? []).length === 0) return false;
  // A verdict stands until the phase reopens (remediations, a task reopened) and is done again.
  return phase.verification === undefined || phase.verification.stale === true;
}

const clip = (s: string, n: number): string => {
  const one = s.replace(/\s+/g, " ").trim();
  return [...one].length <= n ? one : `${[...one].slice(0, n - 1).join("")}…`;
};

function findingText(g: GoalResult, k: number): string {
  return [`### Finding ${k}: ${g.kind}`, "", `**Goal:** ${g.goal.trim()}`, "", `**Evidence:** ${g.evidence.trim() || "(none given)"}`, ...(g.fix ? ["", `**Suggested fix:** ${g.fix.trim()}`] : [])].join("\n");
}

function remediationBody(i: Initiative, p: Phase, eventId: string, round: number, gaps: Array<{ g: GoalResult; k: number }>): string {
  return [
    `Remediates phase verification \`${eventId}\` (round ${round}) of ${i.id} phase ${p.n} (${p.title}).`,
    `\`rw initiative show ${i.id}\` lists the whole verdict.`, "",
    ...gaps.flatMap(({ g, k }) => [findingText(g, k), ""]),
    "## Acceptance criteria", "",
    ...gaps.map(({ g }) => `- [ ] ${clip(g.goal, 300)}`), "",
  ].join("\n");
}

export const decidePhaseVerified = (input: PhaseVerifyInput): Decider<PhaseVerifyResult> => (state, ctx) => {
  const i = getInitiative(state, input.initiative);
  const p = getPhase(i, input.phase);
  if (p.status === "planned") throw new RwError("wrong_state", `phase ${p.n} of ${i.id} is not approved yet: there is nothing to verify`, { data: { id: i.id, phase: p.n } });
  if (input.goals.length === 0) throw new RwError("invalid_input", `the verification of ${i.id} phase ${p.n} checked no goals`, { hint: `give the phase verify commands: rw initiative phase edit ${i.id} ${p.n} --verify "npm test"` });
  const gaps = input.goals.filter((g) => !g.met);
  const previous = p.verification?.verdict === "gaps" ? p.verification.round : 0;
  const verdict: PhaseVerdict = gaps.length === 0 ? "passed" : previous >= input.max ? "blocked" : "gaps";
  const round = verdict === "gaps" ? previous + 1 : verdict === "blocked" ? previous : 0;
  const verifiedId = ctx.nextEventId();
  const numbered = gaps.map((g) => ({ g, k: input.goals.indexOf(g) + 1 }));

  const events: RwEvent[] = [];
  const tasks: string[] = [];
  let s: State = state;
  const add = (more: RwEvent[]): void => {
    events.push(...more);
    s = applyCopy(s, more);
  };
  const create = (title: string, body: string, labels: string[]): string => {
    const d = decideCreate({ title: clip(title, 200), body, labels, initiative: i.id, phase: p.n, priority: 1, type: "bug" })(s, ctx);
    add(d.events);
    tasks.push(d.result.id);
    return d.result.id;
  };
  if (verdict === "gaps") {
    const groups = numbered.slice(0, MAX_TASKS_PER_ROUND - 1).map((x) => [x]);
    if (numbered.length >= MAX_TASKS_PER_ROUND) groups.push(numbered.slice(MAX_TASKS_PER_ROUND - 1));
    for (const group of groups) {
      const title = group.length === 1 ? `Fix ${group[0]!.g.kind}: ${group[0]!.g.goal}` : `Fix the remaining ${group.length} gaps of phase ${p.n}`;
      create(title, remediationBody(i, p, verifiedId, round, group), ["remediation"]);
    }
  } else if (verdict === "blocked") {
    const body = [
      `Phase ${p.n} of ${i.id} (${p.title}) still has gaps after ${previous} remediation round${previous === 1 ? "" : "s"} (verification \`${verifiedId}\`).`,
      "A person decides: fix them and `rw done` this task (the phase is verified again), change the phase's verify list, or cancel this task to accept the phase as it is.", "",
      ...numbered.flatMap(({ g, k }) => [findingText(g, k), ""]),
    ].join("\n");
    const id = create(`Phase ${p.n} of ${i.title}: verification found gaps`, body, ["remediation", "needs-person"]);
    add(statusChangeEvents(s.tasks[id]!, "blocked", ctx, `phase ${p.n} verification: ${gaps.length} gap${gaps.length === 1 ? "" : "s"} after ${previous} remediation round${previous === 1 ? "" : "s"} (see the task)`));
  }
  const data: Record<string, unknown> = {
    phase: p.n, verdict, round, gaps: gaps.length, trigger: input.trigger, branch: input.branch, commit: input.commit,
    goals: input.goals.map((g) => ({ kind: g.kind, goal: g.goal, met: g.met, evidence: g.evidence, ...(g.fix ? { fix: g.fix } : {}) })),
    tasks,
  };
  const proposed = (input.proposed_verify ?? []).map((c) => c.trim()).filter((c) => c !== "");
  if (proposed.length > 0) data.proposed_verify = proposed.map((c) => checkLine(c, "proposed verify command"));
  const verified: RwEvent = { ...makeEvent({ ...ctx, nextEventId: () => verifiedId }, "phase.verified", undefined, data, i.id) };
  return {
    events: [verified, ...events],
    summary: `phase verify ${i.id} ${p.n}: ${verdict}${gaps.length > 0 ? ` (${gaps.length} gap${gaps.length === 1 ? "" : "s"})` : ""}`,
    result: { initiative: i.id, phase: p.n, verdict, round, gaps, tasks, event: verifiedId },
  };
};

/**
 * `rw initiative phase edit`: a phase's title and its verify commands. `adopt_proposed` adds the
 * commands the verifier proposed in the phase's latest verdict to the list (given or current).
 */
export const decidePhaseEdit = (id: string, n: number, patch: { title?: string; verify?: string[]; adopt_proposed?: boolean }): Decider<{ id: string; phase: number; changed: number }> => (state, ctx) => {
  const i = getInitiative(state, id);
  const p = getPhase(i, n);
  if (patch.adopt_proposed) {
    const proposed = p.verification?.proposed_verify ?? [];
    if (proposed.length === 0) throw new RwError("wrong_state", `the verifier proposed no verify commands for phase ${n} of ${i.id}`, { hint: `give them yourself: rw initiative phase edit ${i.id} ${n} --verify CMD` });
    patch = { ...patch, verify: [...(patch.verify ?? p.verify ?? []), ...proposed] };
  }
  const data: Record<string, unknown> = { phase: n };
  const prev: Record<string, unknown> = {};
  if (patch.title !== undefined) {
    const title = checkLine(patch.title.trim(), "phase title");
    if (title === "") throw new RwError("usage", "phase title must not be empty");
    if (title !== p.title) {
      data.title = title;
      prev.title = p.title;
    }
  }
  if (patch.verify !== undefined) {
    const verify = [...new Set(patch.verify.map((c) => checkLine(c.trim(), "verify command")).filter((c) => c !== ""))];
    if (verify.join("\n") !== (p.verify ?? []).join("\n")) {
      data.verify = verify;
      prev.verify = p.verify ?? [];
    }
  }
  const changed = Object.keys(prev).length;
  const events = changed > 0 ? [makeEvent(ctx, "phase.edited", undefined, { ...data, prev }, id)] : [];
  return { events, summary: `phase edit ${id} ${n}: ${p.title}`, result: { id, phase: n, changed } };
};

/** The verification to show for a phase: its goals and verdict from the last `phase.verified` event's data. */
export function verifiedGoals(e: RwEvent): GoalResult[] {
  const goals = Array.isArray(e.data.goals) ? (e.data.goals as Array<Record<string, unknown>>) : [];
  return goals.map((g) => ({
    kind: (GOAL_KINDS as readonly string[]).includes(String(g.kind)) ? (g.kind as GoalKind) : "truth",
    goal: typeof g.goal === "string" ? g.goal : "", met: g.met === true, evidence: typeof g.evidence === "string" ? g.evidence : "", ...(typeof g.fix === "string" ? { fix: g.fix } : {}),
  }));
}

export type { DecideContext };
