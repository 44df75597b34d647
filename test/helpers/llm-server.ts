import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One scripted answer: an SSE stream of events, or an HTTP error with a JSON body. */
export type Answer =
  /** `cut`: the connection is destroyed after these events, without the end of the stream. */
  | { sse: { event?: string; data: unknown }[]; raw?: never; cut?: boolean }
  | { status: number; body: unknown; headers?: Record<string, string> };

export interface Recorded { method: string; url: string; headers: IncomingMessage["headers"]; body: Record<string, unknown> }

export interface LlmServer {
  url: string;
  requests: Recorded[];
  /** The model-list requests (`rw config check` and `rw run`'s preflight), kept out of `requests`. */
  modelLists: Recorded[];
  close(): Promise<void>;
}

/**
 * A local HTTP server that plays scripted answers in order (the last one repeats), speaking the
 * wire format the real SDK clients expect: JSON errors with status codes, and text/event-stream.
 */
export async function startLlmServer(answers: Answer[] | ((req: Recorded, n: number) => Answer), opts: { models?: Answer } = {}): Promise<LlmServer> {
  const requests: Recorded[] = [];
  const modelLists: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const rec: Recorded = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
      if (rec.method === "GET" && /\/models(\?|$)/.test(rec.url)) {
        // The cheap reachability check answers like the real list endpoints:
        // Anthropic GET /v1/models (docs.anthropic.com "List Models") and OpenAI GET /v1/models.
        modelLists.push(rec);
        const m = opts.models ?? { status: 200, body: rec.url.startsWith("/v1/") && "anthropic-version" in rec.headers
          ? { data: [{ type: "model", id: "claude-sonnet-4-6", display_name: "Claude Sonnet 4.6", created_at: "2026-01-01T00:00:00Z" }], has_more: false, first_id: "claude-sonnet-4-6", last_id: "claude-sonnet-4-6" }
          : { object: "list", data: [{ id: "gpt-5", object: "model", created: 1767225600, owned_by: "openai" }] } };
        if ("status" in m) {
          res.writeHead(m.status, { "content-type": "application/json", ...(m.headers ?? {}) });
          res.end(JSON.stringify(m.body));
        } else res.end();
        return;
      }
      requests.push(rec);
      const n = requests.length - 1;
      const answer = typeof answers === "function" ? answers(rec, n) : answers[Math.min(n, answers.length - 1)]!;
      if ("status" in answer) {
        res.writeHead(answer.status, { "content-type": "application/json", ...(answer.headers ?? {}) });
        res.end(JSON.stringify(answer.body));
        return;
      }
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      for (const e of answer.sse) {
        res.write(`${e.event ? `event: ${e.event}\n` : ""}data: ${typeof e.data === "string" ? e.data : JSON.stringify(e.data)}\n\n`);
      }
      if (answer.cut) {
        // Let the written events reach the client, then drop the connection mid-stream.
        setTimeout(() => res.socket?.destroy(), 50);
        return;
      }
      res.end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    modelLists,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}

/** A Messages API streaming answer: optional text, then tool_use blocks, with usage. */
/**
 * Shapes from the Messages streaming docs (docs.anthropic.com/en/docs/build-with-claude/streaming):
 * message_start (usage incl. cache_creation_input_tokens / cache_read_input_tokens),
 * content_block_start/delta (text_delta, input_json_delta)/stop, message_delta {stop_reason,
 * usage.output_tokens}, message_stop, and `event: error` {"type":"error","error":{"type":"overloaded_error"}}
 * which the API may send after HTTP 200. Options play the failure cases:
 * `stop_reason` (refusal, max_tokens, pause_turn), `cutTool` (max_tokens inside the last tool's JSON),
 * `errorAfter` (an error event after the first content block), `cut` (connection dropped after message_start).
 */
