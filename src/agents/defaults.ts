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
 * USD per million input / output tokens, list prices when this table was written. Prices move:
 * override any of them with [pricing."model"] in config.toml.
 */
export const DEFAULT_PRICING: Record<string, Price> = {
  "claude-opus-4-5": { input: 5, output: 25 },
  "claude-opus-4-1": { input: 15, output: 75 },
  "claude-sonnet-4-6": { input: 3, output: 15 },
  "claude-opus-4-0": { input: 15, output: 75 },
  "claude-sonnet-4-5": { input: 3, output: 15 },
  "claude-sonnet-4-0": { input: 3, output: 15 },
  "claude-haiku-4-5": { input: 1, output: 5 },
  "claude-3-5-haiku-latest": { input: 0.8, output: 4 },
  "gpt-5": { input: 1.25, output: 10 },
  "gpt-5-mini": { input: 0.25, output: 2 },
  "gpt-5-nano": { input: 0.05, output: 0.4 },
  "gpt-4.1": { input: 2, output: 8 },
  "gpt-4.1-mini": { input: 0.4, output: 1.6 },
  "gpt-4o": { input: 2.5, output: 10 },
  "gpt-4o-mini": { input: 0.15, output: 0.6 },
  "o4-mini": { input: 1.1, output: 4.4 },
  fake: { input: 0, output: 0 },
  command: { input: 0, output: 0 },
};

export const DEFAULT_API_KEY_ENV: Partial<Record<ProviderName, string>> = { anthropic: "ANTHROPIC_API_KEY", openai: "OPENAI_API_KEY" };

export const DEFAULT_BINARY: Partial<Record<ProviderName, string>> = { "claude-code": "claude", codex: "codex" };

/** Commands API workers may run when the config names none: read-only inspection and the usual test runners. */
export const DEFAULT_ALLOWED_COMMANDS = ["npm test", "npm run test", "npx vitest", "npx tsc", "git status", "git diff", "git log", "ls", "pytest", "go test", "cargo test"];
