import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import type { Executor, VerifyRequest, WorkRequest, WorkResult } from "../../src/orchestrator/executor.ts";
import { runLoop, type RunOptions, type RunSummary } from "../../src/orchestrator/loop.ts";
import type { ProgressEvent } from "../../src/orchestrator/progress-events.ts";
import { Store } from "../../src/store/store.ts";
import { baseEnv, makeRepo, type TempRepo } from "./repo.ts";

/**
 * A tiny executor for loop tests: each task's "agent" is a function that really edits files in
 * the worktree it is given. Not a mock of the loop: claims, git, gates and merge are all real.
 */
export class ScriptedExecutor implements Executor {
  readonly prompts: Array<{ task: string; attempt: number; prompt: string }> = [];
  constructor(
    private readonly act: (req: WorkRequest) => Promise<Partial<WorkResult> | void> | Partial<WorkResult> | void,
    private readonly judge: (req: VerifyRequest) => boolean[] = (req) => req.criteria.map(() => true),
  ) {}

  async work(req: WorkRequest): Promise<WorkResult> {
    this.prompts.push({ task: req.task.id, attempt: req.attempt, prompt: req.prompt });
    const r = (await this.act(req)) ?? {};
    return { finished: true, summary: `did ${req.task.title}`, usage: { input_tokens: 100, output_tokens: 20, cost_usd: 0.001 }, ...r };
  }

  async verify(req: VerifyRequest) {
    const met = this.judge(req);
    return { verdicts: req.criteria.map((c, i) => ({ index: c.index, met: met[i] ?? false, evidence: met[i] ? "seen in the diff" : "not in the diff" })), usage: { input_tokens: 10, output_tokens: 5, cost_usd: 0.0001 } };
  }
}

export function writeIn(req: WorkRequest, file: string, text: string): void {
  mkdirSync(join(req.cwd, file, ".."), { recursive: true });
  writeFileSync(join(req.cwd, file), text);
}

/** `.rewind/config.toml` for a test repo, with worktrees under `wtDir` (outside the repo), committed. */
export function configure(repo: TempRepo, wtDir: string, extra = ""): void {
  writeFileSync(join(repo.dir, ".rewind", "config.toml"), `version = 1\n[ids]\nprefix = "t"\n[execution]\nworktree_dir = ${JSON.stringify(wtDir)}\n${extra}\n`);
  repo.git(["add", ".rewind"]);
  repo.git(["commit", "-q", "-m", "rw config"]);
}

export interface RunRepo { repo: TempRepo; wtDir: string }

/**
 * Repositories for `rw run` tests, each with a folder for task worktrees outside it, removed after
 * each test of the file that calls this (at its top level). `configured` also runs `rw init` and
 * writes the config (see configure).
 */
export function runRepos(): { make(): RunRepo; configured(extra?: string): Promise<RunRepo> } {
  const made: RunRepo[] = [];
  afterEach(() => {
    for (const r of made.splice(0)) {
      r.repo.cleanup();
      rmSync(r.wtDir, { recursive: true, force: true });
    }
  });
  const make = (init = false): RunRepo => {
    const r = { repo: makeRepo({ init }), wtDir: mkdtempSync(join(tmpdir(), "rw-wt-")) };
    made.push(r);
    return r;
  };
  return {
    make: () => make(),
    async configured(extra = "") {
      const r = make(true);
      configure(r.repo, r.wtDir, extra);
      return r;
    },
  };
}

export async function runIn(repo: TempRepo, executor: Executor, opts: Partial<RunOptions> = {}): Promise<{ summary: RunSummary; events: ProgressEvent[] }> {
  const env = baseEnv() as Record<string, string | undefined>;
  const store = await Store.open({ cwd: repo.dir, env, now: () => new Date() });
  const events: ProgressEvent[] = [];
  try {
    const summary = await runLoop({
      store, executor, parallel: 1, env, clock: () => Date.now(), host: "testhost", pid: process.pid,
      signal: new AbortController().signal, emit: (e) => events.push(e), ...opts,
    });
    return { summary, events };
  } finally {
    store.close();
  }
}
