import { makeEvent, type Decider } from "./decide.ts";
import { RwError } from "./errors.ts";
import { getInitiative } from "./initiative-lifecycle.ts";
import type { Initiative } from "./types.ts";

/**
 * An initiative's integration branch (`rw initiative new --branch`, `integration =
 * "per-initiative"`): its tasks branch from it and land in it; once the initiative is complete it
 * is merged into the main integration branch, or shipped for a pull request. The branch name is
 * state (events); the commits are git's.
 */

/** The branch an initiative gets under `integration = "per-initiative"` when none was named. */
export const defaultInitiativeBranch = (id: string): string => `initiative/${id}`;

/** A branch name as `git check-ref-format --branch` would take it, stricter where that is cheap. */
export function checkBranchName(name: string, what = "--branch"): string {
  const b = name.trim();
  const bad = b === "" || !/^[A-Za-z0-9._/-]+$/.test(b) || b.includes("..") || b.includes("//") || b.startsWith("-") || b.startsWith("/") ||
    b.endsWith("/") || b.endsWith(".") || b.endsWith(".lock") || b.startsWith("refs/") || b.split("/").some((part) => part.startsWith(".")) || b === "HEAD";
  if (bad) throw new RwError("usage", `${what}: ${JSON.stringify(name)} is not a usable branch name`, { hint: "use a plain branch name such as feat/auth (letters, digits, . _ - /)" });
  if (b.startsWith("rw/")) throw new RwError("usage", `${what}: ${b} is in rw/, where rw keeps task branches`, { hint: "pick another name, e.g. feat/auth" });
  return b;
}

/** The initiative's integration branch, if it has one (named, or by the per-initiative setting). */
export function initiativeBranchName(i: Initiative, perInitiative: boolean): string | undefined {
  return i.branch?.name ?? (perInitiative ? defaultInitiativeBranch(i.id) : undefined);
}

/** Gives an initiative its branch, or changes it while none of its work has landed there. */
export const decideBranchSet = (id: string, branch: string, base?: string): Decider<{ id: string; branch: string; changed: boolean }> => (state, ctx) => {
  const i = getInitiative(state, id);
  const name = checkBranchName(branch);
  if (i.branch?.name === name) return { events: [], summary: `initiative branch ${id}: ${name}`, result: { id, branch: name, changed: false } };
  if (i.branch && (i.branch.ahead ?? 0) > 0 && !i.branch.merged) {
    throw new RwError("wrong_state", `${id} already lands on ${i.branch.name} (${i.branch.ahead} commits ahead)`, {
      hint: `ship or merge it first (\`rw initiative ship ${id}\`), or rename the branch in git and here together`, data: { id, branch: i.branch.name },
    });
  }
  if (i.status === "completed" || i.status === "cancelled") throw new RwError("wrong_state", `${id} is ${i.status}: its branch cannot change`, { data: { id } });
  const data: Record<string, unknown> = { branch: name, ...(base ? { base } : {}), ...(i.branch ? { prev: { branch: i.branch.name } } : {}) };
  return { events: [makeEvent(ctx, "initiative.branch_set", undefined, data, id)], summary: `initiative branch ${id}: ${name}`, result: { id, branch: name, changed: true } };
};

/** After a task landed on the initiative's branch: how far ahead of the main integration branch it now is. */
export const decideIntegrated = (id: string, at: { branch: string; base: string; ahead: number; task?: string }): Decider<{ id: string }> => (state, ctx) => {
  const i = getInitiative(state, id);
  if (i.branch?.name === at.branch && i.branch.ahead === at.ahead && i.branch.base === at.base && !i.branch.merged) return { events: [], summary: "", result: { id } };
  return {
    events: [makeEvent(ctx, "initiative.integrated", at.task, { branch: at.branch, base: at.base, ahead: at.ahead }, id)],
    summary: `initiative ${id}: ${at.branch} is ${at.ahead} commits ahead of ${at.base}`, result: { id },
  };
};

export interface MergeRecord { branch: string; into: string; commit: string; previous: string; gates: Array<{ gate: string; exit_code: number | null }> }

/** The initiative's branch landed on the main integration branch (gates passed on the merged tree). */
export const decideMerged = (id: string, m: MergeRecord): Decider<{ id: string; commit: string }> => (state, ctx) => {
  getInitiative(state, id);
  return { events: [makeEvent(ctx, "initiative.merged", undefined, { ...m }, id)], summary: `initiative ${id}: merged ${m.branch} into ${m.into}`, result: { id, commit: m.commit } };
};

/** `rw initiative ship --push`: the branch was pushed (and a pull request opened, when gh did). */
export const decideShipped = (id: string, s: { branch: string; remote: string; base: string; pr?: string }): Decider<{ id: string }> => (state, ctx) => {
  getInitiative(state, id);
  return { events: [makeEvent(ctx, "initiative.shipped", undefined, { ...s }, id)], summary: `initiative ${id}: shipped ${s.branch} to ${s.remote}`, result: { id } };
};

/** The gated merge did not go through (conflict, a gate): the branch is kept for a person or `rw initiative ship`. */
export const decideMergeFailed = (id: string, f: { branch: string; into: string; reason: string }): Decider<{ id: string }> => (state, ctx) => {
  getInitiative(state, id);
  return { events: [makeEvent(ctx, "initiative.merge_failed", undefined, { ...f }, id)], summary: `initiative ${id}: ${f.branch} not merged into ${f.into}`, result: { id } };
};
