import type { AgentConfig } from "./config.ts";
import type { ProviderSettings } from "./types.ts";

/**
 * Clean environments for what an agent can start (DESIGN §8 "clean environment"): gates,
 * `run_command` children, the post-worktree hook and CLI agents. An agent is untrusted input; a
 * gate it wrote (`npm test` running its own test file) must not be able to print a provider key.
 * Pure: env in, env out.
 */

/** Names that hold secrets: API keys, tokens, passwords, credentials, the ssh agent socket, auth cookies. */
const SECRET_NAME = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|CREDS|AUTH|COOKIE|PRIVATE)/i;
/** `scheme://user:password@host`: a URL with credentials is a secret whatever its variable is called (DATABASE_URL). */
const URL_CREDENTIALS = /^[a-z][a-z0-9+.-]*:\/\/[^\s/@:]+:[^\s/@]+@/i;

/** Variables each CLI agent reads its credentials and endpoint from (their docs: claude `ANTHROPIC_*`, codex `OPENAI_API_KEY`/`CODEX_API_KEY`). */
const CLI_PROVIDER_VARS: Record<string, string[]> = {
  "claude-code": ["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "CLAUDE_CODE_OAUTH_TOKEN", "ANTHROPIC_BASE_URL", "ANTHROPIC_MODEL"],
  codex: ["OPENAI_API_KEY", "CODEX_API_KEY", "OPENAI_BASE_URL", "CODEX_HOME"],
};

export interface SecretEnvOptions {
  /** `tools.pass_env`: names the user lets through anyway (e.g. NPM_TOKEN for a private registry). */
  passEnv?: readonly string[];
  /** The configured provider key variables (`api_key_env` of every role), whatever they are called. */
  keyVars?: readonly string[];
}

/** Whether a variable would be left out of a clean environment (ignoring `tools.pass_env`). */
export function isSecretVar(name: string, value: string | undefined, keyVars: readonly string[] = []): boolean {
  return keyVars.includes(name) || SECRET_NAME.test(name) || (typeof value === "string" && URL_CREDENTIALS.test(value));
}

/** `env` without provider keys and secret-named variables, except those `passEnv` lists. */
export function secretFreeEnv(env: Record<string, string | undefined>, opts: SecretEnvOptions = {}): Record<string, string | undefined> {
  const pass = new Set(opts.passEnv ?? []);
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (pass.has(name) || !isSecretVar(name, value, opts.keyVars)) out[name] = value;
  }
  return out;
}

/** Every provider key variable a set of provider settings names (primary and fallback of each role). */
export function providerKeyVars(settings: Iterable<ProviderSettings | undefined>): string[] {
  const names = new Set<string>(["ANTHROPIC_API_KEY", "OPENAI_API_KEY"]);
  for (const s of settings) if (s?.api_key_env) names.add(s.api_key_env);
  return [...names];
}

/**
 * What a CLI agent is started with: the clean environment plus exactly the variables its
 * provider needs (its `api_key_env`, and the CLI's own credential variables). A key configured
 * inline (`api_key = "…"`) is handed over in the variable the CLI reads.
 */
export function cliAgentEnv(env: Record<string, string | undefined>, s: ProviderSettings, passEnv: readonly string[] = []): Record<string, string | undefined> {
  const needs = [...(CLI_PROVIDER_VARS[s.provider] ?? []), ...(s.api_key_env ? [s.api_key_env] : [])];
  const out = secretFreeEnv(env, { passEnv });
  for (const name of needs) if (env[name] !== undefined) out[name] = env[name];
  if (s.api_key !== undefined && s.api_key_env) out[s.api_key_env] = s.api_key;
  return out;
}

/** The clean-environment options an agent configuration implies: its key variables and `tools.pass_env`. */
export function agentSecretOptions(cfg: Pick<AgentConfig, "roles" | "tools">): SecretEnvOptions {
  const roles = Object.values(cfg.roles);
  return { passEnv: cfg.tools.pass_env, keyVars: providerKeyVars([...roles, ...roles.map((r) => r.fallback)]) };
}
