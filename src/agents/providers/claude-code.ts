import { asText, short } from "../redact.ts";
import { ProviderError, type CliProvider, type CliRunRequest, type CliRunResult, type ProviderSettings } from "../types.ts";
import { finishMarker, num, parseJsonLine, runCli, transcriptLog } from "./cli-run.ts";

type Obj = Record<string, unknown>;
const blocks = (msg: unknown): Obj[] => {
  const content = (msg as { content?: unknown } | undefined)?.content;
  return Array.isArray(content) ? (content as Obj[]) : [];
};
const textOf = (v: unknown): string => (typeof v === "string" ? v : Array.isArray(v) ? (v as Obj[]).map((b) => (typeof b.text === "string" ? b.text : "")).join("") : "");

/**
 * `claude -p --output-format stream-json --verbose`: one JSON object per line (system init,
 * assistant and user messages with tool_use / tool_result blocks) ending with a `result` object
 * that carries `total_cost_usd`, `usage` and `num_turns`.
 */
export function create(s: ProviderSettings): CliProvider {
  const file = s.binary ?? "claude";
  return {
    kind: "cli",
    name: "claude-code",
    settings: s,
    versionCommand: () => ({ file, args: ["--version"] }),
    async run(req: CliRunRequest): Promise<CliRunResult> {
      const args = ["-p", "--output-format", "stream-json", "--verbose", "--model", s.model];
      if (s.permission_mode) args.push("--permission-mode", s.permission_mode);
      if (s.allowed_tools && s.allowed_tools.length > 0) args.push("--allowedTools", s.allowed_tools.join(","));
      const log = transcriptLog(req);
      const pending = new Map<string, { name: string; input: unknown }>();
      let result: Obj | undefined;
      let lastText = "";
      const out = await runCli("claude-code", file, args, req, req.prompt, (line) => {
        const m = parseJsonLine(line);
        if (!m) return;
        if (m.type === "assistant") {
          for (const b of blocks(m.message)) {
            if (b.type === "text" && typeof b.text === "string") {
              lastText = b.text;
              log.text(b.text);
            } else if (b.type === "tool_use" && typeof b.id === "string") {
              pending.set(b.id, { name: String(b.name), input: b.input });
            }
          }
        } else if (m.type === "user") {
          for (const b of blocks(m.message)) {
            if (b.type !== "tool_result") continue;
            const call = pending.get(String(b.tool_use_id));
            log.tool({ tool: call?.name ?? "tool", args: short(JSON.stringify(call?.input ?? {}), 160), result: short(textOf(b.content)), ok: b.is_error !== true });
          }
        } else if (m.type === "result") {
          result = m;
        }
      });
      if (!result) {
        if (out.canceled || out.timedOut) return { finished: false, summary: out.timedOut ? "timed out" : "aborted", usage: { input_tokens: 0, output_tokens: 0 }, turns: 0, transcript: log.entries, exit_code: out.exitCode };
        throw new ProviderError("claude-code", "unavailable", `claude exited ${out.exitCode ?? "?"} without a result: ${short(out.stderr || out.stdout, 300)}`);
      }
      const text = typeof result.result === "string" ? result.result : lastText;
      if (result.is_error === true && /rate.?limit|overloaded|529|429|5\d\d/i.test(text)) {
        throw new ProviderError("claude-code", "rate_limit", `claude reported: ${short(text, 200)}`);
      }
      const u = (result.usage ?? {}) as Obj;
      const marker = finishMarker(text);
      return {
        finished: result.is_error !== true && marker !== undefined,
        summary: marker ?? short(text || asText(result.subtype), 500),
        usage: {
          input_tokens: num(u.input_tokens) + num(u.cache_creation_input_tokens) + num(u.cache_read_input_tokens),
          output_tokens: num(u.output_tokens),
          cost_usd: typeof result.total_cost_usd === "number" ? result.total_cost_usd : undefined,
        },
        turns: num(result.num_turns),
        transcript: log.entries,
        exit_code: out.exitCode,
      };
    },
  };
}
