import { describe, expect, it } from "vitest";
import { parse } from "smol-toml";
import { priceOf, resolveAgentConfig } from "../../../src/agents/config.ts";
import { redact } from "../../../src/agents/redact.ts";
import { checkBudget, costOf } from "../../../src/domain/budget.ts";
import { decideAgentTurn, decideBudgetGate } from "../../../src/domain/decide-agent.ts";
import type { DecideContext } from "../../../src/domain/decide.ts";
import { fold } from "../../../src/domain/fold.ts";
import { emptySpend } from "../../../src/domain/spend.ts";
import { emptyState } from "../../../src/domain/types.ts";
import { RwError } from "../../../src/domain/errors.ts";

const cfg = (toml: string, override = {}) => resolveAgentConfig(parse(toml), "config.toml", override);

describe("agent configuration", () => {
  it("resolves profiles, per-role overrides and fallbacks", () => {
    const c = cfg(`
[agents]
profile = "budget"
[roles.worker]
max_tokens = 4000
temperature = 0.2
[roles.verifier]
provider = "openai"
base_url = "http://localhost:11434/v1"
[roles.verifier.fallback]
provider = "anthropic"
[profiles.budget]
verifier = "openai:qwen2.5-coder"
`);
    expect(c.profile).toBe("budget");
    expect(c.roles.planner).toMatchObject({ provider: "anthropic", model: "claude-sonnet-4-6", api_key_env: "ANTHROPIC_API_KEY" });
    expect(c.roles.worker).toMatchObject({ provider: "anthropic", model: "claude-haiku-4-5", max_tokens: 4000, temperature: 0.2 });
    expect(c.roles.verifier).toMatchObject({ provider: "openai", model: "qwen2.5-coder", base_url: "http://localhost:11434/v1" });
    expect(c.roles.verifier.fallback).toMatchObject({ provider: "anthropic", model: "claude-haiku-4-5" });
  });

  it("--provider swaps a role's provider and takes the model from the profile", () => {
    const c = cfg(`[roles.worker]\nmodel = "claude-opus-4-5"\n`, { provider: "openai", role: "worker" });
    expect(c.roles.worker).toMatchObject({ provider: "openai", model: "gpt-5-mini" });
    expect(c.roles.planner.provider).toBe("anthropic");
  });

  it.each([
    [`[roles.worker]\nprovider = "gpt"\n`, "roles.worker.provider", "one of anthropic, openai"],
    [`[roles.worker]\nmax_tokns = 5\n`, "roles.worker.max_tokns", "is not a known setting"],
    [`[agents]\nprofile = "cheap"\n`, "agents.profile", "one of quality, balanced, budget"],
    [`[budgets]\ntask_usd = -1\n`, "budgets.task_usd", "is invalid"],
    [`[roles.worker]\nprovider = "command"\n`, "roles.worker.command", "aider"],
    [`[tools]\ncommand_timeout = "soon"\n`, "tools.command_timeout", "duration"],
  ])("names the key and the fix: %s", (toml, key, words) => {
    let err: unknown;
    try {
      cfg(toml);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RwError);
    const e = err as RwError;
    expect(e.code).toBe("config");
    expect(e.data.key).toBe(key);
    expect(`${e.message} ${e.hint ?? ""}`).toContain(words);
  });

  it("prices models by exact name, then by the longest prefix; config overrides the shipped table", () => {
    const c = cfg(`[pricing."claude-sonnet-4-6"]\ninput = 2\noutput = 10\n`);
    expect(priceOf(c, "claude-sonnet-4-6")).toEqual({ input: 2, output: 10 });
    expect(priceOf(c, "claude-haiku-4-5-20251001")).toEqual({ input: 1, output: 5, cache_read: 0.1, cache_write: 1.25 });
    expect(priceOf(c, "mystery-model")).toBeUndefined();
    expect(costOf({ input: 3, output: 15 }, 1_000_000, 100_000)).toBe(4.5);
  });

  it("prices each token kind at its own rate: cache reads and writes apart from plain input; flex at its share", () => {
    const sonnet = priceOf(cfg(""), "claude-sonnet-4-6");
    // 1M input of which 600k cache reads and 100k cache writes, 100k output.
    const cost = costOf(sonnet, { input: 1_000_000, cache_read: 600_000, cache_write: 100_000, output: 100_000 });
    expect(cost).toBeCloseTo(0.3 * 3 + 0.6 * 0.3 + 0.1 * 3.75 + 0.1 * 15, 6);
    expect(cost).toBeLessThan(costOf(sonnet, 1_000_000, 100_000));
    // A table entry without cache prices bills cached tokens at the input rate (never cheaper than billed).
    expect(costOf({ input: 2, output: 8 }, { input: 1_000_000, cache_read: 500_000, output: 0 })).toBe(2);
    const gpt5 = priceOf(cfg(""), "gpt-5");
    expect(costOf(gpt5, { input: 1_000_000, output: 0, service_tier: "flex" })).toBeCloseTo(0.625, 6);
    expect(costOf(gpt5, { input: 1_000_000, output: 0, service_tier: "default" })).toBeCloseTo(1.25, 6);
    const custom = cfg(`[pricing."my-model"]\ninput = 1\noutput = 2\ncache_read = 0.1\ncache_write = 1.5\n`);
    expect(priceOf(custom, "my-model")).toEqual({ input: 1, output: 2, cache_read: 0.1, cache_write: 1.5 });
  });

  it("claude-code gets acceptEdits and an allowed-tools list by default; accounts must name [accounts.*] tables", () => {
    const c = cfg(`[roles.worker]\nprovider = "claude-code"\n[tools]\nallow_commands = ["npm test"]\n`);
    expect(c.roles.worker.permission_mode).toBe("acceptEdits");
    expect(c.roles.worker.allowed_tools).toEqual(expect.arrayContaining(["Read", "Edit", "Write", "Bash(npm test:*)"]));
    expect(c.roles.planner.permission_mode).toBeUndefined();
    const ok = cfg(`[roles.worker]\nprovider = "claude-code"\naccounts = ["work"]\n[accounts.work]\nconfig_dir = "~/.claude-work"\n`);
    expect(ok.accounts.work).toEqual({ name: "work", config_dir: "~/.claude-work" });
    expect(() => cfg(`[roles.worker]\nprovider = "claude-code"\naccounts = ["wrok"]\n[accounts.work]\nconfig_dir = "~/.claude-work"\n`)).toThrow(/wrok.*did you mean work/);
  });
});

