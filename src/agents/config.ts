import { z } from "zod";
import type { BudgetLimits, Price } from "../domain/budget.ts";
import { RwError } from "../domain/errors.ts";
import { didYouMean } from "../domain/suggest.ts";
import { parseDuration } from "../format/duration.ts";
import {
  DEFAULT_ALLOWED_COMMANDS, DEFAULT_API_KEY_ENV, DEFAULT_BINARY, DEFAULT_CLAUDE_TOOLS, DEFAULT_PRICING, DEFAULT_PROFILE_MODELS, FALLBACK_MODEL, PROFILES, type Profile,
} from "./defaults.ts";
import { PROVIDERS, ROLES, type ProviderName, type ProviderSettings, type Role } from "./types.ts";

/** One role's resolved settings: its provider, an optional fallback, and its session limits. */
export interface RoleConfig extends ProviderSettings {
  role: Role;
  fallback?: ProviderSettings | undefined;
  /** Where `rw run` sends a task that failed the same way twice (a stronger model), if set. */
  escalate?: ProviderSettings | undefined;
  max_turns: number;
  timeout_ms: number;
}

/** A CLI login of its own (Claude Code reads it from CLAUDE_CONFIG_DIR). */
export interface AccountConfig {
  name: string;
  config_dir: string;
}

export interface ToolsConfig {
  allow_commands: string[];
  command_timeout_ms: number;
  /** How long one regex `search` may run before it is stopped (a backtracking pattern). */
  search_timeout_ms: number;
  output_cap: number;
  /** Secret-named variables the user lets through to gates, `run_command` and CLI agents (secret-env.ts). */
  pass_env: string[];
}

/** The agent configuration after defaults, profile and per-role overrides. */
export interface AgentConfig {
  profile: Profile;
  roles: Record<Role, RoleConfig>;
  pricing: Record<string, Price>;
  budgets: BudgetLimits;
  tools: ToolsConfig;
  accounts: Record<string, AccountConfig>;
}

// NOTE: zod costs ~45 ms to import; this module is only reached from agent commands (lazily).
const duration = z.string().regex(/^(\d+(\.\d+)?(ms|s|m|h|d))+$/, 'a duration such as "90s", "30m" or "2h"');
const providerFields = {
  provider: z.enum(PROVIDERS),
  model: z.string().min(1),
  max_tokens: z.number().int().positive().max(1_000_000),
  temperature: z.number().min(0).max(2),
  base_url: z.url(),
  api_key_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name such as ANTHROPIC_API_KEY"),
  api_key: z.string().min(1),
  retries: z.number().int().min(0).max(10),
  permission_mode: z.enum(["default", "acceptEdits", "bypassPermissions", "plan", "dontAsk"]),
  allowed_tools: z.array(z.string()),
  token_param: z.enum(["max_tokens", "max_completion_tokens"]),
  reasoning_effort: z.enum(["minimal", "low", "medium", "high"]),
  service_tier: z.enum(["flex", "default", "auto", "priority"]),
  accounts: z.array(z.string().regex(/^[A-Za-z0-9_-]+$/, "an account name such as work")).min(1),
  command: z.string().min(1),
  binary: z.string().min(1),
  script: z.string().min(1),
};
const providerTable = z.strictObject(providerFields).partial();
const roleTable = z.strictObject({ ...providerFields, fallback: providerTable, escalate: providerTable, max_turns: z.number().int().positive().max(1000), timeout: duration }).partial();
const usd = z.number().nonnegative();

const schema = z.object({
  agents: z.strictObject({
    profile: z.enum(PROFILES), provider: z.enum(PROVIDERS), max_turns: z.number().int().positive().max(1000), timeout: duration, retries: z.number().int().min(0).max(10),
  }).partial().optional(),
  roles: z.strictObject({ planner: roleTable, worker: roleTable, verifier: roleTable, architect: roleTable }).partial().optional(),
  profiles: z.partialRecord(z.enum(PROFILES), z.strictObject({ planner: z.string().min(1), worker: z.string().min(1), verifier: z.string().min(1), architect: z.string().min(1) }).partial()).optional(),
  pricing: z.record(z.string(), z.strictObject({ input: usd, output: usd, cache_read: usd.optional(), cache_write: usd.optional(), flex: z.number().positive().max(1).optional() })).optional(),
  accounts: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/), z.strictObject({ config_dir: z.string().min(1) })).optional(),
  budgets: z.strictObject({ task_usd: usd, project_usd: usd, roles: z.strictObject({ planner: usd, worker: usd, verifier: usd, architect: usd }).partial() }).partial().optional(),
  tools: z.strictObject({ allow_commands: z.array(z.string().min(1)), command_timeout: duration, search_timeout: duration, output_cap: z.number().int().min(256).max(10_000_000), pass_env: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name")) }).partial().optional(),
});
type Doc = z.infer<typeof schema>;
type ProviderTable = z.infer<typeof providerTable>;

