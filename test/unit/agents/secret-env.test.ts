import { describe, expect, it } from "vitest";
import { agentSecretOptions, cliAgentEnv, secretFreeEnv } from "../../../src/agents/secret-env.ts";
import { resolveAgentConfig } from "../../../src/agents/config.ts";

const env = {
  PATH: "/usr/bin", HOME: "/home/u", LANG: "C.UTF-8", CI: "1",
  ANTHROPIC_API_KEY: "sk-ant-aaaaaaaaaaaa", OPENAI_API_KEY: "sk-bbbbbbbbbbbbbbbbbbbb", GITHUB_TOKEN: "ghp_x", NPM_TOKEN: "npm_x",
  AWS_SECRET_ACCESS_KEY: "aws", DB_PASSWORD: "pw", SSH_AUTH_SOCK: "/tmp/agent.sock", GOOGLE_APPLICATION_CREDENTIALS: "/k.json",
  DATABASE_URL: "postgres://app:hunter2@db/app", PLAIN_URL: "https://example.com/x", MY_LLM: "custom-key-value",
};

describe("secretFreeEnv: what gates, run_command and hooks are started with", () => {
  it("drops provider keys and secret-named variables, keeps the ordinary ones", () => {
    const out = secretFreeEnv(env);
    expect(Object.keys(out).sort()).toEqual(["CI", "HOME", "LANG", "MY_LLM", "PATH", "PLAIN_URL"]);
  });

  it("drops configured key variables whatever they are called, and lets tools.pass_env through", () => {
    const out = secretFreeEnv(env, { keyVars: ["MY_LLM"], passEnv: ["NPM_TOKEN"] });
    expect(out.MY_LLM).toBeUndefined();
    expect(out.NPM_TOKEN).toBe("npm_x");
    expect(out.GITHUB_TOKEN).toBeUndefined();
  });

  it("reads the key variables and pass_env from the agent configuration", () => {
    const cfg = resolveAgentConfig({ roles: { worker: { provider: "openai", model: "m", api_key_env: "MY_LLM" } }, tools: { pass_env: ["DB_PASSWORD"] } });
    const out = secretFreeEnv(env, agentSecretOptions(cfg));
    expect(out.MY_LLM).toBeUndefined();
    expect(out.DB_PASSWORD).toBe("pw");
  });
});

describe("cliAgentEnv: a CLI agent gets exactly what its provider needs", () => {
  const settings = { provider: "claude-code" as const, model: "sonnet", max_tokens: 1, retries: 0 };
  it("claude gets the Anthropic key but not OpenAI's, GitHub's or the database password", () => {
    const out = cliAgentEnv(env, settings);
    expect(out.ANTHROPIC_API_KEY).toBe("sk-ant-aaaaaaaaaaaa");
    expect(out.OPENAI_API_KEY).toBeUndefined();
    expect(out.GITHUB_TOKEN).toBeUndefined();
    expect(out.DATABASE_URL).toBeUndefined();
    expect(out.PATH).toBe("/usr/bin");
  });

  it("codex gets the OpenAI key; a command agent its own api_key_env; an inline key is handed over", () => {
    expect(cliAgentEnv(env, { provider: "codex", model: "m", max_tokens: 1, retries: 0 }).OPENAI_API_KEY).toBe("sk-bbbbbbbbbbbbbbbbbbbb");
    expect(cliAgentEnv(env, { provider: "codex", model: "m", max_tokens: 1, retries: 0 }).ANTHROPIC_API_KEY).toBeUndefined();
    expect(cliAgentEnv(env, { provider: "command", model: "m", max_tokens: 1, retries: 0, api_key_env: "MY_LLM" }).MY_LLM).toBe("custom-key-value");
    expect(cliAgentEnv({}, { provider: "command", model: "m", max_tokens: 1, retries: 0, api_key_env: "AIDER_KEY", api_key: "inline" }).AIDER_KEY).toBe("inline");
  });
});
