import { execa } from "execa";
import { ProviderError, type CliRunRequest, type TranscriptEntry } from "../types.ts";

export interface CliOutput {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  canceled: boolean;
}

/** The last `RW-FINISH: summary` line a CLI agent printed, if any. */
export function finishMarker(text: string): string | undefined {
  const matches = [...text.matchAll(/^\s*RW-FINISH:\s*(.+?)\s*$/gm)];
  return matches.length > 0 ? matches[matches.length - 1]![1] : undefined;
}

/**
 * Runs a CLI agent in the worktree and hands each stdout line to `onLine` as it arrives.
 * NOTE (execa 9): `reject: false` returns spawn failures (ENOENT) as a result with `code` instead
 * of throwing; `cancelSignal` + `forceKillAfterDelay` end the agent on abort; `extendEnv: false`
 * so the agent sees exactly the environment rw was given (variables set to undefined are left out).
 */
export async function runCli(provider: string, file: string, args: string[], req: CliRunRequest, input: string | undefined, onLine: (line: string) => void): Promise<CliOutput> {
  const sub = execa(file, args, {
    cwd: req.cwd, env: req.env, extendEnv: false, reject: false, timeout: req.timeout_ms, forceKillAfterDelay: 2000,
    ...(req.signal ? { cancelSignal: req.signal } : {}), ...(input !== undefined ? { input } : { stdin: "ignore" as const }),
    maxBuffer: 64 * 1024 * 1024,
  });
  let buf = "";
  sub.stdout?.on("data", (chunk: Buffer) => {
    buf += chunk.toString("utf8");
    let i: number;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.trim() !== "") onLine(line);
    }
  });
  const r = await sub;
  if (buf.trim() !== "") onLine(buf);
  const code = (r as { code?: string }).code;
  if (code === "ENOENT") throw new ProviderError(provider, "unavailable", `${file} not found on PATH: install it or set roles.<role>.binary`);
  if (code === "EACCES") throw new ProviderError(provider, "unavailable", `${file} is not executable`);
  return { exitCode: r.exitCode, stdout: String(r.stdout ?? ""), stderr: String(r.stderr ?? ""), timedOut: r.timedOut, canceled: r.isCanceled };
}

export function parseJsonLine(line: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(line) as unknown;
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);

/** A CLI agent's transcript as its output is read; each entry is also reported as progress. */
export function transcriptLog(req: CliRunRequest): { entries: TranscriptEntry[]; text(text: string): void; note(text: string): void; tool(entry: { tool: string; args: string; result: string; ok: boolean }): void } {
  const entries: TranscriptEntry[] = [];
  return {
    entries,
    text(text) {
      entries.push({ type: "text", role: "assistant", text });
      req.onProgress?.({ type: "text", delta: text });
    },
    note(text) {
      entries.push({ type: "note", text });
      req.onProgress?.({ type: "note", text });
    },
    tool(entry) {
      entries.push({ type: "tool", ...entry });
      req.onProgress?.({ type: "tool", ...entry });
    },
  };
}
