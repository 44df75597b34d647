import { describe, expect, it } from "vitest";
import { z } from "zod";
import { loadAgentConfig } from "../../../src/agents/load.ts";
import { generateStructured } from "../../../src/agents/structured.ts";
import { Store } from "../../../src/store/store.ts";
import { agentFixtures } from "../../helpers/agent-repo.ts";
import { anthropicSse } from "../../helpers/llm-server.ts";

const fx = agentFixtures();

const Verdict = z.object({ criteria: z.array(z.object({ text: z.string(), met: z.boolean(), evidence: z.string() })), pass: z.boolean() });

describe("generateStructured", () => {
  it("forces the answer tool, sends validation errors back, and returns the typed value with usage", async () => {
    const server = await fx.server([
      anthropicSse({ tools: [{ id: "t1", name: "verdict", input: { criteria: [{ text: "hello.txt says hello", met: "yes" }] } }], input_tokens: 500, output_tokens: 40 }),
      anthropicSse({ tools: [{ id: "t2", name: "verdict", input: { criteria: [{ text: "hello.txt says hello", met: true, evidence: "file content" }], pass: true } }], input_tokens: 700, output_tokens: 50 }),
    ]);
    const env = { K: "sk-ant-structured-0123456789" };
    const ar = await fx.repo(`[roles.verifier]\nprovider = "anthropic"\nmodel = "claude-haiku-4-5"\nbase_url = "${server.url}"\napi_key_env = "K"\n`, env);
    const store = await Store.open({ cwd: ar.repo.dir, env, now: () => new Date() });
    try {
      const res = await generateStructured({
        role: "verifier", prompt: "Judge the task.", schema: Verdict, name: "verdict", config: loadAgentConfig(store), store,
        actor: { name: "verifier", email: "v@example.com" }, env, root: ar.repo.dir, session: "as-v", task: ar.task,
      });
      expect(res.value).toEqual({ criteria: [{ text: "hello.txt says hello", met: true, evidence: "file content" }], pass: true });
      expect(res.usage).toMatchObject({ input_tokens: 1200, output_tokens: 90 });
    } finally {
      store.close();
    }
    expect(server.requests[0]!.body.tool_choice).toEqual({ type: "tool", name: "verdict" });
    expect((server.requests[0]!.body.tools as { input_schema: { required: string[] } }[])[0]!.input_schema.required).toEqual(["criteria", "pass"]);
    const retry = JSON.stringify(server.requests[1]!.body.messages);
    expect(retry).toContain("invalid answer");
    const usage = (await ar.events()).filter((e) => e.type === "agent.usage");
    expect(usage.map((e) => e.data.role)).toEqual(["verifier", "verifier"]);
  });
});
