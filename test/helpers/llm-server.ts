import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One scripted answer: an SSE stream of events, or an HTTP error with a JSON body. */
export type Answer =
  | { sse: { event?: string; data: unknown }[]; raw?: never }
  | { status: number; body: unknown; headers?: Record<string, string> };

export interface Recorded { method: string; url: string; headers: IncomingMessage["headers"]; body: Record<string, unknown> }

export interface LlmServer {
  url: string;
  requests: Recorded[];
  close(): Promise<void>;
}

/**
 * A local HTTP server that plays scripted answers in order (the last one repeats), speaking the
 * wire format the real SDK clients expect: JSON errors with status codes, and text/event-stream.
 */
export async function startLlmServer(answers: Answer[] | ((req: Recorded, n: number) => Answer)): Promise<LlmServer> {
  const requests: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const rec: Recorded = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
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
      res.end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}

/** A Messages API streaming answer: optional text, then tool_use blocks, with usage. */
export function anthropicSse(opts: { text?: string; tools?: { id: string; name: string; input: unknown }[]; input_tokens?: number; output_tokens?: number; model?: string }): Answer {
  const events: { event: string; data: unknown }[] = [];
  const model = opts.model ?? "claude-sonnet-4-6";
  events.push({ event: "message_start", data: { type: "message_start", message: { id: "msg_test", type: "message", role: "assistant", model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: opts.input_tokens ?? 100, output_tokens: 1 } } } });
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
  for (const t of opts.tools ?? []) {
    events.push({ event: "content_block_start", data: { type: "content_block_start", index: i, content_block: { type: "tool_use", id: t.id, name: t.name, input: {} } } });
    const json = JSON.stringify(t.input);
    const cut = Math.floor(json.length / 2);
    for (const part of [json.slice(0, cut), json.slice(cut)]) {
      events.push({ event: "content_block_delta", data: { type: "content_block_delta", index: i, delta: { type: "input_json_delta", partial_json: part } } });
    }
    events.push({ event: "content_block_stop", data: { type: "content_block_stop", index: i } });
    i++;
  }
  events.push({ event: "message_delta", data: { type: "message_delta", delta: { stop_reason: (opts.tools ?? []).length > 0 ? "tool_use" : "end_turn", stop_sequence: null }, usage: { output_tokens: opts.output_tokens ?? 50 } } });
  events.push({ event: "message_stop", data: { type: "message_stop" } });
  return { sse: events };
}

/** A Chat Completions streaming answer: text deltas, tool_call deltas, finish_reason, then a usage chunk and [DONE]. */
export function openaiSse(opts: { text?: string; tools?: { id: string; name: string; input: unknown }[]; prompt_tokens?: number; completion_tokens?: number; model?: string }): Answer {
  const model = opts.model ?? "gpt-5-mini";
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): { data: unknown } => ({ data: { id: "chatcmpl-test", object: "chat.completion.chunk", created: 1, model, choices, ...extra } });
  const events: { data: unknown }[] = [chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }])];
  if (opts.text) for (const piece of [opts.text.slice(0, 3), opts.text.slice(3)]) events.push(chunk([{ index: 0, delta: { content: piece }, finish_reason: null }]));
  (opts.tools ?? []).forEach((t, i) => {
    const json = JSON.stringify(t.input);
    events.push(chunk([{ index: 0, delta: { tool_calls: [{ index: i, id: t.id, type: "function", function: { name: t.name, arguments: "" } }] }, finish_reason: null }]));
    for (const part of [json.slice(0, 5), json.slice(5)]) events.push(chunk([{ index: 0, delta: { tool_calls: [{ index: i, function: { arguments: part } }] }, finish_reason: null }]));
  });
  events.push(chunk([{ index: 0, delta: {}, finish_reason: (opts.tools ?? []).length > 0 ? "tool_calls" : "stop" }]));
  events.push(chunk([], { usage: { prompt_tokens: opts.prompt_tokens ?? 80, completion_tokens: opts.completion_tokens ?? 20, total_tokens: (opts.prompt_tokens ?? 80) + (opts.completion_tokens ?? 20) } }));
  events.push({ data: "[DONE]" });
  return { sse: events };
}
