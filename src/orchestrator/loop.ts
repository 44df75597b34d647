import { readDomainNotes } from "../agents/domain-notes.ts";
import { loadPromptTemplate } from "../agents/prompt.ts";
import { secretFreeEnv, type SecretEnvOptions } from "../agents/secret-env.ts";
import { decideClaim } from "../domain/decide-lifecycle.ts";
import { decideClaimNextWhere, decideSessionEnded, decideSessionStarted } from "../domain/decide-run.ts";
import { RwError } from "../domain/errors.ts";
import type { Task } from "../domain/types.ts";
import { rwDir } from "../store/repo.ts";
import type { Actor, Store } from "../store/store.ts";
import { claimHooksFor } from "../sync/remote-claims.ts";
import { addUsage, noUsage, type Executor, type Usage } from "./executor.ts";
import { Mutex } from "./mutex.ts";
import type { ProgressEvent } from "./progress-events.ts";
import { acquireRunLock } from "./run-lock.ts";
import { initiativeFlow } from "./initiative-flow.ts";
import { workTask, type RunEnv, type Worker } from "./worker.ts";
import { integrationBranch, worktreeRoot } from "./worktrees.ts";

export interface RunOptions {
  store: Store;
  executor: Executor;
  parallel: number;
  task?: string;
  initiative?: string;
  maxTasks?: number;
  env: Record<string, string | undefined>;
  /** What the clean environment of gates and hooks leaves out besides secret-named variables (secret-env.ts). */
  secrets?: SecretEnvOptions;
  clock: () => number;
  host: string;
  pid: number;
  signal: AbortSignal;
  emit: (e: ProgressEvent) => void;
  /** Awaited before every claim: a dashboard's "pause new claims" holds it (work in flight goes on). */
  holdClaims?: () => Promise<void>;
  /** Stop tasks that passed for a person (`--review`); default: `execution.review`. */
  review?: boolean;
}

export interface RunSummary {
  session: string;
  completed: string[];
  failed: string[];
  blocked: string[];
  /** Waiting for a person (`rw review`). */
  review: string[];
  interrupted: boolean;
  usage: Usage;
  duration_ms: number;
}

