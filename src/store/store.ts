import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { monotonicFactory } from "ulid";
import type { DecideConfig, Decider } from "../domain/decide.ts";
import { RwError } from "../domain/errors.ts";
import { derivePrefix } from "../domain/ids.ts";
import { defaultConfig, parseConfig, type CoreConfig } from "../format/config.ts";
import { CatFile } from "./git.ts";
import { ObjectWriter } from "./objects.ts";
import { locateRepo, rwDir, type RepoPaths } from "./repo.ts";
import { loadSnapshot, type Snapshot, type SnapshotSource } from "./snapshot.ts";
import { commitTransaction, type TxHooks, type TxOutcome } from "./transact.ts";

/** What the store needs from the process, passed in (STYLE: nothing below cli/ reads process state). */
export interface StoreContext {
  cwd: string;
  env: Record<string, string | undefined>;
  now: () => Date;
}

export interface Actor { name: string; email: string }

/**
 * The library API every surface uses: open a repository, read the folded state, and run a
 * `decide` function as one compare-and-swap commit on the state ref.
 */
export class Store {
  readonly cat: CatFile;
  readonly writer: ObjectWriter;
  readonly oidBytes: number;
  readonly zeroOid: string;
  private readonly newUlid = monotonicFactory();
  private memo: Snapshot | undefined;

  private constructor(readonly repo: RepoPaths, readonly config: CoreConfig, readonly configFile: string | undefined, readonly ctx: StoreContext) {
    this.cat = new CatFile(repo.gitDir);
    this.writer = new ObjectWriter(join(repo.commonDir, "objects"), repo.objectFormat);
    this.oidBytes = repo.objectFormat === "sha256" ? 32 : 20;
    this.zeroOid = "0".repeat(this.oidBytes * 2);
  }

  static async open(ctx: StoreContext): Promise<Store> {
    const repo = await locateRepo(ctx.cwd);
    const { config, file } = await loadConfig(repo);
    return new Store(repo, config, file, ctx);
  }

  get ref(): string {
    return this.config.store.ref;
  }

  get source(): SnapshotSource {
    return { cat: this.cat, ref: this.ref, cacheDir: rwDir(this.repo), oidBytes: this.oidBytes };
  }

  decideConfig(): DecideConfig {
    const name = this.repo.mainWorktree ?? this.repo.commonDir.replace(/\.git$/, "");
    return {
      prefix: this.config.ids.prefix ?? derivePrefix(basename(name)),
      leaseMs: this.config.claims.lease_ms,
      maxRetries: this.config.execution.max_retries,
    };
  }

  /** The state at the tip, or null when `rw init` has not run here. */
  async trySnapshot(): Promise<Snapshot | null> {
    const head = await this.cat.read(this.ref);
    if (!head) return null;
    if (this.memo?.tip === head.oid) return this.memo;
    this.memo = (await loadSnapshot(this.source)) ?? undefined;
    return this.memo ?? null;
  }

  async snapshot(): Promise<Snapshot> {
    const snap = await this.trySnapshot();
    if (!snap) {
      throw new RwError("not_initialized", `rw is not initialised in this repository (no ${this.ref})`, { hint: "run `rw init`" });
    }
    return snap;
  }

  /** Runs `decide` against the tip and commits its events; on a lost race, decides again on the new tip. */
  async transact<R>(decide: Decider<R>, actor: Actor, hooks?: TxHooks): Promise<TxOutcome<R>> {
    return commitTransaction(this, decide, actor, hooks);
  }

  remember(snap: Snapshot): void {
    this.memo = snap;
  }

  nextEventId(ts: string): string {
    return this.newUlid(Date.parse(ts));
  }

  randomBytes(n: number): Uint8Array {
    return randomBytes(n);
  }

  /** A file's text on the tip (e.g. `tasks/rw-7k2f.md`), or null. */
  async readPath(path: string, tip?: string): Promise<string | null> {
    const obj = await this.cat.read(`${tip ?? this.ref}:${path}`);
    return obj && obj.type === "blob" ? obj.data.toString("utf8") : null;
  }

  close(): void {
    this.cat.close();
  }
}

/** `.rewind/config.toml` of this work tree, else of the main work tree, else the defaults. */
async function loadConfig(repo: RepoPaths): Promise<{ config: CoreConfig; file: string | undefined }> {
  for (const dir of [repo.worktree, repo.mainWorktree]) {
    if (!dir) continue;
    const file = join(dir, ".rewind", "config.toml");
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch {
      continue;
    }
    return { config: parseConfig(text, file), file };
  }
  return { config: defaultConfig(), file: undefined };
}
