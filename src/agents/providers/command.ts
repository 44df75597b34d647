import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { estimateTokens } from "../../domain/budget.ts";
import { short } from "../redact.ts";
import { splitCommand } from "../tools/run-command.ts";
import { ProviderError, type CliProvider, type CliRunRequest, type CliRunResult, type ProviderSettings, type TranscriptEntry } from "../types.ts";
import { finishMarker, runCli } from "./cli-run.ts";

/**
 * Any CLI agent from a template: `aider --yes --message-file {prompt_file}`, `opencode run {prompt}`.
 * Placeholders: {prompt_file}, {prompt}, {model}, {cwd}; each is substituted inside one argument
 * (no shell), so a prompt with spaces or quotes stays one argument. stdout and stderr are kept in
 * the transcript; such tools report no usage, so tokens are estimated from the text lengths.
 */
export function create(s: ProviderSettings): CliProvider {
  const template = s.command ?? "";
  const words = (() => {
    try {
      return splitCommand(template, { template: true });
    } catch (err) {
      throw new ProviderError("command", "bad_request", `roles.<role>.command: ${(err as Error).message}`);
    }
  })();
  if (words.length === 0) throw new ProviderError("command", "bad_request", "roles.<role>.command is empty");
  return {
    kind: "cli",
    name: "command",
    settings: s,
    versionCommand: () => ({ file: words[0]!, args: ["--version"] }),
    async run(req: CliRunRequest): Promise<CliRunResult> {
      const dir = await mkdtemp(join(tmpdir(), "rw-prompt-"));
      const promptFile = join(dir, "prompt.md");
      await writeFile(promptFile, req.prompt);
      try {
        const vars: Record<string, string> = { prompt_file: promptFile, prompt: req.prompt, model: s.model, cwd: req.cwd };
        const argv = words.map((w) => w.replace(/\{(prompt_file|prompt|model|cwd)\}/g, (_m, k: string) => vars[k]!));
        const transcript: TranscriptEntry[] = [];
        const out = await runCli("command", argv[0]!, argv.slice(1), req, undefined, (line) => {
          req.onProgress?.({ type: "text", delta: `${line}\n` });
        });
        if (out.stdout) transcript.push({ type: "text", role: "assistant", text: out.stdout });
        if (out.stderr) transcript.push({ type: "note", text: `stderr:\n${out.stderr}` });
        const marker = finishMarker(out.stdout);
        const tail = out.stdout.trim().split("\n").slice(-5).join("\n");
        return {
          finished: marker !== undefined && out.exitCode === 0,
          summary: marker ?? (short(tail, 500) || `exited ${out.exitCode ?? "?"} without RW-FINISH`),
          usage: { input_tokens: estimateTokens(req.prompt.length), output_tokens: estimateTokens(out.stdout.length + out.stderr.length) },
          turns: 1,
          transcript,
          exit_code: out.exitCode,
        };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
