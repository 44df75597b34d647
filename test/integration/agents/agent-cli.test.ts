import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makeRepo, type TempRepo } from "../../helpers/repo.ts";

const BIN = resolve(import.meta.dirname, "../../fixtures/bin");
let repo: TempRepo | undefined;
afterEach(() => repo?.cleanup());

async function setup(config: string): Promise<{ repo: TempRepo; id: string }> {
  repo = makeRepo({ init: true });
  writeFileSync(join(repo.dir, "app.js"), "export const x = 1;\n");
  const id = await repo.rwOk(["create", "Export y", "--gate", "npm test", "--body", "app.js must also export y.\n\n## Acceptance criteria\n- [ ] app.js exports y = 2\n- [ ] x is unchanged\n"]);
  appendFileSync(join(repo.dir, ".rewind", "config.toml"), `\n${config}\n`);
  return { repo, id };
}

const SCRIPT = JSON.stringify({
  turns: [
    { text: "Reading app.js.", tool_calls: [{ name: "read_file", input: { path: "app.js" } }], usage: { input_tokens: 2000, output_tokens: 100 } },
    { tool_calls: [{ name: "edit_file", input: { path: "app.js", old_string: "x = 1;", new_string: "x = 1;\nexport const y = 2;" } }, { name: "write_file", input: { path: "/etc/rw-escape", content: "no" } }] },
    { tool_calls: [{ name: "finish", input: { summary: "app.js exports y" } }] },
  ],
});