export function anthropicSse(opts: {
  text?: string; tools?: { id: string; name: string; input: unknown }[]; input_tokens?: number; output_tokens?: number; model?: string;
  cache_read?: number; cache_write?: number; stop_reason?: string; cutTool?: boolean; errorAfter?: string; cut?: boolean;
}): Answer {
  const events: { event: string; data: unknown }[] = [];
  const model = opts.model ?? "claude-sonnet-4-6";
  events.push({ event: "message_start", data: { type: "message_start", message: { id: "msg_test", type: "message", role: "assistant", model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: opts.input_tokens ?? 100, output_tokens: 1, cache_read_input_tokens: opts.cache_read ?? 0, cache_creation_input_tokens: opts.cache_write ?? 0 } } } });
  if (opts.cut) return { sse: events, cut: true };
  let i = 0;
  if (opts.text) {
    events.push({ event: "content_block_start", data: { type: "content_block_start", index: i, content_block: { type: "text", text: "" } } });
    // Split in two deltas: the client must join streamed pieces.
    const half = Math.ceil(opts.text.length / 2);
    for (const piece of [opts.text.slice(0, half), opts.text.slice(half)]) {
      events.push({ event: "content_block_delta", data: { type: "content_block_delta", index: i, delta: { type: "text_delta", text: piece } } });
    }
    events.push({ event: "content_block_stop", data: { type: "content_block_stop", index: i } });
    i++;
  }
  if (opts.errorAfter) {
    events.push({ event: "error", data: { type: "error", error: { type: opts.errorAfter, message: "Overloaded" } } });
    return { sse: events };
  }
  const tools = opts.tools ?? [];
  for (const [n, t] of tools.entries()) {
    events.push({ event: "content_block_start", data: { type: "content_block_start", index: i, content_block: { type: "tool_use", id: t.id, name: t.name, input: {} } } });
    const json = JSON.stringify(t.input);
    const cut = Math.floor(json.length / 2);
    // max_tokens inside the last tool call: only the first half of its JSON is ever sent.
    const parts = opts.cutTool && n === tools.length - 1 ? [json.slice(0, cut)] : [json.slice(0, cut), json.slice(cut)];
    for (const part of parts) {
      events.push({ event: "content_block_delta", data: { type: "content_block_delta", index: i, delta: { type: "input_json_delta", partial_json: part } } });
    }
    events.push({ event: "content_block_stop", data: { type: "content_block_stop", index: i } });
    i++;
  }
  const stop = opts.stop_reason ?? (opts.cutTool ? "max_tokens" : tools.length > 0 ? "tool_use" : "end_turn");
  events.push({ event: "message_delta", data: { type: "message_delta", delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: opts.output_tokens ?? 50 } } });
  events.push({ event: "message_stop", data: { type: "message_stop" } });
  return { sse: events };
}

/**
 * A Chat Completions streaming answer: text deltas, tool_call deltas, finish_reason, then a usage
 * chunk (prompt_tokens_details.cached_tokens) and [DONE] — the chunk shapes of the API reference
 * ("The chat completion chunk object"). `repeatName` puts the function name in every tool_call
 * chunk, as some compatible servers do; `refusal` streams delta.refusal; `cut` drops the
 * connection before finish_reason; `service_tier` is echoed in each chunk like the API does.
 */
export function openaiSse(opts: {
  text?: string; tools?: { id: string; name: string; input: unknown }[]; prompt_tokens?: number; completion_tokens?: number; model?: string;
  cached_tokens?: number; repeatName?: boolean; refusal?: string; finish_reason?: string; cut?: boolean; service_tier?: string;
}): Answer {
  const model = opts.model ?? "gpt-5-mini";
  const tier = opts.service_tier ? { service_tier: opts.service_tier } : {};
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): { data: unknown } => ({ data: { id: "chatcmpl-test", object: "chat.completion.chunk", created: 1, model, ...tier, choices, ...extra } });
  const events: { data: unknown }[] = [chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }])];
  if (opts.text) for (const piece of [opts.text.slice(0, 3), opts.text.slice(3)]) events.push(chunk([{ index: 0, delta: { content: piece }, finish_reason: null }]));
  if (opts.refusal) events.push(chunk([{ index: 0, delta: { refusal: opts.refusal }, finish_reason: null }]));
  (opts.tools ?? []).forEach((t, i) => {
    const json = JSON.stringify(t.input);
    events.push(chunk([{ index: 0, delta: { tool_calls: [{ index: i, id: t.id, type: "function", function: { name: t.name, arguments: "" } }] }, finish_reason: null }]));
    const name = opts.repeatName ? { name: t.name } : {};
    for (const part of [json.slice(0, 5), json.slice(5)]) events.push(chunk([{ index: 0, delta: { tool_calls: [{ index: i, function: { ...name, arguments: part } }] }, finish_reason: null }]));
  });
  if (opts.cut) return { sse: events, cut: true };
  events.push(chunk([{ index: 0, delta: {}, finish_reason: opts.finish_reason ?? ((opts.tools ?? []).length > 0 ? "tool_calls" : "stop") }]));
  events.push(chunk([], { usage: { prompt_tokens: opts.prompt_tokens ?? 80, completion_tokens: opts.completion_tokens ?? 20, total_tokens: (opts.prompt_tokens ?? 80) + (opts.completion_tokens ?? 20), prompt_tokens_details: { cached_tokens: opts.cached_tokens ?? 0 } } }));
  events.push({ data: "[DONE]" });
  return { sse: events };
}
