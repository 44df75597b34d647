import type { AgentConfig } from "../../agents/config.ts";
import type { ProviderSettings } from "../../agents/types.ts";
import { jsonArg } from "../args.ts";
import { withStore } from "../read.ts";
import { defineRw } from "../command.ts";
import { context } from "../context.ts";
import { printJson } from "../output.ts";
import { loadAgentConfig } from "../../agents/load.ts";
import { redact, secretValues } from "../../agents/redact.ts";

type Env = Record<string, string | undefined>;

/** A provider setting for display: inline keys redacted, key variables shown as set / not set, never their values. */
function shown(s: ProviderSettings, env: Env, redact: (t: string) => string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (v === undefined) continue;
    if (k === "api_key") out[k] = "[REDACTED]";
    else if (k === "base_url" && typeof v === "string") out[k] = redact(v);
    else if (k === "command" && typeof v === "string") out[k] = redact(v);
    else out[k] = v;
  }
  if (s.api_key_env) out.api_key_status = env[s.api_key_env] ? "set" : "not set";
  return out;
}

export function redactedConfig(cfg: AgentConfig, env: Env, redact: (t: string) => string): Record<string, unknown> {
  const roles: Record<string, unknown> = {};
  for (const [role, rc] of Object.entries(cfg.roles)) {
    const { fallback, role: _r, ...rest } = rc;
    roles[role] = { ...shown(rest, env, redact), ...(fallback ? { fallback: shown(fallback, env, redact) } : {}) };
  }
  return { profile: cfg.profile, roles, budgets: cfg.budgets, tools: cfg.tools, pricing: cfg.pricing };
}

const flat = (prefix: string, v: unknown, out: string[]): void => {
  if (v !== null && typeof v === "object" && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) flat(prefix ? `${prefix}.${k}` : k, x, out);
  } else out.push(`${prefix} = ${JSON.stringify(v)}`);
};

export default defineRw({
  meta: { name: "show", description: "Print the resolved configuration (defaults, profile and overrides) with secrets redacted" },
  args: { ...jsonArg },
  examples: ["rw config show", "rw config show --json"],
  async run({ args }) {
    const ctx = context();
    await withStore(ctx, async (store) => {
      const secrets = secretValues(ctx.env);
      const cfg = loadAgentConfig(store);
      const core = { file: store.configFile ?? null, store: store.config.store, ids: { prefix: store.decideConfig().prefix }, claims: store.config.claims, execution: store.config.execution };
      const agents = redactedConfig(cfg, ctx.env, (t) => redact(t, secrets));
      if (args.json) return printJson(ctx, { ...core, agents });
      const lines: string[] = [];
      flat("", { ...core, agents: { ...agents, pricing: undefined } }, lines);
      lines.push(`agents.pricing: ${Object.keys(cfg.pricing).length} models (rw config show --json lists them)`);
      ctx.stdout(`${lines.filter((l) => !l.endsWith("= undefined")).join("\n")}\n`);
    });
  },
});
