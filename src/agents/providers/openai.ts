import OpenAI from "openai";
import { ProviderError, apiKeyOf, classifyStatus, type ChatProvider, type ChatRequest, type ChatResponse, type Message, type ProviderSettings, type ToolCall } from "../types.ts";
import type { ProviderContext } from "./index.ts";

type ChatMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;

function toMessages(system: string, messages: Message[]): ChatMessage[] {
  const out: ChatMessage[] = [{ role: "system", content: system }];
  for (const m of messages) {
    if (m.role === "user") out.push({ role: "user", content: m.content });
    else if (m.role === "assistant") {
      out.push({
        role: "assistant",
        content: m.content || null,
        ...(m.tool_calls.length > 0 ? { tool_calls: m.tool_calls.map((c) => ({ id: c.id, type: "function" as const, function: { name: c.name, arguments: JSON.stringify(c.input) } })) } : {}),
      });
    } else {
      for (const r of m.results) out.push({ role: "tool", tool_call_id: r.id, content: r.is_error ? `ERROR: ${r.content}` : r.content });
    }
  }
  return out;
}

function toError(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  if (err instanceof OpenAI.APIUserAbortError) return new ProviderError("openai", "aborted", "aborted");
  if (err instanceof OpenAI.APIConnectionError) return new ProviderError("openai", "network", `cannot reach the OpenAI-compatible API: ${err.message}`);
  if (err instanceof OpenAI.APIError) {
    const status = typeof err.status === "number" ? err.status : undefined;
    return new ProviderError("openai", classifyStatus(status), `OpenAI API ${status ?? ""}: ${err.message}`, status);
  }
  return new ProviderError("openai", "unavailable", (err as Error).message);
}

function parseArgs(text: string): Record<string, unknown> {
  if (text.trim() === "") return {};
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
  } catch {
    // The model sent broken JSON: hand it back so the tool reports a usable error.
    return { __invalid_json: text };
  }
}

/**
 * Chat Completions with tools and streaming: the API every OpenAI-compatible server speaks
 * (Ollama, vLLM, LM Studio), which the Responses API is not yet.
 */
export function create(s: ProviderSettings, ctx: ProviderContext): ChatProvider {
  const key = apiKeyOf(s, ctx.env);
  // Local servers (Ollama, vLLM) need no key, but the SDK insists on one: any string will do there.
  const client = key || s.base_url ? new OpenAI({ apiKey: key ?? "not-needed", baseURL: s.base_url ?? null, maxRetries: s.retries }) : undefined;
  return {
    kind: "chat",
    name: "openai",
    settings: s,
    async chat(req: ChatRequest): Promise<ChatResponse> {
      if (!client) throw new ProviderError("openai", "auth", `no API key: set ${s.api_key_env ?? "OPENAI_API_KEY"} (or roles.<role>.base_url for a local server)`);
      try {
        // NOTE: OpenAI's own reasoning models refuse `max_tokens`; most compatible servers only
        // know `max_tokens`. So: max_completion_tokens for api.openai.com, max_tokens elsewhere.
        const limit = s.base_url ? { max_tokens: s.max_tokens } : { max_completion_tokens: s.max_tokens };
        const stream = await client.chat.completions.create({
          model: s.model,
          messages: toMessages(req.system, req.messages),
          stream: true,
          stream_options: { include_usage: true },
          ...limit,
          ...(req.tools.length > 0 ? { tools: req.tools.map((t) => ({ type: "function" as const, function: { name: t.name, description: t.description, parameters: t.input_schema } })) } : {}),
          ...(s.temperature !== undefined ? { temperature: s.temperature } : {}),
          ...(req.tool_choice ? { tool_choice: req.tool_choice === "any" ? ("required" as const) : { type: "function" as const, function: { name: req.tool_choice.name } } } : {}),
        }, { signal: req.signal ?? null });
        let text = "";
        let finish = "stop";
        let model = s.model;
        const usage = { input_tokens: 0, output_tokens: 0 };
        const calls = new Map<number, { id: string; name: string; args: string }>();
        for await (const chunk of stream) {
          if (chunk.model) model = chunk.model;
          if (chunk.usage) {
            usage.input_tokens = chunk.usage.prompt_tokens;
            usage.output_tokens = chunk.usage.completion_tokens;
          }
          const choice = chunk.choices[0];
          if (!choice) continue;
          if (choice.finish_reason) finish = choice.finish_reason;
          const delta = choice.delta;
          if (delta.content) {
            text += delta.content;
            req.onText?.(delta.content);
          }
          for (const tc of delta.tool_calls ?? []) {
            const cur = calls.get(tc.index) ?? { id: "", name: "", args: "" };
            if (tc.id) cur.id = tc.id;
            if (tc.function?.name) cur.name += tc.function.name;
            if (tc.function?.arguments) cur.args += tc.function.arguments;
            calls.set(tc.index, cur);
          }
        }
        const tool_calls: ToolCall[] = [...calls.entries()].sort((a, b) => a[0] - b[0]).map(([i, c]) => ({ id: c.id || `call_${i}`, name: c.name, input: parseArgs(c.args) }));
        return { text, tool_calls, usage, stop_reason: finish, model };
      } catch (err) {
        throw toError(err);
      }
    },
  };
}
