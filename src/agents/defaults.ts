import type { Price } from "../domain/budget.ts";
import type { ProviderName, Role } from "./types.ts";

export const PROFILES = ["quality", "balanced", "budget"] as const;
export type Profile = (typeof PROFILES)[number];

/** Shipped profile → role → model maps, per provider family. A config's [profiles.*] overrides them. */
export const DEFAULT_PROFILE_MODELS: Partial<Record<ProviderName, Record<Profile, Record<Role, string>>>> = {
  anthropic: {
    quality: { planner: "claude-opus-4-5", worker: "claude-opus-4-5", verifier: "claude-sonnet-4-6", architect: "claude-opus-4-5" },
    balanced: { planner: "claude-opus-4-5", worker: "claude-sonnet-4-6", verifier: "claude-sonnet-4-6", architect: "claude-opus-4-5" },
    budget: { planner: "claude-sonnet-4-6", worker: "claude-haiku-4-5", verifier: "claude-haiku-4-5", architect: "claude-sonnet-4-6" },
  },
  openai: {
    quality: { planner: "gpt-5", worker: "gpt-5", verifier: "gpt-5", architect: "gpt-5" },
    balanced: { planner: "gpt-5", worker: "gpt-5-mini", verifier: "gpt-5-mini", architect: "gpt-5" },
    budget: { planner: "gpt-5-mini", worker: "gpt-5-nano", verifier: "gpt-5-nano", architect: "gpt-5-mini" },
  },
};
DEFAULT_PROFILE_MODELS["claude-code"] = DEFAULT_PROFILE_MODELS.anthropic;
DEFAULT_PROFILE_MODELS.codex = DEFAULT_PROFILE_MODELS.openai;

/** Models for providers that have no profile family (the CLI template and the scripted fake). */
export const FALLBACK_MODEL: Partial<Record<ProviderName, string>> = { command: "command", fake: "fake" };

/**
 * USD per million tokens by kind, list prices when this table was written. Anthropic: cache
 * reads 0.1× input, 5-minute cache writes 1.25×. OpenAI: cached input as listed; `flex` is the
 * flex tier's share of the standard price. Prices move: override any of them with
 * [pricing."model"] in config.toml.
 */
const claude = (input: number, output: number): Price => ({ input, output, cache_read: input / 10, cache_write: input * 1.25 });
export const DEFAULT_PRICING: Record<string, Price> = {
  "claude-opus-4-5": claude(5, 25),
  "claude-opus-4-1": claude(15, 75),
  "claude-sonnet-4-6": claude(3, 15),
  "claude-opus-4-0": claude(15, 75),
  "claude-sonnet-4-5": claude(3, 15),
  "claude-sonnet-4-0": claude(3, 15),
  "claude-haiku-4-5": claude(1, 5),
  "claude-3-5-haiku-latest": claude(0.8, 4),
  "gpt-5": { input: 1.25, output: 10, cache_read: 0.125, flex: 0.5 },
  "gpt-5-codex": { input: 1.25, output: 10, cache_read: 0.125 },
  "gpt-5-mini": { input: 0.25, output: 2, cache_read: 0.025, flex: 0.5 },
  "gpt-5-nano": { input: 0.05, output: 0.4, cache_read: 0.005, flex: 0.5 },
  "gpt-4.1": { input: 2, output: 8, cache_read: 0.5 },
  "gpt-4.1-mini": { input: 0.4, output: 1.6, cache_read: 0.1 },
  "gpt-4o": { input: 2.5, output: 10, cache_read: 1.25 },
  "gpt-4o-mini": { input: 0.15, output: 0.6, cache_read: 0.075 },
  "o3": { input: 2, output: 8, cache_read: 0.5, flex: 0.5 },
  "o4-mini": { input: 1.1, output: 4.4, cache_read: 0.275, flex: 0.5 },
  fake: { input: 0, output: 0 },
  command: { input: 0, output: 0 },
};

/** The tools a headless claude-code worker may use without a prompt, besides `Bash(<cmd>:*)` for each allowed command. */
export const DEFAULT_CLAUDE_TOOLS = ["Read", "Edit", "MultiEdit", "Write", "Glob", "Grep", "LS", "TodoWrite"];

export const DEFAULT_API_KEY_ENV: Partial<Record<ProviderName, string>> = { anthropic: "ANTHROPIC_API_KEY", openai: "OPENAI_API_KEY" };

export const DEFAULT_BINARY: Partial<Record<ProviderName, string>> = { "claude-code": "claude", codex: "codex" };

/** Commands API workers may run when the config names none: read-only inspection and the usual test runners. */
export const DEFAULT_ALLOWED_COMMANDS = ["npm test", "npm run test", "npx vitest", "npx tsc", "git status", "git diff", "git log", "ls", "pytest", "go test", "cargo test"];
