import { existsSync } from "node:fs";
import { execa } from "execa";
import { expandDir, type AccountRotation } from "./accounts.ts";
import { priceOf, type AgentConfig } from "./config.ts";
import { createProvider } from "./providers/index.ts";
import { agentSecrets, redact, short } from "./redact.ts";
import { apiKeyOf, ROLES, type ProviderSettings, type Role } from "./types.ts";

export interface CheckLine {
  role: Role;
  which: "primary" | "fallback";
  provider: string;
  model: string;
  ok: boolean;
  detail: string;
  warnings: string[];
}

async function httpCheck(url: string, headers: Record<string, string>): Promise<{ ok: boolean; detail: string }> {
  try {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
    if (res.ok) return { ok: true, detail: `reachable (${url} answered ${res.status})` };
    if (res.status === 401 || res.status === 403) return { ok: false, detail: `the API key was refused (${res.status} from ${url})` };
    return { ok: false, detail: `${url} answered ${res.status}` };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return { ok: false, detail: `cannot reach ${url}: ${cause ?? (err as Error).message}` };
  }
}

/** One provider setting: keys present, endpoint answering, CLI installed and answering --version. */
async function checkOne(s: ProviderSettings, env: Record<string, string | undefined>, root: string): Promise<{ ok: boolean; detail: string }> {
  const key = apiKeyOf(s, env);
  switch (s.provider) {
    case "anthropic": {
      if (!key) return { ok: false, detail: `no API key: ${s.api_key_env ?? "ANTHROPIC_API_KEY"} is not set` };
      const base = (s.base_url ?? env.ANTHROPIC_BASE_URL ?? "https://api.anthropic.com").replace(/\/+$/, "");
      return httpCheck(`${base}/v1/models`, { "x-api-key": key, "anthropic-version": "2023-06-01" });
    }
    case "openai": {
      if (!key && !s.base_url) return { ok: false, detail: `no API key: ${s.api_key_env ?? "OPENAI_API_KEY"} is not set (or set base_url for a local server)` };
      const base = (s.base_url ?? "https://api.openai.com/v1").replace(/\/+$/, "");
      return httpCheck(`${base}/models`, key ? { authorization: `Bearer ${key}` } : {});
    }
    case "fake": {
      await createProvider(s, { root, env });
      return { ok: true, detail: s.script ? `script ${s.script} loads` : "built-in script" };
    }
    default: {
      const p = await createProvider(s, { root, env });
      if (p.kind !== "cli") return { ok: true, detail: "" };
      const { file, args } = p.versionCommand();
      const r = await execa(file, args, { reject: false, timeout: 10_000, env, extendEnv: false });
      const code = (r as { code?: string }).code;
      if (code === "ENOENT") return { ok: false, detail: `${file} not found on PATH` };
      if (r.exitCode !== 0) return { ok: false, detail: `${file} ${args.join(" ")} exited ${r.exitCode ?? "?"}: ${short(String(r.stderr || r.stdout), 120)}` };
      return { ok: true, detail: `${file} ${short(String(r.stdout).split("\n")[0] ?? "", 80)}` };
    }
  }
}

/**
 * `rw config check`: can every role's provider (and fallback) be reached, and is every model
 * priced? `only` limits it to the roles a caller will use (`rw run`'s preflight: no request to
 * the planner's endpoint for a run that never plans).
 */
export async function checkAgents(cfg: AgentConfig, env: Record<string, string | undefined>, root: string, only: readonly Role[] = ROLES): Promise<CheckLine[]> {
  const secrets = agentSecrets(cfg, env);
  const jobs: Promise<CheckLine>[] = [];
  for (const role of ROLES.filter((r) => only.includes(r))) {
    const rc = cfg.roles[role];
    for (const [which, s] of [["primary", rc], ["fallback", rc.fallback]] as const) {
      if (!s) continue;
      jobs.push((async () => {
        const warnings: string[] = [];
        if (!priceOf(cfg, s.model) && (s.provider === "anthropic" || s.provider === "openai")) {
          warnings.push(`no price for ${s.model}: budgets cannot count its cost (add [pricing."${s.model}"])`);
        }
        const r = await checkOne(s, env, root).catch((err: unknown) => ({ ok: false, detail: (err as Error).message }));
        return { role, which, provider: s.provider, model: s.model, ok: r.ok, detail: redact(r.detail, secrets), warnings };
      })());
    }
  }
  return Promise.all(jobs);
}

export interface AccountLine {
  name: string;
  config_dir: string;
  /** The roles that rotate through it. */
  roles: Role[];
  exists: boolean;
  resting_until?: string | undefined;
  reason?: string | undefined;
}

/** `rw config check`: each CLI account, whether its config directory exists, and whether it rests after a limit. */
export async function checkAccounts(cfg: AgentConfig, env: Record<string, string | undefined>, root: string, rotation: AccountRotation): Promise<AccountLine[]> {
  const rests = await rotation.rests();
  const now = Date.now();
  return Object.values(cfg.accounts).map((acc) => {
    const dir = expandDir(acc.config_dir, env, root);
    const rest = rests[acc.name];
    const roles = ROLES.filter((r) => cfg.roles[r].accounts?.includes(acc.name) || cfg.roles[r].fallback?.accounts?.includes(acc.name));
    return {
      name: acc.name, config_dir: dir, roles, exists: existsSync(dir),
      ...(rest && rest.until > now ? { resting_until: new Date(rest.until).toISOString(), reason: rest.reason } : {}),
    };
  });
}
