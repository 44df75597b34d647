import type { RoleConfig } from "./config.ts";
import { redact, secretValues } from "./redact.ts";
import { cliAgentEnv } from "./secret-env.ts";
import { createProvider, type ProviderContext } from "./providers/index.ts";
import {
  ProviderError, type ChatRequest, type ChatResponse, type CliRunRequest, type CliRunResult, type Progress, type Provider, type ProviderSettings,
} from "./types.ts";

type Outcome<T> = { response: T; settings: ProviderSettings } | { error: string; settings: ProviderSettings };

/**
 * Calls a role's provider and, when it fails with a rate limit, a 5xx answer or an outage (after
 * the SDK's own retries with backoff), switches to the role's fallback provider for the rest of
 * the session. A bad request or a missing key is not retried elsewhere: the fallback would not fix it.
 */
export class ProviderCaller {
  private readonly cache = new Map<ProviderSettings, Promise<Provider>>();
  active: ProviderSettings;

  constructor(private readonly role: RoleConfig, private readonly ctx: ProviderContext, private readonly onProgress?: (p: Progress) => void) {
    this.active = role;
  }

  private get(s: ProviderSettings): Promise<Provider> {
    let p = this.cache.get(s);
    if (!p) {
      p = createProvider(s, this.ctx);
      this.cache.set(s, p);
    }
    return p;
  }

  primary(): Promise<Provider> {
    return this.get(this.role);
  }

  chat(req: ChatRequest): Promise<Outcome<ChatResponse>> {
    return this.attempt(async (p) => {
      if (p.kind !== "chat") throw new ProviderError(p.name, "bad_request", `the fallback ${p.name} is a CLI agent; a chat provider cannot hand over to it mid-session`);
      return p.chat(req);
    });
  }

  run(req: CliRunRequest): Promise<Outcome<CliRunResult>> {
    return this.attempt(async (p) => {
      if (p.kind !== "cli") throw new ProviderError(p.name, "bad_request", `the fallback ${p.name} is not a CLI agent`);
      return p.run({ ...req, env: cliAgentEnv(req.env, p.settings, this.ctx.passEnv) }); // exactly what its provider needs
    });
  }

  private async attempt<T>(fn: (p: Provider) => Promise<T>): Promise<Outcome<T>> {
    const secrets = secretValues(this.ctx.env);
    for (;;) {
      const settings = this.active;
      try {
        return { response: await fn(await this.get(settings)), settings };
      } catch (err) {
        if (!(err instanceof ProviderError)) throw err;
        const message = redact(err.message, secrets);
        const fb = this.role.fallback;
        if (err.retryable && fb && settings !== fb) {
          this.onProgress?.({ type: "note", text: `${settings.provider} failed (${message}); falling back to ${fb.provider} ${fb.model}` });
          this.active = fb;
          continue;
        }
        return { error: `${settings.provider}: ${message}`, settings };
      }
    }
  }
}