describe("rw agent / rw config / rw budget (the built binary)", () => {
  it("rw agent prompt renders the task, criteria, gates and working rules; .rewind/templates overrides it", async () => {
    const { repo, id } = await setup("");
    const prompt = await repo.rwOk(["agent", "prompt", "--role", "worker", "--task", id]);
    expect(prompt).toContain(`# Task ${id}: Export y`);
    expect(prompt).toContain("app.js must also export y.");
    expect(prompt).toContain("- [ ] app.js exports y = 2\n- [ ] x is unchanged");
    expect(prompt).toContain("- `npm test`");
    expect(prompt).toContain("Ask before architectural changes");
    expect(prompt).toContain("finish tool");
    mkdirSync(join(repo.dir, ".rewind", "templates"));
    writeFileSync(join(repo.dir, ".rewind", "templates", "worker.md"), "Custom: {{task_title}}\n{{#decisions}}never shown{{/decisions}}\n");
    expect(await repo.rwOk(["agent", "prompt", "--task", id])).toBe("Custom: Export y");
    expect((await repo.rw(["agent", "prompt", "--task", "rw-nope"])).code).toBe(4);
    expect((await repo.rw(["agent", "prompt", "--role", "boss", "--task", id])).code).toBe(2);
  });

  it("rw agent run with the fake provider edits files through the tools, streams progress and records events", async () => {
    const { repo, id } = await setup(`[roles.worker]\nprovider = "fake"\nscript = "script.json"\n[pricing.fake]\ninput = 3\noutput = 15\n`);
    writeFileSync(join(repo.dir, "script.json"), SCRIPT);
    const dry = await repo.rw(["agent", "run", "--task", id, "--dry-run", "--json"], { actor: "agent-1" });
    expect(JSON.parse(dry.stdout)).toMatchObject({ v: 1, provider: "fake", model: "fake", budget_blocked: null });
    expect(repo.git(["log", "--oneline", "rewind"]).trim().split("\n")).toHaveLength(2); // init + create: the dry run wrote nothing
    const run = await repo.rw(["agent", "run", "--task", id], { actor: "agent-1" });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("— turn 1 · fake fake");
    expect(run.stdout).toContain("✓ edit_file app.js");
    expect(run.stdout).toContain("✗ write_file /etc/rw-escape");
    expect(run.stdout).toContain("finished: app.js exports y");
    expect(readFileSync(join(repo.dir, "app.js"), "utf8")).toBe("export const x = 1;\nexport const y = 2;\n");
    const history = await repo.rwOk(["history", id, "--json"]);
    const events = (JSON.parse(history) as { events: { type: string; actor: string; data: Record<string, unknown> }[] }).events;
    expect(events.filter((e) => e.type === "agent.tool_called").map((e) => [e.data.tool, e.data.ok])).toEqual([["read_file", true], ["edit_file", true], ["write_file", false], ["finish", true]]);
    expect(events.every((e) => e.type === "task.created" || e.actor === "agent-1")).toBe(true);
    // One commit per turn.
    expect(repo.git(["log", "--format=%s", "rewind"]).split("\n").filter((l) => l.startsWith("agent worker"))).toHaveLength(3);
    const budget = JSON.parse(await repo.rwOk(["budget", "--json"])) as { spend: { total: { calls: number; input_tokens: number }; by_task: Record<string, unknown>; by_role: Record<string, unknown> } };
    expect(budget.spend.total.calls).toBe(3);
    expect(Object.keys(budget.spend.by_task)).toEqual([id]);
    expect(Object.keys(budget.spend.by_role)).toEqual(["worker"]);
    const text = await repo.rwOk(["budget"]);
    expect(text).toMatch(/^project: \$0\.\d{4}/);
    expect(text).toContain(`by task:\n  ${id}`);
    expect(await repo.rwOk(["doctor"])).toContain("ok");
  });

  it("rw agent run refuses the first call when the project budget would be exceeded (exit 1, budget.blocked)", async () => {
    const { repo, id } = await setup(`[roles.worker]\nprovider = "fake"\nmax_tokens = 100000\n[pricing.fake]\ninput = 3\noutput = 15\n[budgets]\nproject_usd = 1\n`);
    const run = await repo.rw(["agent", "run", "--task", id, "--json"], { actor: "agent-1" });
    expect(run.code).toBe(1);
    const last = JSON.parse(run.stdout.trim().split("\n").at(-1)!) as { result: { stop_reason: string; budget: { scope: string } } };
    expect(last.result).toMatchObject({ stop_reason: "budget", budget: { scope: "project" } });
    expect(repo.git(["log", "-1", "--format=%s", "rewind"])).toContain("budget blocked worker");
  });

  it("rw config show redacts secrets; rw config check finds CLIs and reports missing ones", async () => {
    const { repo } = await setup([
      `[roles.worker]`, `provider = "claude-code"`, `model = "claude-sonnet-4-6"`,
      `[roles.planner]`, `provider = "openai"`, `api_key = "sk-proj-inlinesecret1234567890"`, `base_url = "https://bob:pw123456@llm.example.com/v1"`,
      `[roles.verifier]`, `provider = "codex"`, `model = "gpt-5"`, `binary = "codex-not-installed"`,
    ].join("\n"));
    const env = { PATH: `${BIN}:${dirname(process.execPath)}:/usr/bin:/bin`, ANTHROPIC_API_KEY: "sk-ant-envsecret-abcdefghijkl" };
    const show = await repo.rwOk(["config", "show"], { env });
    expect(show).toContain('agents.roles.worker.provider = "claude-code"');
    expect(show).toContain('agents.roles.planner.api_key = "[REDACTED]"');
    expect(show).toContain("https://[REDACTED]@llm.example.com/v1");
    expect(show).not.toContain("inlinesecret");
    expect(show).not.toContain("pw123456");
    const json = await repo.rwOk(["config", "show", "--json"], { env });
    expect(json).not.toContain("envsecret");
    expect(JSON.parse(json)).toMatchObject({ v: 1, agents: { profile: "balanced" } });
    const check = await repo.rw(["config", "check"], { env });
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/ok +worker: claude-code claude-sonnet-4-6 — claude 2\.1\.0/);
    expect(check.stdout).toMatch(/FAIL +verifier: codex gpt-5 — codex-not-installed not found on PATH/);
  });

  it("an invalid agent setting is refused with the file, the key and the fix", async () => {
    const { repo } = await setup(`[roles.worker]\nprovider = "chatgpt"\n`);
    const r = await repo.rw(["config", "show"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("config.toml: roles.worker.provider is invalid");
    expect(r.stderr).toContain("hint: use one of anthropic, openai, claude-code, codex, command, fake");
    // The core commands do not read agent settings, so a typo there never blocks `rw ready`.
    expect((await repo.rw(["ready"])).code).toBe(0);
  });
});
