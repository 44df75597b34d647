import { existsSync, readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { agentFixtures, type AgentRepo } from "../../helpers/agent-repo.ts";

const BIN = resolve(import.meta.dirname, "../../fixtures/bin");
const PATH = `${BIN}:${dirname(process.execPath)}:/usr/bin:/bin`;
const fx = agentFixtures();
let logDir: string;
afterEach(() => {
  if (logDir) rmSync(logDir, { recursive: true, force: true });
});

function setup(config: string, extra: Record<string, string> = {}): Promise<AgentRepo> {
  logDir = mkdtempSync(join(tmpdir(), "rw-fakecli-"));
  return fx.repo(config, { PATH, FAKE_LOG: join(logDir, "args.json"), ...extra });
}
const loggedArgs = (): string[] => JSON.parse(readFileSync(join(logDir, "args.json"), "utf8")) as string[];

describe("CLI agent providers (fake executables on PATH printing the real CLIs' JSON)", () => {
  it("claude-code: passes model, permission mode and allowed tools; reads usage and cost from the result message", async () => {
    const ar = await setup(`[roles.worker]\nprovider = "claude-code"\nmodel = "claude-sonnet-4-6"\npermission_mode = "acceptEdits"\nallowed_tools = ["Read", "Write", "Bash(npm test)"]\n`);
    const res = await ar.run();
    expect(res).toMatchObject({ finished: true, stop_reason: "finished", summary: "wrote hello.txt with claude", turns: 3, provider: "claude-code" });
    expect(readFileSync(join(ar.repo.dir, "hello.txt"), "utf8")).toBe("hello\n");
    expect(loggedArgs()).toEqual(["-p", "--output-format", "stream-json", "--verbose", "--model", "claude-sonnet-4-6", "--permission-mode", "acceptEdits", "--allowedTools", "Read,Write,Bash(npm test)"]);
    // Input counts cached tokens too; the cost is the CLI's own total_cost_usd.
    expect(res.usage).toEqual({ input_tokens: 1012, output_tokens: 150, cost_usd: 0.0123 });
    const events = await ar.events();
    expect(events.find((e) => e.type === "agent.usage")).toMatchObject({ task: ar.task, data: { provider: "claude-code", cost_usd: 0.0123, input_tokens: 1012 } });
    expect(events.find((e) => e.type === "agent.tool_called")).toMatchObject({ data: { tool: "Write", ok: true } });
  });

  it("claude-code: a run that ends without the RW-FINISH line is not finished", async () => {
    const ar = await setup(`[roles.worker]\nprovider = "claude-code"\nmodel = "claude-sonnet-4-6"\n`, { FAKE_MODE: "question" });
    const res = await ar.run();
    expect(res).toMatchObject({ finished: false, stop_reason: "unfinished" });
    expect(res.summary).toContain("have a question");
  });

  it("claude-code rate limited: the role's fallback (a command template) takes over", async () => {
    const ar = await setup(`[roles.worker]\nprovider = "claude-code"\nmodel = "claude-sonnet-4-6"\n[roles.worker.fallback]\nprovider = "command"\ncommand = "fake-aider --yes --message-file {prompt_file}"\n`, { FAKE_MODE: "ratelimit" });
    const res = await ar.run();
    expect(res).toMatchObject({ finished: true, provider: "command", summary: "aider wrote hello.txt" });
  });

  it("codex: reads agent messages, commands, file changes and turn usage from `codex exec --json`", async () => {
    const ar = await setup(`[roles.worker]\nprovider = "codex"\nmodel = "gpt-5-codex"\n[pricing."gpt-5-codex"]\ninput = 1.25\noutput = 10\n`);
    const res = await ar.run();
    expect(res).toMatchObject({ finished: true, summary: "wrote hello.txt with codex", turns: 1, provider: "codex" });
    expect(loggedArgs()).toEqual(["exec", "--json", "--full-auto", "--skip-git-repo-check", "--model", "gpt-5-codex", "-"]);
    expect(res.usage).toEqual({ input_tokens: 2400, output_tokens: 320, cost_usd: (2400 * 1.25 + 320 * 10) / 1e6 });
    expect(res.transcript.filter((t) => t.type === "tool").map((t) => (t as { tool: string }).tool)).toEqual(["command", "file_change"]);
    expect(existsSync(join(ar.repo.dir, "hello.txt"))).toBe(true);
  });

  it("command: runs the template without a shell, prompt in a file; stdout and stderr land in the transcript", async () => {
    const ar = await setup(`[roles.worker]\nprovider = "command"\ncommand = "fake-aider --yes --message-file {prompt_file}"\n`);
    const res = await ar.run();
    expect(res).toMatchObject({ finished: true, summary: "aider wrote hello.txt", provider: "command" });
    const text = JSON.stringify(res.transcript);
    expect(text).toContain("Applied edit to hello.txt");
    expect(text).toContain("no git author configured");
    expect(res.usage.input_tokens).toBeGreaterThan(0);
  });

  it("a missing CLI is an error the session reports, not a crash", async () => {
    const ar = await setup(`[roles.worker]\nprovider = "codex"\nmodel = "gpt-5"\nbinary = "no-such-codex"\n`);
    const res = await ar.run();
    expect(res).toMatchObject({ finished: false, stop_reason: "provider_error" });
    expect(res.error).toContain("no-such-codex not found on PATH");
  });
});
