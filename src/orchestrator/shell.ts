import { execa } from "execa";

export interface ShellResult {
  exit_code: number | null;
  timed_out: boolean;
  aborted: boolean;
  /** stdout and stderr interleaved as they arrived. */
  output: string;
  duration_ms: number;
}

const GRACE_MS = 2_000;

/**
 * Runs one shell command (a gate or a hook) in its own process group, so a timeout or Ctrl-C
 * kills everything it started (a test runner's workers too), not just the shell.
 * NOTE: execa's own `timeout` kills only the direct child; with `detached: true` the child leads
 * a new process group and `process.kill(-pid)` reaches the whole group. stdin is closed so a
 * command that prompts fails instead of hanging.
 */
export async function runShell(command: string, opts: { cwd: string; env: Record<string, string | undefined>; timeoutMs: number; signal?: AbortSignal; now: () => number }): Promise<ShellResult> {
  const started = opts.now();
  const child = execa(command, {
    shell: true, cwd: opts.cwd, env: opts.env, extendEnv: false, detached: true, stdin: "ignore", all: true, reject: false, stripFinalNewline: false,
  });
  let timedOut = false;
  let aborted = false;
  const killGroup = (sig: NodeJS.Signals): void => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, sig);
    } catch {
      // already gone
    }
  };
  const stop = (): void => {
    killGroup("SIGTERM");
    setTimeout(() => killGroup("SIGKILL"), GRACE_MS).unref();
  };
  const timer = setTimeout(() => {
    timedOut = true;
    stop();
  }, opts.timeoutMs);
  const onAbort = (): void => {
    aborted = true;
    stop();
  };
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  if (opts.signal?.aborted) onAbort();
  try {
    const r = await child;
    const output = typeof r.all === "string" ? r.all : "";
    return { exit_code: timedOut || aborted ? null : (r.exitCode ?? null), timed_out: timedOut, aborted, output, duration_ms: opts.now() - started };
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener("abort", onAbort);
    // Whatever the command left running in its group (a server it started) goes with it.
    killGroup("SIGKILL");
  }
}

/** The last `max` characters, starting at a line boundary when possible. */
export function tail(text: string, max = 4_000): string {
  if (text.length <= max) return text;
  const cut = text.slice(text.length - max);
  const nl = cut.indexOf("\n");
  return `…${nl >= 0 && nl < 200 ? cut.slice(nl) : cut}`;
}
