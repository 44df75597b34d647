import { execFile, execFileSync, spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { inject, onTestFinished } from "vitest";

/** The built CLI (tests run against `dist/`, like a user would; `npm test` builds first). */
export const RW_BIN = resolve(import.meta.dirname, "../../dist/cli/rw.cjs");

export interface RunResult { code: number; stdout: string; stderr: string }

export interface TempRepo {
  dir: string;
  /** Runs the built `rw` in this repository (or `opts.cwd`) with a clean, deterministic environment. */
  rw(args: string[], opts?: { actor?: string; input?: string; cwd?: string; env?: Record<string, string> }): Promise<RunResult>;
  /** Like rw() but throws unless the exit code is 0; returns trimmed stdout. */
  rwOk(args: string[], opts?: { actor?: string; input?: string; cwd?: string; env?: Record<string, string> }): Promise<string>;
  git(args: string[], cwd?: string): string;
  cleanup(): void;
}

export function baseEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", GIT_CONFIG_NOSYSTEM: "1", ...extra };
  delete env.RW_ACTOR;
  return env;
}

export function runRw(args: string[], opts: { cwd: string; actor?: string; input?: string; env?: Record<string, string> }): Promise<RunResult> {
  return new Promise((done) => {
    const env = baseEnv(opts.env);
    if (opts.actor) env.RW_ACTOR = opts.actor;
    const child = execFile(process.execPath, [RW_BIN, ...args], { cwd: opts.cwd, env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1) : 0;
      done({ code, stdout, stderr });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

/** `git init -b main` in `dir` with a user and gc.auto 0, and (`commit`) an empty first commit. */
export function gitInit(dir: string, commit: boolean): void {
  const git = (args: string[]): string => execFileSync("git", args, { cwd: dir, env: baseEnv(), encoding: "utf8" });
  git(["init", "-q", "-b", "main"]);
  git(["config", "user.name", "Test User"]);
  git(["config", "user.email", "test@example.com"]);
  git(["config", "gc.auto", "0"]);
  if (commit) git(["commit", "-q", "--allow-empty", "-m", "initial"]);
}

/**
 * A fresh `git init -b main` repository with a user, gc.auto 0, and (by default) one commit;
 * `init` adds what `rw init` writes (and `config`, a `.rewind/config.toml` of the test's own).
 */
export function makeRepo(opts: { commit?: boolean; init?: boolean; config?: string } = {}): TempRepo {
  const dir = mkdtempSync(join(tmpdir(), "rw-test-"));
  const git = (args: string[], cwd = dir): string => execFileSync("git", args, { cwd, env: baseEnv(), encoding: "utf8" });
  if (opts.init) {
    // A copy of the run's one `rw init`ed repository (global-setup.ts): repositories made so
    // share its ID prefix; tests about `rw init` itself still run it.
    cpSync(inject("rwInitTemplate"), dir, { recursive: true });
    if (opts.config !== undefined) writeFileSync(join(dir, ".rewind", "config.toml"), opts.config);
  } else {
    gitInit(dir, opts.commit !== false);
  }
  const repo: TempRepo = {
    dir,
    rw: (args, o = {}) => runRw(args, { cwd: o.cwd ?? dir, ...(o.actor ? { actor: o.actor } : {}), ...(o.input !== undefined ? { input: o.input } : {}), ...(o.env ? { env: o.env } : {}) }),
    async rwOk(args, o = {}) {
      const r = await repo.rw(args, o);
      if (r.code !== 0) throw new Error(`rw ${args.join(" ")} exited ${r.code}\n${r.stderr}${r.stdout}`);
      return r.stdout.trim();
    },
    git,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
  return repo;
}

/** Polls until `check` returns a truthy value or the deadline passes (no fixed sleeps as assertions). */
export async function waitFor<T>(check: () => T | Promise<T>, opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${opts.what ?? "condition"}${last instanceof Error ? `: ${last.message}` : ""}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 25));
  }
}

/** Cleans `x` up when the running test ends; vitest runs these hooks last-registered first. */
export function track<T extends { cleanup(): void }>(x: T): T {
  onTestFinished(() => x.cleanup());
  return x;
}

export { spawn };
