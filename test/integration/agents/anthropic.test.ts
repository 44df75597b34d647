import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { agentFixtures } from "../../helpers/agent-repo.ts";
import { anthropicSse, openaiSse } from "../../helpers/llm-server.ts";

const fx = agentFixtures();

const KEY = "sk-ant-test-0123456789abcdef";
const env = { TEST_ANTHROPIC_KEY: KEY, TEST_OPENAI_KEY: "sk-openai-test-0123456789abcdef" };

describe("anthropic provider (real @anthropic-ai/sdk against a local Messages API)", () => {
  it("runs a session with several tool calls to finish, retrying a 429, and records usage", async () => {
    const server = await fx.server([
      anthropicSse({ text: "I will write the file.", tools: [{ id: "toolu_1", name: "write_file", input: { path: "hello.txt", content: "hi\n" } }], input_tokens: 1200, output_tokens: 80 }),
      { status: 429, body: { type: "error", error: { type: "rate_limit_error", message: "slow down" } }, headers: { "retry-after-ms": "10" } },
      anthropicSse({ tools: [{ id: "toolu_2", name: "edit_file", input: { path: "hello.txt", old_string: "hi", new_string: "hello" } }, { id: "toolu_3", name: "read_file", input: { path: "hello.txt" } }], input_tokens: 1500, output_tokens: 60 }),
      anthropicSse({ text: "Done.", tools: [{ id: "toolu_4", name: "finish", input: { summary: "hello.txt says hello" } }], input_tokens: 1700, output_tokens: 30 }),
    ]);
    const ar = await fx.repo(`[roles.worker]\nprovider = "anthropic"\nmodel = "claude-sonnet-4-6"\nbase_url = "${server.url}"\napi_key_env = "TEST_ANTHROPIC_KEY"\nretries = 2\n`, env);
    const res = await ar.run();
    expect(res).toMatchObject({ finished: true, stop_reason: "finished", summary: "hello.txt says hello", turns: 3, provider: "anthropic" });
    expect(readFileSync(join(ar.repo.dir, "hello.txt"), "utf8")).toBe("hello\n");
    // 3 turns + 1 retried 429 = 4 requests; the key went in the header the API expects.
    expect(server.requests).toHaveLength(4);
    const h = server.requests[0]!.headers;
    expect(h["x-api-key"] ?? h.authorization).toMatch(new RegExp(`^(Bearer )?${KEY}$`));
    expect(server.requests[0]!.body).toMatchObject({ model: "claude-sonnet-4-6", stream: true });
    // The third request carries both tool results of the second turn, in one user turn.
    const last = (server.requests[3]!.body.messages as { role: string; content: { type: string; tool_use_id?: string; content?: string }[] }[]).at(-1)!;
    expect(last.role).toBe("user");
    expect(last.content.map((b) => b.tool_use_id)).toEqual(["toolu_2", "toolu_3"]);
    expect(last.content[1]!.content).toBe("hello\n");
    // Usage from the responses, priced at $3 / $15 per million tokens.
    expect(res.usage).toEqual({ input_tokens: 4400, output_tokens: 170, cost_usd: expect.closeTo((4400 * 3 + 170 * 15) / 1e6, 6) as number });
    const events = await ar.events();
    const usage = events.filter((e) => e.type === "agent.usage");
    expect(usage.map((e) => e.data.input_tokens)).toEqual([1200, 1500, 1700]);
    expect(usage.every((e) => e.task === ar.task && e.data.role === "worker" && e.data.model === "claude-sonnet-4-6")).toBe(true);
    expect(events.filter((e) => e.type === "agent.tool_called").map((e) => e.data.tool)).toEqual(["write_file", "edit_file", "read_file", "finish"]);
    // No secret in the log.
    expect(JSON.stringify(events)).not.toContain(KEY);
    expect((await ar.repo.rwOk(["doctor"]))).toContain("ok");
  });

  it("falls back to the role's fallback provider when the primary keeps answering 500", async () => {
    const primary = await fx.server([{ status: 500, body: { type: "error", error: { type: "api_error", message: "boom" } }, headers: { "retry-after-ms": "5" } }]);
    const fallback = await fx.server([
      openaiSse({ tools: [{ id: "call_1", name: "write_file", input: { path: "hello.txt", content: "hello\n" } }] }),
      openaiSse({ tools: [{ id: "call_2", name: "finish", input: { summary: "written by the fallback" } }] }),
    ]);
    const ar = await fx.repo([
      `[roles.worker]`, `provider = "anthropic"`, `model = "claude-sonnet-4-6"`, `base_url = "${primary.url}"`, `api_key_env = "TEST_ANTHROPIC_KEY"`, `retries = 1`,
      `[roles.worker.fallback]`, `provider = "openai"`, `model = "gpt-5-mini"`, `base_url = "${fallback.url}/v1"`, `api_key_env = "TEST_OPENAI_KEY"`,
    ].join("\n"), env);
    const notes: string[] = [];
    const res = await ar.run({ onProgress: (p) => p.type === "note" && notes.push(p.text) });
    expect(res).toMatchObject({ finished: true, summary: "written by the fallback", provider: "openai", model: "gpt-5-mini" });
    expect(primary.requests).toHaveLength(2); // the first try and one SDK retry
    expect(fallback.requests).toHaveLength(2); // the rest of the session stays on the fallback
    expect(notes.join("\n")).toContain("falling back to openai gpt-5-mini");
    expect(readFileSync(join(ar.repo.dir, "hello.txt"), "utf8")).toBe("hello\n");
    const usage = (await ar.events()).filter((e) => e.type === "agent.usage");
    expect(usage.map((e) => [e.data.provider, e.data.model])).toEqual([["openai", "gpt-5-mini"], ["openai", "gpt-5-mini"]]);
  });

  it("refuses a call that would exceed the task budget before sending it, and records budget.blocked", async () => {
    const server = await fx.server([anthropicSse({ tools: [{ id: "t", name: "finish", input: { summary: "x" } }] })]);
    // max_tokens 8192 at $15/M is ~$0.12 of worst-case output: more than the $0.05 task budget.
    const ar = await fx.repo(`[roles.worker]\nprovider = "anthropic"\nmodel = "claude-sonnet-4-6"\nbase_url = "${server.url}"\napi_key_env = "TEST_ANTHROPIC_KEY"\n[budgets]\ntask_usd = 0.05\n`, env);
    const res = await ar.run();
    expect(res).toMatchObject({ finished: false, stop_reason: "budget", turns: 0, budget: { scope: "task", limit_usd: 0.05 } });
    expect(server.requests).toHaveLength(0);
    const blocked = (await ar.events()).filter((e) => e.type === "budget.blocked");
    expect(blocked).toHaveLength(1);
    expect(blocked[0]).toMatchObject({ task: ar.task, data: { scope: "task", role: "worker", limit_usd: 0.05 } });
    const budget = JSON.parse(await ar.repo.rwOk(["budget", "--json"])) as { budgets: { task_usd: number } };
    expect(budget.budgets.task_usd).toBe(0.05);
  });
});
