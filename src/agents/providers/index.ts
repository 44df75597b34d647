import type { Provider, ProviderName, ProviderSettings } from "../types.ts";

/** What an adapter may need from the world: the repository root (for relative files) and the environment. */
export interface ProviderContext {
  root: string;
  env: Record<string, string | undefined>;
  /** `tools.pass_env`, for the CLI agents' clean environment (secret-env.ts). */
  passEnv?: readonly string[];
}

type Factory = (s: ProviderSettings, ctx: ProviderContext) => Provider | Promise<Provider>;

// Each adapter (and its SDK) is imported only when a role uses it: `rw ready` never pays for them.
const LOADERS: Record<ProviderName, () => Promise<{ create: Factory }>> = {
  anthropic: () => import("./anthropic.ts"),
  openai: () => import("./openai.ts"),
  "claude-code": () => import("./claude-code.ts"),
  codex: () => import("./codex.ts"),
  command: () => import("./command.ts"),
  fake: () => import("./fake.ts"),
};

export async function createProvider(s: ProviderSettings, ctx: ProviderContext): Promise<Provider> {
  const mod = await LOADERS[s.provider]();
  return mod.create(s, ctx);
}
