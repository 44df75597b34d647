import Anthropic from "@anthropic-ai/sdk";
import { ProviderError, apiKeyOf, classifyStatus, type ChatProvider, type ChatRequest, type ChatResponse, type Message, type ProviderSettings, type ToolCall } from "../types.ts";
import type { ProviderContext } from "./index.ts";

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
  return out;
}

function toError(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  if (err instanceof Anthropic.APIUserAbortError) return new ProviderError("anthropic", "aborted", "aborted");
  if (err instanceof Anthropic.APIConnectionError) return new ProviderError("anthropic", "network", `cannot reach the Anthropic API: ${err.message}`);
  if (err instanceof Anthropic.APIError) {
    const status = typeof err.status === "number" ? err.status : undefined;
    return new ProviderError("anthropic", classifyStatus(status), `Anthropic API ${status ?? ""}: ${err.message}`, status);
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
        const stream = client.messages.stream(params, { signal: req.signal ?? null });
        if (req.onText) stream.on("text", (delta) => req.onText?.(delta));
        const msg = await stream.finalMessage();
        let text = "";
        const tool_calls: ToolCall[] = [];
        for (const block of msg.content) {
          if (block.type === "text") text += block.text;
          else if (block.type === "tool_use") tool_calls.push({ id: block.id, name: block.name, input: (block.input ?? {}) as Record<string, unknown> });
        }
        const u = msg.usage;
        const input = u.input_tokens + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0);
        return { text, tool_calls, usage: { input_tokens: input, output_tokens: u.output_tokens }, stop_reason: msg.stop_reason ?? "end_turn", model: msg.model || s.model };
      } catch (err) {
        throw toError(err);
      }
    },
  };
}
