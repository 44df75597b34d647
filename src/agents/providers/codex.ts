import { asText, short } from "../redact.ts";
import { ProviderError, type CliProvider, type CliRunRequest, type CliRunResult, type ProviderSettings } from "../types.ts";
import { finishMarker, num, parseJsonLine, runCli, transcriptLog } from "./cli-run.ts";
import { classifyFailureText, isReconnectNotice, resetTimeOf } from "./limits.ts";

type Obj = Record<string, unknown>;

/** The arguments of a headless codex run: JSON events, writes confined to the worktree (`--full-auto` is deprecated). */
export function codexArgs(s: ProviderSettings): string[] {
  const args = ["exec", "--json", "--sandbox", "workspace-write", "--skip-git-repo-check", "--model", s.model];
  if (s.reasoning_effort) args.push("-c", `model_reasoning_effort="${s.reasoning_effort}"`);
  args.push("-");
  return args;
}

/**
 * `codex exec --json`: JSONL thread events — thread.started, turn.started, item.started /
 * item.completed (agent_message, command_execution, file_change, …), turn.completed with usage
 * (input_tokens, cached_input_tokens, output_tokens), turn.failed {error: {message}}, and
 * top-level error {message}. "Reconnecting... N/M" errors are transient: codex retries the
 * turn itself, so they are notes, not failures. The prompt goes in on stdin (`-`).
 */
export function create(s: ProviderSettings): CliProvider {
  const file = s.binary ?? "codex";
  return {
    kind: "cli",
    name: "codex",
    settings: s,
    versionCommand: () => ({ file, args: ["--version"] }),
    async run(req: CliRunRequest): Promise<CliRunResult> {
      const log = transcriptLog(req);
      const usage = { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0 };
      let turns = 0;
      let lastMessage = "";
      let failure: string | undefined;
      const addUsage = (u: Obj): void => {
        usage.input_tokens += num(u.input_tokens);
        usage.cache_read_tokens += num(u.cached_input_tokens);
        usage.output_tokens += num(u.output_tokens);
      };
      const out = await runCli("codex", file, codexArgs(s), req, req.prompt, (line) => {
        const m = parseJsonLine(line);
        if (!m) return;
        if (m.type === "turn.completed") {
          turns++;
          addUsage((m.usage ?? {}) as Obj);
          failure = undefined; // an error before a completed turn was survived
        } else if (m.type === "turn.failed") {
          turns++;
          addUsage((m.usage ?? {}) as Obj);
          const e = (m.error ?? {}) as Obj;
          failure = typeof e.message === "string" ? e.message : JSON.stringify(e);
        } else if (m.type === "error") {
          const message = typeof m.message === "string" ? m.message : JSON.stringify(m);
          if (isReconnectNotice(message)) log.note(`codex: ${short(message, 300)}`);
          else failure = message;
        } else if (m.type === "item.completed") {
          const item = (m.item ?? {}) as Obj;
          const kind = item.type ?? item.item_type;
          if (kind === "agent_message" && typeof item.text === "string") {
            lastMessage = item.text;
            log.text(item.text);
          } else if (kind === "command_execution") {
            log.tool({ tool: "command", args: short(asText(item.command), 160), result: short(asText(item.aggregated_output)), ok: item.exit_code === 0 });
          } else if (kind === "file_change") {
            const changes = Array.isArray(item.changes) ? (item.changes as Obj[]).map((c) => `${asText(c.kind)} ${asText(c.path)}`.trim()).join(", ") : "";
            log.tool({ tool: "file_change", args: short(changes, 160), result: asText(item.status ?? "completed"), ok: item.status !== "failed" });
          } else if (kind === "error" && typeof item.message === "string") {
            log.note(`codex: ${short(item.message, 300)}`);
          }
        }
      });
      const work = { usage, transcript: log.entries, turns };
      if (failure && !out.canceled && !out.timedOut) {
        const kind = classifyFailureText(failure);
        if (kind) {
          const err = new ProviderError("codex", kind, `codex reported: ${short(failure, 300)}`);
          err.partial = work;
          err.reset_at = resetTimeOf(failure);
          throw err;
        }
      }
      if (turns === 0 && !lastMessage && !out.canceled && !out.timedOut) {
        throw new ProviderError("codex", "unavailable", `codex exited ${out.exitCode ?? "?"} without output: ${short(failure ?? (out.stderr || out.stdout), 300)}`);
      }
      const marker = finishMarker(lastMessage);
      return {
        finished: !failure && marker !== undefined, summary: marker ?? short(failure ?? lastMessage, 500),
        ...(failure ? { reason: `codex turn failed: ${short(failure, 300)}` } : {}),
        usage, turns, transcript: log.entries, exit_code: out.exitCode,
      };
    },
  };
}
