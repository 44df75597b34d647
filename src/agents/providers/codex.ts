import { asText, short } from "../redact.ts";
import { ProviderError, type CliProvider, type CliRunRequest, type CliRunResult, type ProviderSettings } from "../types.ts";
import { finishMarker, num, parseJsonLine, runCli, transcriptLog } from "./cli-run.ts";

type Obj = Record<string, unknown>;

/**
 * `codex exec --json`: JSONL thread events — thread.started, turn.started, item.started /
 * item.completed (agent_message, command_execution, file_change, …), turn.completed with usage,
 * turn.failed / error. The prompt goes in on stdin (`-`).
 */
export function create(s: ProviderSettings): CliProvider {
  const file = s.binary ?? "codex";
  return {
    kind: "cli",
    name: "codex",
    settings: s,
    versionCommand: () => ({ file, args: ["--version"] }),
    async run(req: CliRunRequest): Promise<CliRunResult> {
      const args = ["exec", "--json", "--full-auto", "--skip-git-repo-check", "--model", s.model, "-"];
      const log = transcriptLog(req);
      const usage = { input_tokens: 0, output_tokens: 0 };
      let turns = 0;
      let lastMessage = "";
      let failure: string | undefined;
      const out = await runCli("codex", file, args, req, req.prompt, (line) => {
        const m = parseJsonLine(line);
        if (!m) return;
        if (m.type === "turn.completed") {
          turns++;
          const u = (m.usage ?? {}) as Obj;
          usage.input_tokens += num(u.input_tokens);
          usage.output_tokens += num(u.output_tokens);
        } else if (m.type === "turn.failed" || m.type === "error") {
          const e = (m.error ?? m) as Obj;
          failure = typeof e.message === "string" ? e.message : JSON.stringify(e);
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
          }
        }
      });
      if (failure && /rate.?limit|429|5\d\d|overloaded|unavailable/i.test(failure)) throw new ProviderError("codex", "rate_limit", `codex reported: ${short(failure, 200)}`);
      if (turns === 0 && !lastMessage && !out.canceled && !out.timedOut) {
        throw new ProviderError("codex", "unavailable", `codex exited ${out.exitCode ?? "?"} without output: ${short(failure ?? (out.stderr || out.stdout), 300)}`);
      }
      const marker = finishMarker(lastMessage);
      return { finished: !failure && marker !== undefined, summary: marker ?? short(failure ?? lastMessage, 500), usage, turns, transcript: log.entries, exit_code: out.exitCode };
    },
  };
}