describe("budgets (pure)", () => {
  const limits = { task_usd: 1, project_usd: 10, roles: { worker: 5 } };
  const spend = emptySpend();
  spend.total.cost_usd = 9.5;
  spend.by_role.worker = { input_tokens: 0, output_tokens: 0, cost_usd: 4.2, calls: 3 };
  spend.by_task["rw-1"] = { input_tokens: 0, output_tokens: 0, cost_usd: 0.7, calls: 2 };
  it.each([
    [{ role: "worker", task: "rw-1", projected_usd: 0.2 }, null],
    [{ role: "worker", task: "rw-1", projected_usd: 0.4 }, "task"],
    [{ role: "worker", task: "rw-2", projected_usd: 0.9 }, "role"],
    [{ role: "planner", projected_usd: 0.6 }, "project"],
    [{ role: "planner", projected_usd: 0.4 }, null],
  ])("%j -> %s", (call, scope) => {
    expect(checkBudget(spend, limits, call)?.scope ?? null).toBe(scope);
  });

  it("usage events fold into spend by project, role, task and model; a gate over budget emits budget.blocked", () => {
    let n = 0;
    const ctx: DecideContext = { actor: "a", now: "2026-11-21T10:00:00.000Z", nextEventId: () => `01J${String(n++).padStart(23, "0")}`, randomBytes: () => new Uint8Array(8), config: { prefix: "rw", leaseMs: 1, maxRetries: 3 } };
    const turn = decideAgentTurn({ session: "s", role: "worker", task: "rw-1", turn: 1, usage: { provider: "anthropic", model: "m", input_tokens: 1000, output_tokens: 100, cost_usd: 0.6 }, tools: [{ tool: "read_file", args: "a", result: "b", ok: true }] })(emptyState(), ctx);
    expect(turn.events.map((e) => e.type)).toEqual(["agent.usage", "agent.tool_called"]);
    const state = fold(turn.events);
    expect(state.spend.by_task["rw-1"]).toEqual({ input_tokens: 1000, output_tokens: 100, cost_usd: 0.6, calls: 1 });
    expect(state.spend.by_model.m!.cost_usd).toBe(0.6);
    const ok = decideBudgetGate({ session: "s", role: "worker", task: "rw-1", model: "m", limits, projected_usd: 0.3, estimated_input_tokens: 10 })(state, ctx);
    expect(ok.events).toEqual([]);
    const blocked = decideBudgetGate({ session: "s", role: "worker", task: "rw-1", model: "m", limits, projected_usd: 0.5, estimated_input_tokens: 10 })(state, ctx);
    expect(blocked.events[0]).toMatchObject({ type: "budget.blocked", task: "rw-1", data: { scope: "task", limit_usd: 1, spent_usd: 0.6, projected_usd: 0.5 } });
  });
});

describe("redaction", () => {
  it.each([
    ["key sk-ant-api03-abcdefghijklmnop here", "key [REDACTED] here"],
    ["Authorization: Bearer abcdefghijklmnopqrstuvwx", "Authorization: Bearer [REDACTED]"],
    ["OPENAI_API_KEY=abc123456 npm test", "OPENAI_API_KEY=[REDACTED] npm test"],
    ["https://user:hunter22@example.com/v1", "https://[REDACTED]@example.com/v1"],
    ["ghp_abcdefghijklmnopqrstuvwxyz0123", "[REDACTED]"],
  ])("%s", (input, out) => {
    expect(redact(input)).toBe(out);
  });
  it("redacts known secret values wherever they appear", () => {
    expect(redact("echo my-long-secret-value", ["my-long-secret-value"])).toBe("echo [REDACTED]");
  });
});