export const workerActor = (n: number, host: string): Actor => ({ name: `rw-worker-${n}@${host}`, email: `rw-worker-${n}@rw.invalid` });
const WORKER_RE = (host: string): RegExp => new RegExp(`^rw-worker-(\\d+)@${host.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);

/** Tasks this host's workers still hold (a run that was killed): resumed first, by the same worker name. */
export function resumable(tasks: Iterable<Task>, host: string): Task[] {
  const re = WORKER_RE(host);
  return [...tasks].filter((t) => t.status === "in_progress" && t.assignee !== undefined && re.test(t.assignee)).sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** The filter a run claims through: --task, --initiative, --max-tasks. */
export function taskFilter(o: { task?: string; initiative?: string; maxTasks?: number }, started: Set<string>): (t: Task) => boolean {
  return (t) =>
    (o.task === undefined || t.id === o.task) &&
    (o.initiative === undefined || t.initiative === o.initiative) &&
    (o.maxTasks === undefined || started.size < o.maxTasks || started.has(t.id));
}

/**
 * `rw run`: N workers, each looping claim → work → result until nothing the run may take is
 * ready and no worker is busy (a finishing task can make others ready). Claims are atomic, so no
 * two workers ever hold one task; merges go through one mutex. Framed by session events.
 */
export async function runLoop(o: RunOptions): Promise<RunSummary> {
  const { store } = o;
  const release = await acquireRunLock(rwDir(store.repo), o.host, o.pid);
  try {
    const exec = store.config.execution;
    const integration = await integrationBranch(store.repo, exec);
    const started = o.clock();
    const runActor: Actor = { name: `rw-run@${o.host}`, email: "rw-run@rw.invalid" };
    const snap = await store.snapshot();
    const resume = resumable(Object.values(snap.state.tasks), o.host);
    const session = `s-${store.nextEventId(new Date(started).toISOString())}`;
    await store.transact(decideSessionStarted(session, { command: "run", parallel: o.parallel, integration, host: o.host, resumed: resume.map((t) => t.id) }), runActor);
    o.emit({ event: "session.started", session, parallel: o.parallel, integration, resumed: resume.map((t) => t.id) });

    const r: RunEnv = {
      store, executor: o.executor, session, mutex: new Mutex(), clock: o.clock, emit: o.emit, review: o.review ?? exec.review === "human",
      template: (await loadPromptTemplate("worker", store.repo.mainWorktree)).text,
      domainNotes: await readDomainNotes(store.repo.mainWorktree),
      setup: { repo: store.repo, root: worktreeRoot(store.repo, exec, o.env), integration, exec, env: secretFreeEnv(o.env, o.secrets), now: o.clock, lock: new Mutex() },
    };
    const initiatives = initiativeFlow(r);
    const summary: RunSummary = { session, completed: [], failed: [], blocked: [], review: [], interrupted: false, usage: noUsage(), duration_ms: 0 };
    const startedTasks = new Set<string>();
    const accept = taskFilter(o, startedTasks);
    const busy = new Set<number>();
    const claimLock = new Mutex();
    let fatal: Error | undefined;
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    o.signal.addEventListener("abort", onAbort, { once: true });
    let waiters: Array<() => void> = [];
    const changed = (): void => {
      for (const w of waiters.splice(0)) w();
    };

    const claim = async (w: Worker): Promise<Task | null> => {
      const mine = resume.findIndex((t) => t.assignee === w.actor.name);
      // Claims of workers beyond this run's --parallel go to whoever is free first.
      const orphan = mine >= 0 ? mine : resume.findIndex((t) => Number(WORKER_RE(o.host).exec(t.assignee ?? "")?.[1]) > o.parallel);
      if (orphan >= 0) {
        const [t] = resume.splice(orphan, 1);
        try {
          await store.transact(decideClaim(t!.id, { force: true }), w.actor);
          return (await store.snapshot()).state.tasks[t!.id] ?? null;
        } catch {
          return claim(w);
        }
      }
      try {
        // sync.claims = "remote": the claim only counts once the remote accepted it (src/sync).
        // One claim at a time in this process, the task counted before the next claim decides,
        // so --max-tasks holds with parallel workers (other processes still race by CAS).
        const tx = await claimLock.run(async () => {
          const t = await store.transact(decideClaimNextWhere(accept), w.actor, claimHooksFor(store, w.actor));
          startedTasks.add(t.result.id);
          return t;
        });
        return (await store.snapshot()).state.tasks[tx.result.id] ?? null;
      } catch (err) {
        if (err instanceof RwError && err.code === "not_found") return null;
        throw err;
      }
    };

    const workerLoop = async (n: number): Promise<void> => {
      const w: Worker = { n, actor: workerActor(n, o.host) };
      while (!stop.signal.aborted) {
        if (o.holdClaims) {
          await o.holdClaims();
          if (stop.signal.aborted) break;
        }
        const task = await claim(w);
        if (!task) {
          if (busy.size === 0) return changed();
          o.emit({ event: "worker.idle", worker: n });
          await new Promise<void>((res) => waiters.push(res));
          continue;
        }
        startedTasks.add(task.id);
        busy.add(n);
        try {
          const run = await workTask(r, w, task, stop.signal);
          summary.usage = addUsage(summary.usage, run.usage);
          // A task retried in this run counts once, by how its last attempt ended.
          for (const list of [summary.completed, summary.failed, summary.blocked, summary.review]) if (list.includes(task.id)) list.splice(list.indexOf(task.id), 1);
          if (run.outcome === "completed") summary.completed.push(task.id);
          else if (run.outcome === "failed") summary.failed.push(task.id);
          else if (run.outcome === "blocked") summary.blocked.push(task.id);
          else if (run.outcome === "review") summary.review.push(task.id);
          // Its initiative's next step: branch progress, phase verification, the merge when complete.
          if (run.outcome === "completed") await initiatives.afterTask(task.id, w.actor, stop.signal).catch((err: unknown) => o.emit({ event: "initiative", initiative: task.initiative ?? "", text: `stopped: ${err instanceof Error ? err.message : String(err)}` }));
        } finally {
          busy.delete(n);
          changed();
        }
      }
    };

    // What an earlier run or a person left: unjudged finished phases, completed but unmerged branches.
    const forTask = o.task !== undefined ? snap.state.tasks[o.task]?.initiative : undefined;
    await initiatives.catchUp((id) => (o.initiative ?? (o.task !== undefined ? forTask : id)) === id, runActor, stop.signal);
    const workers = Array.from({ length: o.parallel }, (_, i) =>
      workerLoop(i + 1).catch((err: unknown) => {
        // Something outside one task's control (a dirty checkout, git itself): stop everyone cleanly.
        fatal ??= err instanceof Error ? err : new Error(String(err));
        stop.abort();
        changed();
      }));
    await Promise.all(workers);
    waiters = [];
    o.signal.removeEventListener("abort", onAbort);
    summary.interrupted = o.signal.aborted;
    summary.duration_ms = o.clock() - started;
    await store.transact(decideSessionEnded(session, {
      completed: summary.completed.length, failed: summary.failed.length + summary.blocked.length,
      tokens: { input: summary.usage.input_tokens, output: summary.usage.output_tokens }, cost_usd: summary.usage.cost_usd,
      duration_ms: summary.duration_ms, tasks: [...startedTasks], interrupted: summary.interrupted || fatal !== undefined,
      outcome: summary.interrupted || fatal !== undefined ? "interrupted" : summary.completed.length === 0 && startedTasks.size > 0 ? "failed" : "completed",
    }), runActor);
    o.emit({ event: "session.ended", session, completed: summary.completed, failed: summary.failed, blocked: summary.blocked, review: summary.review, usage: summary.usage, duration_ms: summary.duration_ms, interrupted: summary.interrupted });
    if (fatal !== undefined) throw fatal;
    return summary;
  } finally {
    await release();
  }
}
