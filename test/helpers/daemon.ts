import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach } from "vitest";
import { baseEnv, RW_BIN, waitFor, type TempRepo } from "./repo.ts";

/** waitFor with a deadline for a loaded 2-core machine (the daemon is a separate process). */
export function waitLong<T>(check: () => T | Promise<T>, opts: { timeoutMs?: number; what?: string } = {}): Promise<NonNullable<T>> {
  return waitFor(check, { timeoutMs: 40_000, ...opts });
}

/**
 * After each test: stop the test's daemon (stopping one that already exited is a no-op) and
 * remove its repository. `current` reads the test file's own variables.
 */
export function cleanUpAfterEach(current: () => { daemon: DaemonProc | undefined; repo: TempRepo | undefined }): void {
  afterEach(async () => {
    const { daemon, repo } = current();
    await daemon?.stop();
    repo?.cleanup();
  });
}

/** A real `rw daemon` child process on a temp repository, with its output collected. */
export interface DaemonProc {
  child: ChildProcess;
  output(): string;
  /** Waits until the daemon printed a line matching `re`. */
  waitLine(re: RegExp, what?: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startDaemon(repo: TempRepo, opts: { env?: Record<string, string>; args?: string[] } = {}): Promise<DaemonProc> {
  const child = spawn(process.execPath, [RW_BIN, "daemon", ...(opts.args ?? [])], { cwd: repo.dir, env: baseEnv(opts.env), stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr.on("data", (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((r) => child.on("exit", () => r()));
  const proc: DaemonProc = {
    child,
    output: () => out,
    waitLine: (re, what) => waitFor(() => out.split("\n").find((l) => re.test(l)), { timeoutMs: 40_000, what: `${what ?? String(re)} in daemon output:\n${out}` }),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
  await proc.waitLine(/watching \.rewind\//, "daemon start");
  return proc;
}

export const mirrorFile = (repo: TempRepo, rel: string): string => join(repo.dir, ".rewind", rel);
export const readMirror = (repo: TempRepo, rel: string): string => readFileSync(mirrorFile(repo, rel), "utf8");

/** What an editor does on save: write a temp file next to it, then rename over the original. */
export function editorSave(path: string, text: string): void {
  const tmp = `${path}.swp~`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** The tip of the state ref. */
export const tipOf = (repo: TempRepo): string => repo.git(["rev-parse", "refs/heads/rewind"]).trim();

/** Event lines of the whole log on the ref, parsed. */
export function refEvents(repo: TempRepo): Array<{ type: string; task?: string; actor: string; data: Record<string, unknown> }> {
  const files = repo.git(["ls-tree", "--name-only", "refs/heads/rewind", "events/"]).split("\n").filter(Boolean);
  return files.flatMap((f) => repo.git(["show", `refs/heads/rewind:${f}`]).split("\n").filter(Boolean).map((l) => JSON.parse(l) as { type: string; task?: string; actor: string; data: Record<string, unknown> }));
}
