import { makeEvent, type Decider } from "./decide.ts";
import { RwError } from "./errors.ts";
import { getInitiative } from "./initiative-lifecycle.ts";
import type { RwEvent } from "./types.ts";

/** What the architect role answered for one round of `rw initiative refine`. */
export interface RefineAnswer {
  /** Questions for the user: scope, constraints, integration points found in the code, risks. */
  questions: string[];
  /** The revised concept document (Markdown); unchanged when it equals the current one. */
  concept: string;
  /** What the architect found in the repository that shaped its questions (kept in the event). */
  findings?: string[] | undefined;
}

/** The user's answers to the previous round's questions, by 1-based question number. */
export type UserAnswers = ReadonlyMap<number, string>;

export interface RefineRoundResult {
  id: string;
  round: number;
  questions: string[];
  concept_changed: boolean;
  answers_recorded: number;
}

/** Only a draft is refined: once submitted, the concept is what reviewers approve. */
export function assertRefinable(status: string, id: string): void {
  if (status !== "draft") {
    throw new RwError("wrong_state", `cannot refine ${id}: it is no longer a draft`, {
      hint: "refinement happens before `rw initiative submit`; edit the concept with `rw initiative edit` instead",
      data: { id, status },
    });
  }
}

/**
 * Records the user's answers to the open questions (each a decision on the initiative) in the
 * same transaction as they are consumed, so nothing said between rounds is lost. Used on its
 * own when the user answers but asks for no new round.
 */
export function answerEvents(initiative: string, questions: readonly string[], answers: UserAnswers, ctx: Parameters<Decider<unknown>>[1]): RwEvent[] {
  const out: RwEvent[] = [];
  for (const [n, text] of [...answers].sort(([a], [b]) => a - b)) {
    const question = questions[n - 1];
    const answer = text.trim();
    if (question === undefined || answer === "") continue;
    out.push(makeEvent(ctx, "decision.recorded", undefined, { text: answer, why: `architect question ${n}: ${question}`, source: "refine" }, initiative));
  }
  return out;
}

/** Answer numbers that name no open question: refused, so a typo never drops an answer silently. */
export function unknownAnswers(questions: readonly string[], answers: UserAnswers): number[] {
  return [...answers.keys()].filter((n) => n < 1 || n > questions.length).sort((a, b) => a - b);
}

/**
 * One refinement round: the answers to the last round's questions become decisions, the revised
 * concept an `initiative.edited` (with the previous text in data.prev), and the new questions an
 * `initiative.refined` event that `rw initiative show` lists until the next round.
 */
export const decideRefineRound = (id: string, answers: UserAnswers, architect: RefineAnswer | undefined): Decider<RefineRoundResult> => (state, ctx) => {
  const i = getInitiative(state, id);
  assertRefinable(i.status, id);
  const open = i.refinement?.questions ?? [];
  const bad = unknownAnswers(open, answers);
  if (bad.length > 0) {
    throw new RwError("invalid_input", `answer${bad.length === 1 ? "" : "s"} ${bad.join(", ")} name${bad.length === 1 ? "s" : ""} no open question of ${id} (it has ${open.length})`, {
      hint: `number answers 1 to ${open.length}, as \`rw initiative show ${id}\` lists the questions`, data: { id, unknown: bad },
    });
  }
  const events = answerEvents(id, open, answers, ctx);
  const round = (i.refinement?.round ?? 0) + (architect ? 1 : 0);
  let changed = false;
  if (architect) {
    if (architect.concept.trim() !== "" && architect.concept !== i.body) {
      changed = true;
      events.push(makeEvent(ctx, "initiative.edited", undefined, { body: architect.concept, prev: { body: i.body }, source: "refine" }, id));
    }
    const data: Record<string, unknown> = { round, questions: architect.questions.map((q) => q.trim()).filter(Boolean) };
    if (architect.findings && architect.findings.length > 0) data.findings = architect.findings;
    events.push(makeEvent(ctx, "initiative.refined", undefined, data, id));
  }
  const questions = architect ? (events.at(-1)!.data.questions as string[]) : open;
  return {
    events,
    summary: architect ? `initiative refine ${id} round ${round}: ${i.title}` : `initiative answers ${id}: ${i.title}`,
    result: { id, round, questions, concept_changed: changed, answers_recorded: events.filter((e) => e.type === "decision.recorded").length },
  };
};

/**
 * Reads answers from text: a line starting with a question number (`1.`, `1)`, `Q1:`, `## 1`)
 * begins that answer; following lines continue it. Text before the first number is ignored.
 */
export function parseAnswers(text: string): Map<number, string> {
  const out = new Map<number, string>();
  let current: number | undefined;
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*#{1,6}\s*(?:[QA]\s*)?(\d{1,3})\b\s*[.):]?\s?(.*)$/i.exec(line) ?? /^\s*(?:[QA](?:nswer)?\s*)?(\d{1,3})\s*[.):]\s?(.*)$/i.exec(line);
    if (m) {
      current = Number(m[1]);
      out.set(current, (out.get(current) ? `${out.get(current)}\n` : "") + m[2]!);
    } else if (current !== undefined) {
      out.set(current, `${out.get(current)}\n${line}`);
    }
  }
  for (const [n, v] of out) out.set(n, v.trim());
  return out;
}
