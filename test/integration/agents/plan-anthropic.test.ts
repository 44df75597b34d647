import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { agentFixtures, type AgentRepo } from "../../helpers/agent-repo.ts";
import { anthropicSse, type Answer } from "../../helpers/llm-server.ts";

// `rw plan` (the built binary) with an anthropic planner: the real SDK against a local Messages API
// (event shapes: docs.anthropic.com/en/docs/build-with-claude/streaming; stop_reason max_tokens:
// docs.anthropic.com/en/api/handling-stop-reasons).
const fx = agentFixtures();
const KEY = "sk-ant-test-0123456789abcdef";
const env = { TEST_ANTHROPIC_KEY: KEY };

const tasks = (n: number): unknown[] => Array.from({ length: n }, (_, i) => ({ key: `t${i + 1}`, title: `Task ${i + 1}`, body: "Do it.\n\n## Acceptance criteria\n- [ ] done", phase: 1 }));
const plan = (n: number, title = "Planned"): { initiative: unknown; phases: unknown[]; tasks: unknown[] } => ({ initiative: { title, body: "The concept." }, phases: [{ title: "Build" }], tasks: tasks(n) });
const answer = (input: unknown, stop_reason?: string): Answer => anthropicSse({ tools: [{ id: "toolu_p", name: "submit_plan", input }], ...(stop_reason ? { stop_reason } : {}), input_tokens: 2000, output_tokens: 900 });

async function planRepo(answers: Answer[], prd = "# Checkout\n\nUsers pay for their cart.\n"): Promise<{ ar: AgentRepo; server: Awaited<ReturnType<typeof fx.server>> }> {
  const server = await fx.server(answers);
  const ar = await fx.repo(`[roles.planner]\nprovider = "anthropic"\nmodel = "claude-sonnet-4-6"\nbase_url = "${server.url}"\napi_key_env = "TEST_ANTHROPIC_KEY"\nmax_tokens = 4000\nretries = 0\n`, env);
  writeFileSync(join(ar.repo.dir, "prd.md"), prd);
  return { ar, server };
}
const tip = (ar: AgentRepo): string => ar.repo.git(["rev-parse", "rewind"]);
type Block = { type: string; content?: string };

describe("rw plan against a real Messages API client", { timeout: 120_000 }, () => {
  it("refuses an answer cut at max_tokens and retries once with a larger budget, asking for less", async () => {
    const { ar, server } = await planRepo([answer(plan(9), "max_tokens"), answer(plan(12))]);
    const out = JSON.parse(await ar.repo.rwOk(["plan", "prd.md", "--json"], { env })) as { written: { tasks: unknown[] } };
    expect(out.written.tasks).toHaveLength(12);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]!.body.max_tokens).toBe(4000);
    expect(server.requests[1]!.body.max_tokens).toBe(8000);
    const last = (server.requests[1]!.body.messages as { content: Block[] }[]).at(-1)!.content;
    expect(last.find((b) => b.type === "tool_result")!.content).toMatch(/cut off at the max_tokens limit \(4000 tokens\)[\s\S]*fewer tasks per phase/);
  });

  it("an answer cut twice is an error and nothing is written", async () => {
    const { ar } = await planRepo([answer(plan(9), "max_tokens")]);
    const before = tip(ar);
    const planned = (): string[] => ar.repo.git(["ls-tree", "-r", "--name-only", "rewind"]).split("\n").filter((f) => /^(tasks|initiatives)\//.test(f));
    const existing = planned();
    const r = await ar.repo.rw(["plan", "prd.md"], { env });
    expect(r.code).toBe(2); // invalid input, under main's one exit-code table
    expect(r.stderr).toMatch(/cut off at max_tokens \(8000\) twice/);
    expect(r.stderr).toContain("roles.planner.max_tokens");
    expect(planned()).toEqual(existing);
    expect(tip(ar)).not.toBe(before); // only the planner's agent.usage was recorded
  });

  it("invalid JSON streamed in the tool input goes back to the model as an error", async () => {
    const broken = answer(plan(2));
    if (!("sse" in broken)) throw new Error("expected a stream");
    const firstDelta = broken.sse.find((e) => (e.data as { delta?: { type?: string } }).delta?.type === "input_json_delta")!;
    (firstDelta.data as { delta: { partial_json: string } }).delta.partial_json = '{"initiative": {"title": "x",, ';
    const { ar, server } = await planRepo([broken, answer(plan(2))]);
    const out = JSON.parse(await ar.repo.rwOk(["plan", "prd.md", "--json"], { env })) as { written: { tasks: unknown[] } };
    expect(out.written.tasks).toHaveLength(2);
    const last = (server.requests[1]!.body.messages as { content: Block[] }[]).at(-1)!.content;
    expect(last.find((b) => b.type === "tool_result")!.content).toMatch(/not valid JSON/);
  });

  it("--dry-run writes nothing at all: the ref does not move (no agent.usage either)", async () => {
    const { ar } = await planRepo([answer(plan(3))]);
    const before = tip(ar);
    const out = await ar.repo.rwOk(["plan", "prd.md", "--dry-run"], { env });
    expect(out).toContain("would plan: Checkout (1 phases, 3 tasks); nothing written");
    expect(out).toMatch(/planner: 2\.9k tok/);
    expect(tip(ar)).toBe(before);
  });

  it("titles the plan from the PRD's first real heading, not a '#' line inside a fenced code block", async () => {
    const prd = "---\ntitle: ignored front matter\n---\n\n```sh\n# install the dependencies\nnpm ci\n```\n\nPayment flow\n============\n\n# Later heading\n";
    const { ar, server } = await planRepo([answer(plan(1, "Install The Dependencies"))], prd);
    const out = JSON.parse(await ar.repo.rwOk(["plan", "prd.md", "--json"], { env })) as { plan: { initiative: { title: string } } };
    expect(out.plan.initiative.title).toBe("Payment flow");
    const prompt = JSON.stringify(server.requests[0]!.body.messages);
    expect(prompt).toContain("Payment flow");
    const shown = await ar.repo.rwOk(["initiative", "list"]);
    expect(shown).toContain("Payment flow");
  });
});
