import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join } from "node:path";
import { rwDir } from "../store/repo.ts";
import type { Store } from "../store/store.ts";
import type { AccountConfig, AgentConfig } from "./config.ts";

/** An account that hit a usage or rate limit, and when it may be used again. */
export interface AccountRest {
  until: number;
  reason: string;
}

/** A limit that does not say when it lifts rests the account this long. */
export const DEFAULT_REST_MS = 60 * 60 * 1000;

/** `~/x` and relative paths from config.toml, as the CLI will read them. */
export function expandDir(dir: string, env: Record<string, string | undefined>, root: string): string {
  if (dir === "~" || dir.startsWith("~/")) return join(env.HOME ?? "", dir.slice(1));
  return isAbsolute(dir) ? dir : join(root, dir);
}

/**
 * Rotation between a role's CLI accounts (ccswitch-style). The first listed account that is not
 * resting runs the next session; one that reports a limit rests until the limit's reset time.
 * Rests are kept in a small file beside the repository's other local state (they belong to
 * this machine's logins, not to the shared log), so a later `rw run` respects them too.
 */
export class AccountRotation {
  private memory: Record<string, AccountRest> = {};

  constructor(private readonly file: string | undefined, private readonly now: () => number = Date.now) {}

  async rests(): Promise<Record<string, AccountRest>> {
    if (!this.file) return { ...this.memory };
    try {
      const parsed = JSON.parse(await readFile(this.file, "utf8")) as unknown;
      return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, AccountRest>) : {};
    } catch {
      return {};
    }
  }

  /** The account to use now, or the earliest time one comes back. */
  async pick(names: readonly string[]): Promise<{ name: string } | { resting_until: number }> {
    const rests = await this.rests();
    const now = this.now();
    for (const name of names) if (!rests[name] || rests[name].until <= now) return { name };
    return { resting_until: Math.min(...names.map((n) => rests[n]?.until ?? now)) };
  }

  async rest(name: string, until: number | undefined, reason: string): Promise<AccountRest> {
    const rest: AccountRest = { until: until && until > this.now() ? until : this.now() + DEFAULT_REST_MS, reason };
    if (!this.file) {
      this.memory[name] = rest;
      return rest;
    }
    const rests = await this.rests();
    rests[name] = rest;
    await mkdir(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(rests, null, 2)}\n`);
    await rename(tmp, this.file);
    return rest;
  }
}

/** The environment that points a CLI at one account's login. */
export function accountEnv(acc: AccountConfig, env: Record<string, string | undefined>, root: string): Record<string, string | undefined> {
  return { ...env, CLAUDE_CONFIG_DIR: expandDir(acc.config_dir, env, root) };
}

/** A role's accounts and their rests: beside the repository's local state, or in memory without a store (library use). */
export function accountChoice(config: AgentConfig, store: Store | undefined): { configs: Record<string, AccountConfig>; rotation: AccountRotation } | undefined {
  if (Object.keys(config.accounts).length === 0) return undefined;
  return { configs: config.accounts, rotation: new AccountRotation(store ? join(rwDir(store.repo), "account-rests.json") : undefined) };
}
