import { spawn } from "node:child_process";
import { secretFreeEnv, type SecretEnvOptions } from "../secret-env.ts";
import { resolveInside, ToolError, type Sandbox } from "./sandbox.ts";

export interface RunCommandLimits {
  allow: string[];
  timeout_ms: number;
  output_cap: number;
  env: Record<string, string | undefined>;
  /** What stays out of the command's environment besides secret-named variables (secret-env.ts). */
  secrets?: SecretEnvOptions;
}

/**
 * Splits a command line into words with simple quoting. Shell operators are refused rather than
 * interpreted: the command runs without a shell, so `npm test; rm -rf ~` cannot sneak past the
 * allow-list.
 */
export function splitCommand(line: string, opts: { template?: boolean } = {}): string[] {
  const words: string[] = [];
  let cur = "";
  let quote: '"' | "'" | null = null;
  let any = false;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = null;
      else cur += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      any = true;
    } else if (/\s/.test(ch)) {
      if (any || cur !== "") words.push(cur);
      cur = "";
      any = false;
    } else if ((opts.template ? /[;&|<>`$()\n\\]/ : /[;&|<>`$(){}\n\\]/).test(ch)) {
      throw new ToolError(`shell syntax (${ch}) is not supported: run one command without pipes, redirects or substitutions`);
    } else {
      cur += ch;
    }
  }
  if (quote) throw new ToolError("unterminated quote in command");
  if (any || cur !== "") words.push(cur);
  return words;
}

/** An allow-list entry `npm run` permits `npm run build` but not `npm install`; `ls` permits `ls -la`. */
export function allowedBy(argv: string[], allow: string[]): string | undefined {
  return allow.find((entry) => {
    const words = entry.trim().split(/\s+/);
    return words.length <= argv.length && words.every((w, i) => w === argv[i]);
  });
}

/**
 * Runs an allow-listed command in the worktree, in its own process group, without a shell. At
 * the timeout the whole group is killed (SIGTERM, then SIGKILL), so a command that forks cannot
 * outlive it. Output is capped; the model sees the exit code and the (tail of the) output.
 */
export async function runCommandTool(sb: Sandbox, input: Record<string, unknown>, limits: RunCommandLimits, signal?: AbortSignal): Promise<{ text: string; ok: boolean }> {
  if (typeof input.command !== "string" || input.command.trim() === "") throw new ToolError("command must be a non-empty string");
  const argv = splitCommand(input.command);
  if (argv.length === 0) throw new ToolError("empty command");
  if (!allowedBy(argv, limits.allow)) {
    throw new ToolError(`${argv.slice(0, 2).join(" ")} is not allowed; allowed commands: ${limits.allow.join(", ")} (config: tools.allow_commands)`);
  }
  // Path-looking arguments must stay inside too (`ls ../..`, `cat /etc/passwd`).
  for (const arg of argv.slice(1)) {
    const value = arg.includes("=") && !arg.startsWith("/") ? arg.slice(arg.indexOf("=") + 1) : arg;
    if (value.startsWith("/") || value.startsWith("~") || value.split("/").includes("..")) {
      if (value.startsWith("~")) throw new ToolError(`${arg}: paths outside the worktree are refused`);
      await resolveInside(sb, value);
    }
  }
  const timeoutMs = typeof input.timeout_ms === "number" ? Math.min(input.timeout_ms, limits.timeout_ms) : limits.timeout_ms;
  return new Promise((done) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: sb.root, env: secretFreeEnv(limits.env, limits.secrets), detached: true, stdio: ["ignore", "pipe", "pipe"] });
    // Keep the head and the tail: errors usually sit at the end.
    const half = Math.floor(limits.output_cap / 2);
    let head = "";
    let tail = "";
    let total = 0;
    const keep = (chunk: Buffer): void => {
      let text = chunk.toString("utf8");
      total += text.length;
      if (head.length < half) {
        const take = half - head.length;
        head += text.slice(0, take);
        text = text.slice(take);
      }
      tail = (tail + text).slice(-half);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    let killedBy: string | undefined;
    const killGroup = (sig: NodeJS.Signals): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, sig);
      } catch {
        // already gone
      }
    };
    const stop = (why: string): void => {
      if (killedBy) return;
      killedBy = why;
      killGroup("SIGTERM");
      setTimeout(() => killGroup("SIGKILL"), 1000).unref();
    };
    const timer = setTimeout(() => stop(`timed out after ${timeoutMs} ms`), timeoutMs);
    const onAbort = (): void => stop("aborted");
    signal?.addEventListener("abort", onAbort, { once: true });
    child.on("error", (err) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      done({ text: `cannot run ${argv[0]}: ${(err as NodeJS.ErrnoException).code ?? err.message}`, ok: false });
    });
    child.on("close", (code, sig) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      // The leader is gone; make sure no grandchild of a timed-out command lingers.
      if (killedBy) killGroup("SIGKILL");
      const status = killedBy ? `killed: ${killedBy}` : sig ? `killed by ${sig}` : `exit code ${code}`;
      const dropped = total - head.length - tail.length;
      const out = dropped > 0 ? `${head}\n[… ${dropped} characters of output dropped …]\n${tail}` : head + tail;
      done({ text: `${status}\n${out}`, ok: !killedBy && code === 0 });
    });
  });
}
