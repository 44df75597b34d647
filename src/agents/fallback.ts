import { accountEnv, type AccountRotation } from "./accounts.ts";
import type { AccountConfig, RoleConfig } from "./config.ts";
import { redact, secretValues } from "./redact.ts";
import { cliAgentEnv } from "./secret-env.ts";
import { createProvider, type ProviderContext } from "./providers/index.ts";
import {
  ProviderError, type ChatRequest, type ChatResponse, type CliRunRequest, type CliRunResult, type PartialWork, type Progress, type Provider, type ProviderSettings,
} from "./types.ts";

/** Called with the work a failed call had done (its tokens, a CLI's tool calls) before anything else is tried. */
export type OnPartial = (settings: ProviderSettings, partial: PartialWork, account: string | undefined) => Promise<void>;

/** A role's CLI accounts and where their rests are kept. */
export interface AccountChoice {
  configs: Record<string, AccountConfig>;
  rotation: AccountRotation;
}

type Outcome<T> = { response: T; settings: ProviderSettings } | { error: string; settings: ProviderSettings };

/**
 * Calls a role's provider and, when it fails with a rate limit, a 5xx answer or an outage (after
 * the SDK's own retries with backoff), switches to the role's fallback provider for the rest of
 * the session. A bad request or a missing key is not retried elsewhere: the fallback would not fix it.
 */
export class ProviderCaller {
  private readonly cache = new Map<ProviderSettings, Promise<Provider>>();
  active: ProviderSettings;

  onPartial?: OnPartial | undefined;
  /** The account the last CLI run used (by name), when the role rotates accounts. */
  account: string | undefined;
  accounts?: AccountChoice | undefined;

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

  /** Secret values no message may show: the environment's and any inline api_key of this role. */
  secrets(): string[] {
    const keys = [this.role, this.role.fallback].flatMap((s) => [s?.api_key, s?.api_key_env ? this.ctx.env[s.api_key_env] : undefined]);
    return [...secretValues(this.ctx.env), ...keys.filter((k): k is string => typeof k === "string" && k.length >= 8)];
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
      const clean = { ...req, env: cliAgentEnv(req.env, p.settings, this.ctx.passEnv) }; // exactly what its provider needs
      this.account = undefined;
      const names = p.settings.accounts ?? [];
      if (names.length === 0 || !this.accounts) return p.run(clean);
      return this.runWithAccounts(p.run.bind(p), p.settings, names, clean, this.accounts);
    });
  }

  /**
   * Runs on the first account that is not resting; one that reports a usage or rate limit rests
   * until the limit's reset time (what it did is recorded first) and the next account goes on.
   * When every account rests, the limit stands and the role's fallback, if any, takes over.
   */
  private async runWithAccounts(run: (r: CliRunRequest) => Promise<CliRunResult>, s: ProviderSettings, names: string[], req: CliRunRequest, choice: AccountChoice): Promise<CliRunResult> {
    for (;;) {
      const picked = await choice.rotation.pick(names);
      if (!("name" in picked)) {
        const err = new ProviderError(s.provider, "rate_limit", `every account of ${s.provider} (${names.join(", ")}) is resting until ${new Date(picked.resting_until).toISOString()}`);
        err.reset_at = picked.resting_until;
        throw err;
      }
      const acc = choice.configs[picked.name]!;
      this.account = acc.name;
      try {
        return await run({ ...req, env: accountEnv(acc, req.env, this.ctx.root) });
      } catch (err) {
        if (!(err instanceof ProviderError) || err.kind !== "rate_limit") throw err;
        if (err.partial && this.onPartial) await this.onPartial(s, err.partial, acc.name);
        err.partial = undefined;
        const rest = await choice.rotation.rest(acc.name, err.reset_at, redact(err.message, this.secrets()));
        this.onProgress?.({ type: "note", text: `account ${acc.name} hit a limit; resting until ${new Date(rest.until).toISOString()}` });
      }
    }
  }

  private async attempt<T>(fn: (p: Provider) => Promise<T>): Promise<Outcome<T>> {
    const secrets = this.secrets();
    for (;;) {
      const settings = this.active;
      try {
        return { response: await fn(await this.get(settings)), settings };
      } catch (err) {
        if (!(err instanceof ProviderError)) throw err;
        if (err.partial && this.onPartial) await this.onPartial(settings, err.partial, this.account);
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
