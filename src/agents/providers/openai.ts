import OpenAI from "openai";
import { estimateTokens } from "../../domain/budget.ts";
import { ProviderError, apiKeyOf, classifyStatus, type ChatProvider, type ChatRequest, type ChatResponse, type Message, type ProviderSettings, type ToolCall } from "../types.ts";
import type { ProviderContext } from "./index.ts";
import { withMidStreamRetry, type StreamAttempt } from "./midstream.ts";

type ChatMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;

/**
 * rw's neutral conversation → Chat Completions messages. An assistant turn never carries
 * `content: null`: with tool calls the content is left out (the API allows that), without
 * them an empty turn gets placeholder text, since the API rejects an empty assistant message.
 */
export function toMessages(system: string, messages: Message[]): ChatMessage[] {
  const out: ChatMessage[] = [{ role: "system", content: system }];
  for (const m of messages) {
    if (m.role === "user") out.push({ role: "user", content: m.content });
    else if (m.role === "assistant") {
      if (m.tool_calls.length > 0) {
        out.push({
          role: "assistant",
          ...(m.content ? { content: m.content } : {}),
          tool_calls: m.tool_calls.map((c) => ({ id: c.id, type: "function" as const, function: { name: c.name, arguments: JSON.stringify(c.input) } })),
        });
      } else out.push({ role: "assistant", content: m.content || "(no text)" });
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
    // An error chunk inside a 200 stream has no status: a server-side failure of this turn.
    return new ProviderError("openai", status === undefined ? "server" : classifyStatus(status), `OpenAI API ${status ?? "stream error"}: ${err.message}`, status);
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
 * gpt-5 and the o-series reject `max_tokens` (they need `max_completion_tokens`); most
 * compatible servers (Ollama, vLLM) know only `max_tokens`. `token_param` settles it per role.
 */
export function tokenParam(s: ProviderSettings): "max_tokens" | "max_completion_tokens" {
  if (s.token_param) return s.token_param;
  if (/^(gpt-5|o\d)/i.test(s.model.replace(/^.*\//, ""))) return "max_completion_tokens";
  return s.base_url ? "max_tokens" : "max_completion_tokens";
}

/**
 * Chat Completions with tools and streaming: the API every OpenAI-compatible server speaks
 * (Ollama, vLLM, LM Studio), which the Responses API is not yet.
 */
export function create(s: ProviderSettings, ctx: ProviderContext): ChatProvider {
  const key = apiKeyOf(s, ctx.env);
  // Local servers (Ollama, vLLM) need no key, but the SDK insists on one: any string will do there.
  const client = key || s.base_url ? new OpenAI({ apiKey: key ?? "not-needed", baseURL: s.base_url ?? null, maxRetries: s.retries }) : undefined;
  const attempt = (c: OpenAI, req: ChatRequest, tier: string | undefined): StreamAttempt<ChatResponse> => {
    let started = false;
    let streamedChars = 0;
    let reported: ChatResponse["usage"] | undefined;
    const inputEstimate = estimateTokens(req.system.length + JSON.stringify(req.messages).length);
    return {
      started: () => started,
      // Chat Completions reports usage only in the last chunk: a cut stream's usage is estimated.
      usage: () => reported ?? { input_tokens: inputEstimate, output_tokens: estimateTokens(streamedChars) },
      async run(signal) {
        const stream = await c.chat.completions.create({
          model: s.model,
          messages: toMessages(req.system, req.messages),
          stream: true,
          stream_options: { include_usage: true },
          [tokenParam(s)]: s.max_tokens,
          ...(req.tools.length > 0 ? { tools: req.tools.map((t) => ({ type: "function" as const, function: { name: t.name, description: t.description, parameters: t.input_schema } })) } : {}),
          ...(s.temperature !== undefined ? { temperature: s.temperature } : {}),
          ...(s.reasoning_effort ? { reasoning_effort: s.reasoning_effort } : {}),
          ...(tier ? { service_tier: tier as "flex" } : {}),
          ...(req.tool_choice ? { tool_choice: req.tool_choice === "any" ? ("required" as const) : { type: "function" as const, function: { name: req.tool_choice.name } } } : {}),
        }, { signal: signal ?? null });
        let text = "";
        let refusal = "";
        let finish = "stop";
        let model = s.model;
        let servedTier: string | undefined;
        const usage: ChatResponse["usage"] = { input_tokens: 0, output_tokens: 0 };
        const calls = new Map<number, { id: string; name: string; args: string }>();
        for await (const chunk of stream) {
          started = true;
          if (chunk.model) model = chunk.model;
          if (chunk.service_tier) servedTier = chunk.service_tier;
          if (chunk.usage) {
            usage.input_tokens = chunk.usage.prompt_tokens;
            usage.output_tokens = chunk.usage.completion_tokens;
            usage.cache_read_tokens = chunk.usage.prompt_tokens_details?.cached_tokens ?? 0;
            reported = { ...usage };
          }
          const choice = chunk.choices[0];
          if (!choice) continue;
          if (choice.finish_reason) finish = choice.finish_reason;
          const delta = choice.delta;
          if (delta.content) {
            text += delta.content;
            streamedChars += delta.content.length;
            req.onText?.(delta.content);
          }
          if (delta.refusal) refusal += delta.refusal;
          // As the openai SDK's ChatCompletionStream accumulates (lib/ChatCompletionStream.js):
          // id and name are SET from any chunk that carries them, only arguments are appended.
          for (const tc of delta.tool_calls ?? []) {
            const cur = calls.get(tc.index) ?? { id: "", name: "", args: "" };
            if (tc.id) cur.id = tc.id;
            if (tc.function?.name) cur.name = tc.function.name;
            if (tc.function?.arguments) {
              cur.args += tc.function.arguments;
              streamedChars += tc.function.arguments.length;
            }
            calls.set(tc.index, cur);
          }
        }
        const tool_calls: ToolCall[] = [...calls.entries()].sort((a, b) => a[0] - b[0]).map(([i, c]) => ({ id: c.id || `call_${i}`, name: c.name, input: parseArgs(c.args) }));
        if (servedTier) usage.service_tier = servedTier;
        const stop = refusal || finish === "content_filter" ? "refusal" : finish === "length" ? "max_tokens" : finish;
        return { text: text || refusal, tool_calls, usage, stop_reason: stop, model };
      },
    };
  };
  return {
    kind: "chat",
    name: "openai",
    settings: s,
    async chat(req: ChatRequest): Promise<ChatResponse> {
      if (!client) throw new ProviderError("openai", "auth", `no API key: set ${s.api_key_env ?? "OPENAI_API_KEY"} (or roles.<role>.base_url for a local server)`);
      const call = (tier: string | undefined): Promise<ChatResponse> => withMidStreamRetry(() => attempt(client, req, tier), { retries: s.retries, signal: req.signal, toError, onRetry: req.onRetry });
      try {
        return await call(s.service_tier);
      } catch (raw) {
        const err = toError(raw);
        // The flex tier answers 429 "resource unavailable" when it has no capacity: the
        // policy is to prefer flex and take the default tier then, not to stop the session.
        if (s.service_tier === "flex" && (err.kind === "rate_limit" || err.kind === "server")) {
          req.onRetry?.(0, err);
          try {
            return await call("default");
          } catch (again) {
            throw toError(again);
          }
        }
        throw err;
      }
    },
  };
}