const FIXES: Record<string, string> = {
  provider: `one of ${PROVIDERS.join(", ")}`,
  profile: `one of ${PROFILES.join(", ")}`,
  permission_mode: "one of default, acceptEdits, bypassPermissions, plan, dontAsk",
  token_param: "max_tokens or max_completion_tokens",
  reasoning_effort: "one of minimal, low, medium, high",
  service_tier: "one of flex, default, auto, priority",
  base_url: 'a full URL, e.g. "http://localhost:11434/v1"',
  timeout: 'a duration such as "30m"',
  command_timeout: 'a duration such as "2m"',
  search_timeout: 'a duration such as "10s"',
};

function configError(issue: z.core.$ZodIssue, file: string): RwError {
  const path = issue.path.map(String);
  if (issue.code === "unrecognized_keys") {
    const key = [...path, issue.keys[0] ?? ""].filter(Boolean).join(".");
    const guess = didYouMean(issue.keys[0] ?? "", knownKeys(schema, path), (k) => [...path, k].join("."));
    return new RwError("config", `${file}: ${key} is not a known setting${guess}`, { hint: "check the spelling; the agent settings are described in the README section \"Agents\"", data: { file, key } });
  }
  const key = path.join(".");
  const last = path[path.length - 1] ?? "";
  const fix = FIXES[last] ?? issue.message;
  return new RwError("config", `${file}: ${key} is invalid: ${issue.message}`, { hint: `use ${fix}`, data: { file, key } });
}

/** The keys a (partial, optional) zod object accepts at `path`, for "did you mean" (records: their value's keys). */
function knownKeys(root: z.ZodType, path: string[]): string[] {
  type Node = { def?: { type?: string; innerType?: unknown; valueType?: unknown; keyType?: { options?: unknown[] } }; shape?: Record<string, unknown> };
  const unwrap = (n: Node): Node => (n.def?.type === "optional" || n.def?.type === "nullable" ? unwrap(n.def.innerType as Node) : n);
  let node = unwrap(root);
  for (const step of path) {
    if (node.shape) node = unwrap(node.shape[step] as Node);
    else if (node.def?.type === "record") node = unwrap(node.def.valueType as Node);
    else return [];
    if (!node) return [];
  }
  if (node.shape) return Object.keys(node.shape);
  return [];
}

/** Edit distance (with adjacent swaps): "wrok" → "work" is one step. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

const closest = (name: string, known: string[]): string | undefined =>
  known.map((k) => ({ k, d: distance(name.toLowerCase(), k.toLowerCase()) })).filter((x) => x.d <= Math.max(1, Math.floor(name.length / 3))).sort((a, b) => a.d - b.d)[0]?.k;

/** Validates the agent sections of config.toml (the core parser keeps them in `raw`). */
export function parseAgentDoc(raw: Record<string, unknown>, file = ".rewind/config.toml"): Doc {
  const result = schema.safeParse(raw);
  if (!result.success) throw configError(result.error.issues[0]!, file);
  return result.data;
}

/** "openai:gpt-5" names a provider and a model; "gpt-5" only a model. */
function splitModel(value: string): { provider?: ProviderName; model: string } {
  const i = value.indexOf(":");
  const head = i > 0 ? value.slice(0, i) : "";
  if ((PROVIDERS as readonly string[]).includes(head)) return { provider: head as ProviderName, model: value.slice(i + 1) };
  return { model: value };
}

/** The model a profile gives a role on a provider: the config's entry if it fits that provider, else the shipped one. */
function profileModel(doc: Doc, profile: Profile, role: Role, provider: ProviderName): string | undefined {
  const own = doc.profiles?.[profile]?.[role];
  const entry = own ? splitModel(own) : undefined;
  if (entry && (!entry.provider || entry.provider === provider)) return entry.model;
  return DEFAULT_PROFILE_MODELS[provider]?.[profile][role] ?? FALLBACK_MODEL[provider];
}

function settings(t: ProviderTable, provider: ProviderName, model: string | undefined, base: { retries: number; allow_commands: string[] }, where: string, file: string): ProviderSettings {
  const resolved = model ?? t.model;
  if (!resolved) {
    throw new RwError("config", `${file}: ${where} has provider ${provider} but no model`, { hint: `set ${where}.model, or a [profiles.*] entry for it`, data: { file, key: `${where}.model` } });
  }
  if (provider === "command" && !t.command) {
    throw new RwError("config", `${file}: ${where} uses the command provider but has no command template`, { hint: `set ${where}.command, e.g. command = "aider --yes --message-file {prompt_file}"`, data: { file, key: `${where}.command` } });
  }
  return {
    provider, model: resolved, max_tokens: t.max_tokens ?? 8192, temperature: t.temperature, base_url: t.base_url,
    api_key_env: t.api_key_env ?? DEFAULT_API_KEY_ENV[provider], api_key: t.api_key, retries: t.retries ?? base.retries,
    permission_mode: t.permission_mode ?? (provider === "claude-code" ? "acceptEdits" : undefined),
    allowed_tools: t.allowed_tools ?? (provider === "claude-code" ? [...DEFAULT_CLAUDE_TOOLS, ...base.allow_commands.map((c) => `Bash(${c}:*)`)] : undefined),
    command: t.command, binary: t.binary ?? DEFAULT_BINARY[provider], script: t.script,
    token_param: t.token_param, reasoning_effort: t.reasoning_effort, service_tier: t.service_tier, accounts: t.accounts,
  };
}

