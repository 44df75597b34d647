import { existsSync, mkdirSync, readFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
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

// Shapes the fakes print, and where they come from, are cited at the top of test/fixtures/bin/claude
// and test/fixtures/bin/codex (Claude Code headless docs and issues #82747/#90578/#11429; the codex
// exec JSON event types in the codex SDKs, openai/codex #32984 and #20133).
describe("CLI agent providers (fake executables on PATH printing the real CLIs' JSON)", () => {
  it("claude-code: passes model, permission mode and allowed tools; reads usage and cost from the result message", async () => {
    const ar = await setup(`[roles.worker]\nprovider = "claude-code"\nmodel = "claude-sonnet-4-6"\npermission_mode = "acceptEdits"\nallowed_tools = ["Read", "Write", "Bash(npm test)"]\n`);
    const res = await ar.run();
    expect(res).toMatchObject({ finished: true, stop_reason: "finished", summary: "wrote hello.txt with claude", turns: 3, provider: "claude-code" });
    expect(readFileSync(join(ar.repo.dir, "hello.txt"), "utf8")).toBe("hello\n");
    expect(loggedArgs()).toEqual(["-p", "--output-format", "stream-json", "--verbose", "--model", "claude-sonnet-4-6", "--permission-mode", "acceptEdits", "--allowedTools", "Read,Write,Bash(npm test)"]);
    // The cache split is kept beside the total input.
    expect((await ar.events()).find((e) => e.type === "agent.usage")).toMatchObject({ data: { cache_read_tokens: 600, cache_write_tokens: 400 } });
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
    expect(loggedArgs()).toEqual(["exec", "--json", "--sandbox", "workspace-write", "--skip-git-repo-check", "--model", "gpt-5-codex", "-"]);
    expect(loggedArgs()).not.toContain("--full-auto");
    // 1800 of the 2400 input tokens were cached: with no cache price configured they cost the input rate.
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

  it("claude-code by default: acceptEdits plus an allowed-tools list, so a headless worker can edit the worktree", async () => {
    const ar = await setup(`[roles.worker]\nprovider = "claude-code"\nmodel = "claude-sonnet-4-6"\n[tools]\nallow_commands = ["npm test", "git status"]\n`);
    const res = await ar.run();
    expect(res).toMatchObject({ finished: true, summary: "wrote hello.txt with claude" });
    expect(readFileSync(join(ar.repo.dir, "hello.txt"), "utf8")).toBe("hello\n");
    const args = loggedArgs();
    expect(args.slice(args.indexOf("--permission-mode"), args.indexOf("--permission-mode") + 2)).toEqual(["--permission-mode", "acceptEdits"]);
    const tools = args[args.indexOf("--allowedTools") + 1]!.split(",");
    expect(tools).toEqual(expect.arrayContaining(["Read", "Edit", "Write", "Grep", "Bash(npm test:*)", "Bash(git status:*)"]));
  });

  it("claude-code: permission denials are the reason a session did not finish", async () => {
    const ar = await setup(`[roles.worker]\nprovider = "claude-code"\nmodel = "claude-sonnet-4-6"\npermission_mode = "default"\nallowed_tools = ["Read"]\n`);
    const res = await ar.run();
    expect(res).toMatchObject({ finished: false, stop_reason: "unfinished" });
    expect(res.error).toContain("claude was denied 1 tool call: Write(");
    expect(res.error).toContain("hello.txt");
    expect(res.error).toContain("allowed_tools");
    expect(existsSync(join(ar.repo.dir, "hello.txt"))).toBe(false);
  });

  it("claude-code: a usage limit after work keeps the reported cost and tool calls, then the fallback goes on", async () => {
    const ar = await setup(`[roles.worker]\nprovider = "claude-code"\nmodel = "claude-sonnet-4-6"\n[roles.worker.fallback]\nprovider = "command"\ncommand = "fake-aider --yes --message-file {prompt_file}"\n`, { FAKE_MODE: "ratelimit-after-work" });
    const res = await ar.run();
    expect(res).toMatchObject({ finished: true, provider: "command" });
    const events = await ar.events();
    const claude = events.filter((e) => e.type === "agent.usage" && e.data.provider === "claude-code");
    expect(claude).toHaveLength(1);
    expect(claude[0]!.data).toMatchObject({ cost_usd: 0.0456, input_tokens: 1012, output_tokens: 150 });
    expect(events.filter((e) => e.type === "agent.tool_called").map((e) => e.data.tool)).toContain("Write");
    expect(res.usage.cost_usd).toBeGreaterThanOrEqual(0.0456);
  });

  it("codex: 'Reconnecting... N/5' error lines (even with 503 in them) do not fail a session that completes", async () => {
    const ar = await setup(`[roles.worker]\nprovider = "codex"\nmodel = "gpt-5"\n`, { FAKE_MODE: "reconnect" });
    const notes: string[] = [];
    const res = await ar.run({ onProgress: (p) => p.type === "note" && notes.push(p.text) });
    expect(res).toMatchObject({ finished: true, stop_reason: "finished", summary: "wrote hello.txt with codex", provider: "codex" });
    expect(notes.some((n) => n.includes("Reconnecting... 1/5"))).toBe(true);
    // gpt-5's cached input (1800 of 2400) is priced at the cache-read rate, not the input rate.
    expect(res.usage.cost_usd).toBeCloseTo((600 * 1.25 + 1800 * 0.125 + 320 * 10) / 1e6, 9);
  });

  it("codex: turn.failed ends the session unfinished with codex's message, its usage recorded", async () => {
    const ar = await setup(`[roles.worker]\nprovider = "codex"\nmodel = "gpt-5"\n`, { FAKE_MODE: "turnfailed" });
    const res = await ar.run();
    expect(res).toMatchObject({ finished: false, stop_reason: "unfinished" });
    expect(res.error).toContain("codex turn failed: stream disconnected before completion: the model produced an invalid patch");
    expect(res.usage).toMatchObject({ input_tokens: 900, output_tokens: 40 });
  });

  it("codex: a usage limit is a rate limit (the fallback takes over)", async () => {
    const ar = await setup(`[roles.worker]\nprovider = "codex"\nmodel = "gpt-5"\n[roles.worker.fallback]\nprovider = "command"\ncommand = "fake-aider --yes --message-file {prompt_file}"\n`, { FAKE_MODE: "usagelimit" });
    const res = await ar.run();
    expect(res).toMatchObject({ finished: true, provider: "command" });
  });

  it("claude-code accounts: a limited account rests until its reset time and the next one runs; the log names the account", async () => {
    const dirs = mkdtempSync(join(tmpdir(), "rw-accounts-"));
    mkdirSync(join(dirs, "work"));
    mkdirSync(join(dirs, "personal"));
    writeFileSync(join(dirs, "work", "limited"), "");
    const calls = join(dirs, "calls.jsonl");
    try {
      const ar = await setup([
        `[roles.worker]`, `provider = "claude-code"`, `model = "claude-sonnet-4-6"`, `accounts = ["work", "personal"]`,
        `[accounts.work]`, `config_dir = "${join(dirs, "work")}"`, `[accounts.personal]`, `config_dir = "${join(dirs, "personal")}"`,
      ].join("\n"), { FAKE_CALLS: calls });
      const first = await ar.run();
      expect(first).toMatchObject({ finished: true, summary: "wrote hello.txt with claude" });
      const dirsUsed = (): string[] => readFileSync(calls, "utf8").trim().split("\n").map((l) => (JSON.parse(l) as { config_dir: string }).config_dir);
      expect(dirsUsed()).toEqual([join(dirs, "work"), join(dirs, "personal")]);
      const usage = (await ar.events()).filter((e) => e.type === "agent.usage");
      expect(usage.map((e) => e.data.account)).toEqual(["work", "personal"]);
      expect(usage[0]!.data.cost_usd).toBe(0.0456); // the limited run's work is kept
      // The next session goes straight to the account that is not resting.
      rmSync(join(dirs, "work", "limited"));
      await ar.run({ session: "as-second" });
      expect(dirsUsed().slice(2)).toEqual([join(dirs, "personal")]);
      // `rw config check` lists the accounts and which one rests.
      const check = await ar.repo.rw(["config", "check"], { env: { PATH, FAKE_LOG: join(logDir, "args.json") } });
      expect(check.stdout).toMatch(/account work: .*resting until/);
      expect(check.stdout).toMatch(/account personal: .*ready/);
    } finally {
      rmSync(dirs, { recursive: true, force: true });
    }
  });
});
