import Anthropic from "@anthropic-ai/sdk";
import { ProviderError, apiKeyOf, classifyStatus, type ChatProvider, type ChatRequest, type ChatResponse, type Message, type ProviderSettings, type ToolCall } from "../types.ts";
import type { ProviderContext } from "./index.ts";
import { withMidStreamRetry, type StreamAttempt } from "./midstream.ts";

type Block = Anthropic.ContentBlockParam;

/** rw's neutral conversation → Messages API turns (tool results travel in a user turn; turns alternate). */
function toMessages(messages: Message[]): Anthropic.MessageParam[] {
  const out: Anthropic.MessageParam[] = [];
  const push = (role: "user" | "assistant", blocks: Block[]): void => {
    const last = out[out.length - 1];
    if (last && last.role === role && Array.isArray(last.content)) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  };
  for (const m of messages) {
    if (m.role === "user") push("user", [{ type: "text", text: m.content }]);
    else if (m.role === "assistant") {
      const blocks: Block[] = m.content ? [{ type: "text", text: m.content }] : [];
      for (const c of m.tool_calls) blocks.push({ type: "tool_use", id: c.id, name: c.name, input: c.input });
      push("assistant", blocks.length > 0 ? blocks : [{ type: "text", text: "(no text)" }]);
    } else {
      push("user", m.results.map((r) => ({ type: "tool_result" as const, tool_use_id: r.id, content: r.content, is_error: r.is_error })));
    }
  }
  // A conversation that ends on an assistant turn (pause_turn) asks the model to go on from
  // there; the API refuses such a last turn when its text ends in whitespace.
  const last = out[out.length - 1];
  if (last?.role === "assistant" && Array.isArray(last.content)) {
    const tail = last.content[last.content.length - 1];
    if (tail?.type === "text") tail.text = tail.text.trimEnd() || "(no text)";
  }
  return out;
}

function toError(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  if (err instanceof Anthropic.APIUserAbortError) return new ProviderError("anthropic", "aborted", "aborted");
  if (err instanceof Anthropic.APIConnectionError) return new ProviderError("anthropic", "network", `cannot reach the Anthropic API: ${err.message}`);
  if (err instanceof Anthropic.APIError) {
    const status = typeof err.status === "number" ? err.status : undefined;
    if (status === undefined) {
      // An `event: error` in the stream after HTTP 200: {"type":"error","error":{"type":"overloaded_error",…}}.
      const type = (err.error as { error?: { type?: string } } | undefined)?.error?.type ?? "";
      const kind = type === "rate_limit_error" ? "rate_limit" : type === "invalid_request_error" ? "bad_request" : type === "authentication_error" ? "auth" : "server";
      return new ProviderError("anthropic", kind, `Anthropic API stream error${type ? ` (${type})` : ""}: ${err.message}`);
    }
    return new ProviderError("anthropic", classifyStatus(status), `Anthropic API ${status}: ${err.message}`, status);
  }
  return new ProviderError("anthropic", "unavailable", (err as Error).message);
}

export function create(s: ProviderSettings, ctx: ProviderContext): ChatProvider {
  const key = apiKeyOf(s, ctx.env);
  // NOTE: pass apiKey explicitly: without it the SDK walks a credential chain (profiles on
  // disk, ANTHROPIC_AUTH_TOKEN) that rw's configuration does not describe. maxRetries uses the
  // SDK's own backoff, which honours retry-after; rw's fallback takes over after that.
  const client = key
    ? new Anthropic({ apiKey: key, baseURL: s.base_url ?? ctx.env.ANTHROPIC_BASE_URL ?? null, maxRetries: s.retries })
    : undefined;
  return {
    kind: "chat",
    name: "anthropic",
    settings: s,
    async chat(req: ChatRequest): Promise<ChatResponse> {
      if (!client) throw new ProviderError("anthropic", "auth", `no API key: set ${s.api_key_env ?? "ANTHROPIC_API_KEY"} (or roles.<role>.api_key_env)`);
      try {
        const params: Anthropic.MessageCreateParams = {
          model: s.model,
          max_tokens: s.max_tokens,
          system: req.system,
          messages: toMessages(req.messages),
          ...(req.tools.length > 0 ? { tools: req.tools.map((t) => ({ name: t.name, description: t.description, input_schema: t.input_schema as Anthropic.Tool.InputSchema })) } : {}),
          ...(s.temperature !== undefined ? { temperature: s.temperature } : {}),
          ...(req.tool_choice ? { tool_choice: req.tool_choice === "any" ? { type: "any" as const } : { type: "tool" as const, name: req.tool_choice.name } } : {}),
        };
        const attempt = (): StreamAttempt<ChatResponse> => {
          let started = false;
          const seen = { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0 };
          return {
            started: () => started,
            usage: () => ({ ...seen }),
            async run(signal) {
              const stream = client.messages.stream(params, { signal: signal ?? null });
              stream.on("streamEvent", (ev) => {
                if (ev.type === "message_start") {
                  started = true;
                  const u = ev.message.usage;
                  seen.cache_read_tokens = u.cache_read_input_tokens ?? 0;
                  seen.cache_write_tokens = u.cache_creation_input_tokens ?? 0;
                  seen.input_tokens = u.input_tokens + seen.cache_read_tokens + seen.cache_write_tokens;
                  seen.output_tokens = u.output_tokens;
                } else if (ev.type === "message_delta") {
                  seen.output_tokens = ev.usage.output_tokens;
                }
              });
              if (req.onText) stream.on("text", (delta) => req.onText?.(delta));
              const msg = await stream.finalMessage();
              let text = "";
              const tool_calls: ToolCall[] = [];
              for (const block of msg.content) {
                if (block.type === "text") text += block.text;
                else if (block.type === "tool_use") tool_calls.push({ id: block.id, name: block.name, input: (block.input ?? {}) as Record<string, unknown> });
              }
              const u = msg.usage;
              const cacheRead = u.cache_read_input_tokens ?? 0;
              const cacheWrite = u.cache_creation_input_tokens ?? 0;
              const usage = { input_tokens: u.input_tokens + cacheRead + cacheWrite, output_tokens: u.output_tokens, cache_read_tokens: cacheRead, cache_write_tokens: cacheWrite };
              return { text, tool_calls, usage, stop_reason: msg.stop_reason ?? "end_turn", model: msg.model || s.model };
            },
          };
        };
        return await withMidStreamRetry(attempt, { retries: s.retries, signal: req.signal, toError, onRetry: req.onRetry });
      } catch (err) {
        throw toError(err);
      }
    },
  };
}
