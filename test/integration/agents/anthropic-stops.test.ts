import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { agentFixtures } from "../../helpers/agent-repo.ts";
import { anthropicSse, openaiSse } from "../../helpers/llm-server.ts";

// The real @anthropic-ai/sdk against a local server speaking the Messages SSE format. Event shapes
// (message_start usage with cache_*_input_tokens, input_json_delta, message_delta stop_reason,
// `event: error` after HTTP 200) are from docs.anthropic.com/en/docs/build-with-claude/streaming;
// stop reasons `refusal`, `max_tokens`, `pause_turn` from docs.anthropic.com/en/api/handling-stop-reasons.
const fx = agentFixtures();
const KEY = "sk-ant-test-0123456789abcdef";
const env = { TEST_ANTHROPIC_KEY: KEY, TEST_OPENAI_KEY: "sk-openai-test-0123456789abcdef" };
const config = (url: string, extra = ""): string => `[roles.worker]\nprovider = "anthropic"\nmodel = "claude-sonnet-4-6"\nbase_url = "${url}"\napi_key_env = "TEST_ANTHROPIC_KEY"\nretries = 2\n${extra}`;
const finish = (summary: string, input_tokens = 300): ReturnType<typeof anthropicSse> => anthropicSse({ tools: [{ id: "toolu_f", name: "finish", input: { summary } }], input_tokens, output_tokens: 20 });
type Msg = { role: string; content: { type: string; text?: string; content?: string; tool_use_id?: string }[] };

describe("anthropic: failures after the stream began, and every stop reason", () => {
  it("an overloaded_error event after HTTP 200 retries the turn; the failed attempt's tokens are recorded", async () => {
    const server = await fx.server([anthropicSse({ text: "Let me look", errorAfter: "overloaded_error", input_tokens: 500 }), finish("done after a retry")]);
    const ar = await fx.repo(config(server.url), env);
    const notes: string[] = [];
    const res = await ar.run({ onProgress: (p) => p.type === "note" && notes.push(p.text) });
    expect(res).toMatchObject({ finished: true, summary: "done after a retry", provider: "anthropic" });
    expect(server.requests).toHaveLength(2);
    expect(notes.some((n) => /mid-stream.*overloaded_error.*retry 1/.test(n))).toBe(true);
    const usage = (await ar.events()).filter((e) => e.type === "agent.usage");
    expect(usage).toHaveLength(1);
    expect(usage[0]!.data.input_tokens).toBe(500 + 300); // both attempts were paid for
  });

  it("a connection cut mid-stream retries the turn too", async () => {
    const server = await fx.server([anthropicSse({ cut: true, input_tokens: 400 }), finish("done after a cut")]);
    const ar = await fx.repo(config(server.url), env);
    const res = await ar.run();
    expect(res).toMatchObject({ finished: true, summary: "done after a cut" });
    expect(server.requests).toHaveLength(2);
    expect(res.usage.input_tokens).toBe(400 + 300);
  });

  it("when every retry fails mid-stream, the partial usage is recorded and the fallback takes over", async () => {
    const primary = await fx.server([anthropicSse({ text: "x", errorAfter: "overloaded_error", input_tokens: 700 })]);
    const fallback = await fx.server([openaiSse({ tools: [{ id: "call_1", name: "finish", input: { summary: "the fallback finished" } }] })]);
    const ar = await fx.repo(config(primary.url, `[roles.worker.fallback]\nprovider = "openai"\nmodel = "gpt-5-mini"\nbase_url = "${fallback.url}/v1"\napi_key_env = "TEST_OPENAI_KEY"\n`).replace("retries = 2", "retries = 1"), env);
    const res = await ar.run();
    expect(res).toMatchObject({ finished: true, provider: "openai", summary: "the fallback finished" });
    expect(primary.requests).toHaveLength(2); // the turn and one retry
    const usage = (await ar.events()).filter((e) => e.type === "agent.usage");
    expect(usage.map((e) => [e.data.provider, e.data.input_tokens])).toEqual([["anthropic", 1400], ["openai", 80]]);
  });

  it("refusal ends the session at once with that reason (no loop of paid calls)", async () => {
    const server = await fx.server([anthropicSse({ text: "I can't help with that.", stop_reason: "refusal" }), finish("never")]);
    const ar = await fx.repo(config(server.url), env);
    const res = await ar.run();
    expect(res).toMatchObject({ finished: false, stop_reason: "refusal", turns: 1 });
    expect(res.summary).toContain("I can't help with that.");
    expect(server.requests).toHaveLength(1);
  });

  it("max_tokens inside a tool call: the cut call is not run and the model is told to write less per call", async () => {
    const big = "line\n".repeat(200);
    const server = await fx.server([
      anthropicSse({ tools: [{ id: "toolu_w", name: "write_file", input: { path: "big.txt", content: big } }], cutTool: true }),
      finish("wrote it in parts"),
    ]);
    const ar = await fx.repo(config(server.url, "max_tokens = 4096\n"), env);
    const res = await ar.run();
    expect(res.finished).toBe(true);
    expect(existsSync(join(ar.repo.dir, "big.txt"))).toBe(false); // a truncated file is never written
    const sent = (server.requests[1]!.body.messages as Msg[]).at(-1)!;
    expect(sent.role).toBe("user");
    const result = sent.content.find((b) => b.type === "tool_result" && b.tool_use_id === "toolu_w")!;
    expect(result.content).toContain("cut off at the max_tokens limit (4096 tokens)");
    expect(result.content).toContain("Write less per call");
  });

  it("pause_turn continues: the paused turn goes back as the last assistant turn, with no nudge", async () => {
    const server = await fx.server([anthropicSse({ text: "Searching the docs ", stop_reason: "pause_turn" }), finish("resumed and finished")]);
    const ar = await fx.repo(config(server.url), env);
    const res = await ar.run();
    expect(res).toMatchObject({ finished: true, summary: "resumed and finished" });
    const msgs = server.requests[1]!.body.messages as Msg[];
    expect(msgs.at(-1)!.role).toBe("assistant");
    expect(msgs.at(-1)!.content[0]!.text).toBe("Searching the docs");
    expect(JSON.stringify(msgs)).not.toContain("You did not call a tool");
  });

  it("cache reads and writes are recorded and priced at their own rates", async () => {
    const server = await fx.server([anthropicSse({ tools: [{ id: "toolu_f", name: "finish", input: { summary: "cached" } }], input_tokens: 100, cache_read: 9000, cache_write: 1000, output_tokens: 50 })]);
    const ar = await fx.repo(config(server.url), env);
    const res = await ar.run();
    expect(res.usage.input_tokens).toBe(10_100);
    expect(res.usage.cost_usd).toBeCloseTo((100 * 3 + 9000 * 0.3 + 1000 * 3.75 + 50 * 15) / 1e6, 9);
    const e = (await ar.events()).find((x) => x.type === "agent.usage")!;
    expect(e.data).toMatchObject({ input_tokens: 10_100, cache_read_tokens: 9000, cache_write_tokens: 1000 });
    const budget = await ar.repo.rwOk(["budget"]);
    expect(budget).toMatch(/9000 cache read/);
    expect(budget).toMatch(/1000 cache write/);
  });
});
