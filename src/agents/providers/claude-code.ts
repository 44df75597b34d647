import { asText, short } from "../redact.ts";
import { ProviderError, type CliProvider, type CliRunRequest, type CliRunResult, type ProviderSettings } from "../types.ts";
import { finishMarker, num, parseJsonLine, runCli, transcriptLog } from "./cli-run.ts";
import { classifyFailureText, resetTimeOf } from "./limits.ts";

type Obj = Record<string, unknown>;
const blocks = (msg: unknown): Obj[] => {
  const content = (msg as { content?: unknown } | undefined)?.content;
  return Array.isArray(content) ? (content as Obj[]) : [];
};
const textOf = (v: unknown): string => (typeof v === "string" ? v : Array.isArray(v) ? (v as Obj[]).map((b) => (typeof b.text === "string" ? b.text : "")).join("") : "");

/**
 * The arguments of a headless run. `-p` cannot ask for approval, so what needs one is denied:
 * `--permission-mode acceptEdits` approves file edits inside the working directory, and
 * `--allowedTools` pre-approves the rest (config resolves the default list: read/search tools
 * plus `Bash(<cmd>:*)` for each of [tools] allow_commands).
 */
export function claudeArgs(s: ProviderSettings): string[] {
  const args = ["-p", "--output-format", "stream-json", "--verbose", "--model", s.model, "--permission-mode", s.permission_mode ?? "acceptEdits"];
  if (s.allowed_tools && s.allowed_tools.length > 0) args.push("--allowedTools", s.allowed_tools.join(","));
  return args;
}

/** "Bash(rm -rf build)", "Write(/etc/hosts)": a denied call as a person would name it. */
function denialText(d: Obj): string {
  const input = (d.tool_input ?? {}) as Obj;
  const what = input.command ?? input.file_path ?? input.path ?? input.url ?? input.pattern;
  return `${asText(d.tool_name) || "tool"}${what !== undefined ? `(${short(asText(what), 80)})` : ""}`;
}

/**
 * `claude -p --output-format stream-json --verbose`: one JSON object per line (system init,
 * assistant and user messages with tool_use / tool_result blocks) ending with a `result` object
 * that carries `total_cost_usd`, `usage`, `num_turns` and `permission_denials`.
 */
export function create(s: ProviderSettings): CliProvider {
  const file = s.binary ?? "claude";
  return {
    kind: "cli",
    name: "claude-code",
    settings: s,
    versionCommand: () => ({ file, args: ["--version"] }),
    async run(req: CliRunRequest): Promise<CliRunResult> {
      const args = claudeArgs(s);
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
      const u = (result.usage ?? {}) as Obj;
      const usage = {
        input_tokens: num(u.input_tokens) + num(u.cache_creation_input_tokens) + num(u.cache_read_input_tokens),
        output_tokens: num(u.output_tokens),
        cache_read_tokens: num(u.cache_read_input_tokens),
        cache_write_tokens: num(u.cache_creation_input_tokens),
        cost_usd: typeof result.total_cost_usd === "number" ? result.total_cost_usd : undefined,
      };
      const turns = num(result.num_turns);
      if (result.is_error === true) {
        const kind = classifyFailureText(text);
        if (kind) {
          // The work before the limit (tool calls, the reported cost) is recorded before any fallback.
          const err = new ProviderError("claude-code", kind, `claude reported: ${short(text, 200)}`);
          err.partial = { usage, transcript: log.entries, turns };
          err.reset_at = resetTimeOf(text);
          throw err;
        }
      }
      const denials = Array.isArray(result.permission_denials) ? (result.permission_denials as Obj[]) : [];
      const denied = denials.length > 0
        ? `claude was denied ${denials.length} tool call${denials.length === 1 ? "" : "s"}: ${[...new Set(denials.map(denialText))].slice(0, 8).join(", ")}; allow them with roles.<role>.allowed_tools or permission_mode`
        : undefined;
      if (denied) log.note(denied);
      const marker = finishMarker(text);
      const finished = result.is_error !== true && marker !== undefined;
      const reason = finished ? undefined : (denied ?? (result.is_error === true ? `claude ended with ${asText(result.subtype) || "an error"}: ${short(text, 200)}` : undefined));
      return {
        finished,
        ...(reason ? { reason } : {}),
        summary: marker ?? short(text || asText(result.subtype), 500),
        usage,
        turns,
        transcript: log.entries,
        exit_code: out.exitCode,
      };
    },
  };
}
