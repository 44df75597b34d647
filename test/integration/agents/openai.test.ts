import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { agentFixtures } from "../../helpers/agent-repo.ts";
import { openaiSse } from "../../helpers/llm-server.ts";

const fx = agentFixtures();

const KEY = "sk-proj-test-0123456789abcdefghij";

describe("openai provider (real openai SDK against a local Chat Completions server)", () => {
  it("runs several tool calls to finish through an OpenAI-compatible base URL, retrying a 500", async () => {
    const server = await fx.server([
      { status: 500, body: { error: { message: "upstream hiccup", type: "server_error" } }, headers: { "retry-after-ms": "10" } },
      openaiSse({ text: "Creating it.", tools: [{ id: "call_a", name: "write_file", input: { path: "src/hello.txt", content: "hello\n" } }, { id: "call_b", name: "list_files", input: { path: "src" } }], prompt_tokens: 900, completion_tokens: 40 }),
      openaiSse({ tools: [{ id: "call_c", name: "search", input: { pattern: "hello" } }], prompt_tokens: 1000, completion_tokens: 10 }),
      openaiSse({ tools: [{ id: "call_d", name: "finish", input: { summary: "src/hello.txt written" } }], prompt_tokens: 1100, completion_tokens: 10 }),
    ]);
    const ar = await fx.repo(`[roles.worker]\nprovider = "openai"\nmodel = "qwen2.5-coder"\nbase_url = "${server.url}/v1"\napi_key_env = "TEST_OPENAI_KEY"\n[pricing."qwen2.5-coder"]\ninput = 1\noutput = 2\n`, { TEST_OPENAI_KEY: KEY });
    const texts: string[] = [];
    const res = await ar.run({ onProgress: (p) => p.type === "text" && texts.push(p.delta) });
    expect(res).toMatchObject({ finished: true, summary: "src/hello.txt written", turns: 3, provider: "openai", model: "qwen2.5-coder" });
    expect(texts.join("")).toBe("Creating it.");
    expect(readFileSync(join(ar.repo.dir, "src/hello.txt"), "utf8")).toBe("hello\n");
    expect(server.requests).toHaveLength(4);
    expect(server.requests[1]!.url).toBe("/v1/chat/completions");
    expect(server.requests[1]!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(server.requests[1]!.body).toMatchObject({ model: "qwen2.5-coder", stream: true, max_tokens: 8192 });
    // Each tool result goes back as a role "tool" message with its call's ID.
    const msgs = server.requests[2]!.body.messages as { role: string; tool_call_id?: string; content?: string }[];
    expect(msgs.filter((m) => m.role === "tool").map((m) => m.tool_call_id)).toEqual(["call_a", "call_b"]);
    expect(msgs.find((m) => m.tool_call_id === "call_b")!.content).toBe("src/hello.txt");
    const search = (server.requests[3]!.body.messages as { role: string; content?: string }[]).at(-1)!;
    expect(search.content).toContain("src/hello.txt:1: hello");
    expect(res.usage).toEqual({ input_tokens: 3000, output_tokens: 60, cost_usd: (3000 * 1 + 60 * 2) / 1e6 });
    const spend = JSON.parse(await ar.repo.rwOk(["budget", "--json"])) as { spend: { total: { cost_usd: number; calls: number }; by_model: Record<string, { input_tokens: number }> } };
    expect(spend.spend.total).toMatchObject({ cost_usd: 0.00312, calls: 3 });
    expect(spend.spend.by_model["qwen2.5-coder"]!.input_tokens).toBe(3000);
  });

  it("keeps going when the model answers without a tool call: the session ends only on finish", async () => {
    const server = await fx.server([
      openaiSse({ text: "I think I am done." }),
      openaiSse({ text: "Still talking." }),
      openaiSse({ tools: [{ id: "call_f", name: "finish", input: { summary: "finished properly" } }] }),
    ]);
    const ar = await fx.repo(`[roles.worker]\nprovider = "openai"\nmodel = "gpt-5-mini"\nbase_url = "${server.url}/v1"\n`);
    const res = await ar.run();
    expect(res).toMatchObject({ finished: true, turns: 3, summary: "finished properly" });
    const nudge = (server.requests[1]!.body.messages as { role: string; content?: string }[]).at(-1)!;
    expect(nudge).toMatchObject({ role: "user" });
    expect(nudge.content).toContain("call finish");
  });

  it("stops at the turn limit when the model never finishes", async () => {
    const server = await fx.server([openaiSse({ tools: [{ id: "call_x", name: "list_files", input: {} }] })]);
    const ar = await fx.repo(`[roles.worker]\nprovider = "openai"\nmodel = "gpt-5-mini"\nbase_url = "${server.url}/v1"\nmax_turns = 3\n`);
    const res = await ar.run();
    expect(res).toMatchObject({ finished: false, stop_reason: "max_turns", turns: 3 });
    expect(server.requests).toHaveLength(3);
  });
});
