import { getTask } from "../domain/decide.ts";
import { RwError } from "../domain/errors.ts";
import { notReadyReasons, readyTasks } from "../domain/ready.ts";
import type { State } from "../domain/types.ts";
import type { Store } from "../store/store.ts";
import { gatesFor } from "./gates.ts";
import { resumable, taskFilter } from "./loop.ts";
import { integrationBranch, worktreeRoot } from "./worktrees.ts";

export interface PlannedTask { id: string; title: string; priority: number; gates: string[]; resume_by?: string }

export interface RunPlan {
  integration: string;
  worktree_root: string;
  parallel: number;
  resume: PlannedTask[];
  ready: PlannedTask[];
}

/** `--task ID` names a task this run can take: ready now, or one of this host's claims to resume. */
export function checkTaskOption(state: State, id: string, now: string, host: string): void {
  const task = getTask(state, id);
  if (resumable([task], host).length > 0) return;
  const reasons = notReadyReasons(state, task, now);
  if (reasons.length > 0) throw new RwError("not_claimable", `${id} is not ready: ${reasons.join("; ")}`, { hint: "`rw ready --explain` says what it waits on", data: { id, reasons } });
}

/** What `rw run` would do now, without claiming or touching anything (`--dry-run`). */
export async function planRun(store: Store, o: { parallel: number; task?: string; initiative?: string; maxTasks?: number; host: string; now: string; env: Record<string, string | undefined> }): Promise<RunPlan> {
  const exec = store.config.execution;
  const state = (await store.snapshot()).state;
  const resume = resumable(Object.values(state.tasks), o.host);
  const started = new Set(resume.map((t) => t.id));
  const accept = taskFilter(o, new Set());
  const ready = readyTasks(state, o.now).map((r) => r.task).filter((t) => !started.has(t.id) && accept(t));
  const room = o.maxTasks === undefined ? ready.length : Math.max(0, o.maxTasks - resume.length);
  const item = (t: (typeof ready)[number]): PlannedTask => ({ id: t.id, title: t.title, priority: t.priority, gates: gatesFor(t, exec.gates) });
  return {
    integration: await integrationBranch(store.repo, exec),
    worktree_root: worktreeRoot(store.repo, exec, o.env),
    parallel: o.parallel,
    resume: resume.map((t) => ({ ...item(t), resume_by: t.assignee! })),
    ready: ready.slice(0, room).map(item),
  };
}