/**
 * Resolves the agent configuration: shipped defaults, then [agents], then the profile's model for
 * each role, then [roles.<role>] overrides. `override.provider` (the --provider flag) swaps a
 * role's provider; the model then comes from the profile unless the role names one for that provider.
 */
export function resolveAgentConfig(raw: Record<string, unknown>, file = ".rewind/config.toml", override: { provider?: ProviderName; role?: Role } = {}): AgentConfig {
  const doc = parseAgentDoc(raw, file);
  const a = doc.agents ?? {};
  const profile: Profile = a.profile ?? "balanced";
  const tools = doc.tools ?? {};
  const allowCommands = tools.allow_commands ?? DEFAULT_ALLOWED_COMMANDS;
  const base = { retries: a.retries ?? 2, allow_commands: allowCommands };
  const accounts: Record<string, AccountConfig> = {};
  for (const [name, acc] of Object.entries(doc.accounts ?? {})) accounts[name] = { name, config_dir: acc.config_dir };
  const timeoutMs = parseDuration(a.timeout ?? "30m", "agents.timeout");
  const roles = {} as Record<Role, RoleConfig>;
  for (const role of ROLES) {
    const t = doc.roles?.[role] ?? {};
    const forced = override.provider && (!override.role || override.role === role) ? override.provider : undefined;
    const own = doc.profiles?.[profile]?.[role];
    const provider = forced ?? t.provider ?? (own ? splitModel(own).provider : undefined) ?? a.provider ?? "anthropic";
    const keepOwnModel = !forced || forced === t.provider;
    const model = keepOwnModel && t.model ? t.model : profileModel(doc, profile, role, provider);
    const table = keepOwnModel ? t : { ...t, provider, model: undefined };
    const fb = t.fallback;
    roles[role] = {
      ...settings(table, provider, model, base, `roles.${role}`, file),
      role,
      fallback: fb ? settings(fb, fb.provider ?? "openai", fb.model ?? profileModel(doc, profile, role, fb.provider ?? "openai"), base, `roles.${role}.fallback`, file) : undefined,
      escalate: t.escalate ? settings(t.escalate, t.escalate.provider ?? provider, t.escalate.model, base, `roles.${role}.escalate`, file) : undefined,
      max_turns: t.max_turns ?? a.max_turns ?? 40,
      timeout_ms: t.timeout ? parseDuration(t.timeout, `roles.${role}.timeout`) : timeoutMs,
    };
  }
  for (const role of ROLES) {
    for (const [where, st] of [[`roles.${role}`, roles[role]], [`roles.${role}.fallback`, roles[role].fallback]] as const) {
      for (const name of st?.accounts ?? []) {
        if (accounts[name]) continue;
        const known = Object.keys(accounts);
        const near = closest(name, known);
        throw new RwError("config", `${file}: ${where}.accounts names ${name}, which has no [accounts.${name}] table${near ? ` (did you mean ${near}?)` : ""}`, {
          hint: `add [accounts.${name}] with config_dir = "~/.claude-${name}"${known.length ? `, or use one of: ${known.join(", ")}` : ""}`, data: { file, key: `${where}.accounts` },
        });
      }
    }
  }
  return {
    profile,
    roles,
    pricing: { ...DEFAULT_PRICING, ...(doc.pricing ?? {}) },
    budgets: { task_usd: doc.budgets?.task_usd, project_usd: doc.budgets?.project_usd, roles: { ...(doc.budgets?.roles ?? {}) } },
    tools: {
      allow_commands: allowCommands,
      command_timeout_ms: tools.command_timeout ? parseDuration(tools.command_timeout, "tools.command_timeout") : 120_000,
      search_timeout_ms: tools.search_timeout ? parseDuration(tools.search_timeout, "tools.search_timeout") : 10_000, // = tools/fs-tools.ts SEARCH_TIME_MS
      output_cap: tools.output_cap ?? 16_000,
      pass_env: tools.pass_env ?? [],
    },
    accounts,
  };
}

/** The price of a model: exact name first, then the longest configured prefix ("claude-sonnet-4-5-20250929" → "claude-sonnet-4-5"). */
export function priceOf(cfg: AgentConfig, model: string): Price | undefined {
  if (cfg.pricing[model]) return cfg.pricing[model];
  const keys = Object.keys(cfg.pricing).filter((k) => model.startsWith(k)).sort((a, b) => b.length - a.length);
  return keys[0] ? cfg.pricing[keys[0]] : undefined;
}
