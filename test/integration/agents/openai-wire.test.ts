import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { agentFixtures } from "../../helpers/agent-repo.ts";
import { openaiSse } from "../../helpers/llm-server.ts";

// The real openai SDK against a local server speaking the Chat Completions chunk format (API
// reference "The chat completion chunk object": delta.content / delta.refusal / delta.tool_calls,
// finish_reason, the usage chunk with prompt_tokens_details.cached_tokens, service_tier).
// Tool-call assembly is checked against the SDK's own ChatCompletionStream (openai/lib/
// ChatCompletionStream.js: `if (fn?.name) tool_call.function.name = fn.name`, arguments appended).
const fx = agentFixtures();
const KEY = "sk-proj-test-0123456789abcdefghij";
const env = { TEST_OPENAI_KEY: KEY };
const config = (url: string, model: string, extra = ""): string => `[roles.worker]\nprovider = "openai"\nmodel = "${model}"\nbase_url = "${url}/v1"\napi_key_env = "TEST_OPENAI_KEY"\nretries = 1\n${extra}`;
const finish = (summary: string): ReturnType<typeof openaiSse> => openaiSse({ tools: [{ id: "call_f", name: "finish", input: { summary } }] });
type Msg = { role: string; content?: unknown; tool_calls?: unknown[] };

describe("openai: what real Chat Completions servers accept and send", () => {
  it("never replays an assistant turn as content: null (empty turns, tool-only turns)", async () => {
    const server = await fx.server([
      openaiSse({}), // an empty answer: no text, no tool call
      openaiSse({ tools: [{ id: "call_w", name: "write_file", input: { path: "a.txt", content: "a\n" } }] }),
      finish("done"),
    ]);
    const ar = await fx.repo(config(server.url, "gpt-5-mini"), env);
    const res = await ar.run();
    expect(res.finished).toBe(true);
    const assistants = (server.requests[2]!.body.messages as Msg[]).filter((m) => m.role === "assistant");
    expect(assistants).toHaveLength(2);
    for (const m of assistants) expect(m.content === null).toBe(false);
    expect(typeof assistants[0]!.content).toBe("string");
    expect((assistants[0]!.content as string).length).toBeGreaterThan(0);
    expect("content" in assistants[1]!).toBe(false);
    expect(assistants[1]!.tool_calls).toHaveLength(1);
  });

  it("sends max_completion_tokens to gpt-5 / o-series models, max_tokens to others; token_param overrides", async () => {
    const server = await fx.server([finish("ok")]);
    const gpt5 = await fx.repo(config(server.url, "gpt-5-mini", "max_tokens = 3000\n"), env);
    await gpt5.run();
    expect(server.requests[0]!.body.max_completion_tokens).toBe(3000);
    expect(server.requests[0]!.body).not.toHaveProperty("max_tokens");
    const o4 = await fx.repo(config(server.url, "o4-mini"), env);
    await o4.run();
    expect(server.requests[1]!.body).toHaveProperty("max_completion_tokens");
    const llama = await fx.repo(config(server.url, "llama3.1"), env);
    await llama.run();
    expect(server.requests[2]!.body).toHaveProperty("max_tokens");
    expect(server.requests[2]!.body).not.toHaveProperty("max_completion_tokens");
    const forced = await fx.repo(config(server.url, "my-reasoner", `token_param = "max_completion_tokens"\n`), env);
    await forced.run();
    expect(server.requests[3]!.body).toHaveProperty("max_completion_tokens");
  });

  it("assembles streamed tool calls like the SDK: a name repeated in every chunk is not concatenated", async () => {
    const server = await fx.server([
      openaiSse({ tools: [{ id: "call_w", name: "write_file", input: { path: "b.txt", content: "bee\n" } }], repeatName: true }),
      openaiSse({ tools: [{ id: "call_f", name: "finish", input: { summary: "b written" } }], repeatName: true }),
    ]);
    const ar = await fx.repo(config(server.url, "gpt-5-mini"), env);
    const res = await ar.run();
    expect(res).toMatchObject({ finished: true, summary: "b written" });
    expect(readFileSync(join(ar.repo.dir, "b.txt"), "utf8")).toBe("bee\n");
    expect((await ar.events()).filter((e) => e.type === "agent.tool_called").map((e) => e.data.tool)).toEqual(["write_file", "finish"]);
  });

  it("cached prompt tokens are priced at the cached rate; reasoning_effort and service_tier = flex are sent and priced", async () => {
    const server = await fx.server([openaiSse({ tools: [{ id: "call_f", name: "finish", input: { summary: "cheap" } }], prompt_tokens: 10_000, cached_tokens: 8000, completion_tokens: 100, service_tier: "flex" })]);
    const ar = await fx.repo(config(server.url, "gpt-5", `reasoning_effort = "low"\nservice_tier = "flex"\n`), env);
    const res = await ar.run();
    expect(server.requests[0]!.body).toMatchObject({ reasoning_effort: "low", service_tier: "flex" });
    // gpt-5: $1.25 input, $0.125 cached, $10 output per million; flex is half price.
    expect(res.usage.cost_usd).toBeCloseTo(((2000 * 1.25 + 8000 * 0.125 + 100 * 10) / 1e6) * 0.5, 9);
    const e = (await ar.events()).find((x) => x.type === "agent.usage")!;
    expect(e.data).toMatchObject({ input_tokens: 10_000, cache_read_tokens: 8000, service_tier: "flex" });
  });

  it("flex without capacity (429) falls back to the default tier for that call", async () => {
    const server = await fx.server([
      { status: 429, body: { error: { message: "Resource unavailable: flex capacity", type: "resource_unavailable" } }, headers: { "retry-after-ms": "5" } },
      { status: 429, body: { error: { message: "Resource unavailable: flex capacity", type: "resource_unavailable" } }, headers: { "retry-after-ms": "5" } },
      openaiSse({ tools: [{ id: "call_f", name: "finish", input: { summary: "on default" } }], service_tier: "default" }),
    ]);
    const ar = await fx.repo(config(server.url, "gpt-5", `service_tier = "flex"\n`), env);
    const res = await ar.run();
    expect(res).toMatchObject({ finished: true, summary: "on default" });
    expect(server.requests.map((r) => r.body.service_tier)).toEqual(["flex", "flex", "default"]);
  });

  it("a refusal ends the session with that reason", async () => {
    const server = await fx.server([openaiSse({ refusal: "I'm sorry, I can't help with that." }), finish("never")]);
    const ar = await fx.repo(config(server.url, "gpt-5-mini"), env);
    const res = await ar.run();
    expect(res).toMatchObject({ finished: false, stop_reason: "refusal" });
    expect(res.summary).toContain("I'm sorry, I can't help with that.");
    expect(server.requests).toHaveLength(1);
  });

  it("a connection cut mid-stream retries the turn", async () => {
    const server = await fx.server([openaiSse({ text: "Start", tools: [{ id: "call_x", name: "write_file", input: { path: "c.txt", content: "c" } }], cut: true }), finish("after the cut")]);
    const ar = await fx.repo(config(server.url, "gpt-5-mini"), env);
    const res = await ar.run();
    expect(res).toMatchObject({ finished: true, summary: "after the cut" });
    expect(server.requests).toHaveLength(2);
  });
});
