import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { monotonicFactory } from "ulid";
import type { DecideConfig, Decider } from "../domain/decide.ts";
import { RwError } from "../domain/errors.ts";
import { derivePrefix } from "../domain/ids.ts";
import { carryReadyMemo, newReadyMemo, type ReadyMemo } from "../domain/ready-memo.ts";
import { ViewIndex } from "../views/view-index.ts";
import { RESOLUTION_TYPES } from "../domain/fold.ts";
import { lookup, type Task } from "../domain/types.ts";
import { isLazyRecord, plainRecord } from "../domain/lazy-record.ts";
import { readReadyMemo, sameOrder, type ReadyViewRef } from "./ready-cache.ts";
import { DEFAULT_REF, defaultConfig, parseConfig, type CoreConfig } from "../format/config.ts";
import { CatFile, OBJECT_ID, type GitObject } from "./git.ts";
import { ObjectWriter, parseCommitTree } from "./objects.ts";
import { Maintenance } from "./maintenance.ts";
import { checkStateRefIsOwn, locateRepo, missingStateError, refTarget, rwDir, type RepoPaths } from "./repo.ts";
import { loadSnapshot, type Snapshot, type SnapshotSource } from "./snapshot.ts";
import { RefUpdater } from "./ref-store.ts";
import { commitTransaction, type TxHooks, type TxOutcome } from "./transact.ts";
import { taskPath } from "./layout.ts";
import { readAtPath } from "./tree-write.ts";
import { readRefFiles } from "./ref-local.ts";

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
  readonly refs: RefUpdater;
  /** Packs rw's loose objects every few commits (maintenance.ts). */
  readonly maintenance: Maintenance;
  private memo: Snapshot | undefined;
  /** Ranking work valid for `memo` (domain/ready-memo.ts). */
  readyMemo = newReadyMemo();
  /**
   * Whether this store's ready memo came from a ready view on disk (store/ready-cache.ts): then
   * a write saves the view of its new tip too, so the next one-shot `rw claim --next` or
   * `rw ready` need not rank again. Decided at a store's first write (undefined before); a
   * long-lived store keeps its memo in memory after that (false).
   */
  readyViewChain: boolean | undefined;
  /** The ready view that memo came from, while the chain holds: the next view is saved as a patch of it. */
  readyView: ReadyViewRef | undefined;
  /** Tasks other writers changed since `readyView`'s tip (their rows go into the patch too). */
  readonly readyViewChanged = new Set<string>();
  /** STATE.md's and BOARD.md's index of `memo`'s tasks (views/view-index.ts), carried across this store's writes. */
  viewIndex: ViewIndex | undefined;
  /** Whether `memo` was handed to a caller: until it is, a transaction may update it in place. */
  private memoShared = false;
  /** Transactions of this store run one after another (they would only lose CAS races to each other). */
  private txChain: Promise<unknown> = Promise.resolve();

  private constructor(readonly repo: RepoPaths, readonly config: CoreConfig, readonly configFile: string | undefined, readonly ctx: StoreContext) {
    // Loose objects are read in-process from where rw writes them (GIT_OBJECT_DIRECTORY set: git decides).
    this.cat = new CatFile(repo.gitDir, process.env.GIT_OBJECT_DIRECTORY ? undefined : join(repo.commonDir, "objects"));
    this.writer = new ObjectWriter(join(repo.commonDir, "objects"), repo.objectFormat);
    this.refs = new RefUpdater(repo.gitDir, repo.commonDir);
    this.maintenance = new Maintenance(repo.commonDir, rwDir(repo));
    this.oidBytes = repo.objectFormat === "sha256" ? 32 : 20;
    this.zeroOid = "0".repeat(this.oidBytes * 2);
  }

  static async open(ctx: StoreContext): Promise<Store> {
    const repo = await locateRepo(ctx.cwd);
    const { config, file } = await loadConfig(repo);
    // A custom ref costs one check per command; the default one is rw's by name.
    if (config.store.ref !== DEFAULT_REF) await checkStateRefIsOwn(repo, config.store.ref, file ?? ".rewind/config.toml");
    return new Store(repo, config, file, ctx);
  }

  get ref(): string {
    return this.config.store.ref;
  }

  get source(): SnapshotSource {
    return { cat: this.cat, ref: this.ref, cacheDir: rwDir(this.repo), oidBytes: this.oidBytes, commonDir: this.repo.commonDir };
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
    const snap = await this.current();
    this.memoShared = true;
    return snap;
  }

  /**
   * The state at the tip for a transaction, and whether nobody else holds it (then the
   * transaction may fold its events into it in place instead of copying 10,000 tasks).
   */
  async writable(): Promise<{ snap: Snapshot | null; owned: boolean }> {
    const snap = await this.current();
    if (snap) {
      this.takeDerived(snap, true);
    }
    const owned = snap !== null && !this.memoShared;
    // Detached while the transaction may fold into it: a concurrent reader loads the committed
    // state from the index instead of seeing events that are not committed yet.
    if (owned) this.memo = undefined;
    return { snap, owned };
  }

  /** Gives back a snapshot taken by writable() that the transaction left unchanged. */
  release(snap: Snapshot): void {
    if (this.memo === undefined) this.memo = snap;
  }

  private async current(): Promise<Snapshot | null> {
    // The snapshot in memory is brought forward when another writer moved the tip (a lost race).
    const prev = this.memo;
    this.memo = (await loadSnapshot(this.source, this.memo)) ?? undefined;
    if (this.memo === undefined) await this.checkNotMissing();
    if (this.memo !== prev) {
      this.memoShared = false;
      this.carryDerived(prev, this.memo);
    }
    return this.memo ?? null;
  }

  /**
   * The ranking work and view index kept for `prev`, brought to `next`: carried over the tasks
   * another writer's events changed when `next` was folded from `prev` in memory (a lost race, a
   * writer queued behind others), else dropped. So a writer that loaded its state before taking
   * the lock (`prefetch`) re-reads only the commits that landed meanwhile.
   */
  private carryDerived(prev: Snapshot | undefined, next: Snapshot | undefined): void {
    const step = next?.forwardFrom;
    const events = step && prev && step.tip === prev.tip ? step.events : undefined;
    if (!events || events.some((e) => RESOLUTION_TYPES.has(e.type))) {
      this.readyMemo = newReadyMemo();
      this.viewIndex = undefined;
      this.readyView = undefined;
      return;
    }
    const changed = new Map<string, readonly [Task | undefined, Task | undefined]>();
    for (const e of events) if (e.task && !changed.has(e.task)) changed.set(e.task, [lookup(prev!.state.tasks, e.task), lookup(next!.state.tasks, e.task)]);
    this.viewIndex?.update(changed.values());
    const graph = this.viewIndex?.bind(next!.state);
    this.readyMemo = carryReadyMemo(this.readyMemo, changed.values(), events.some((e) => !e.task), graph && { state: next!.state, graph });
    if (this.readyView && sameOrder(this.readyMemo.order, this.readyView.order)) for (const id of changed.keys()) this.readyViewChanged.add(id);
    else this.readyView = undefined;
  }

  /** No tip: either the ref does not exist (not initialised) or it names a commit that is gone. */
  async checkNotMissing(): Promise<void> {
    const oid = await refTarget(this.repo, this.ref);
    if (oid !== undefined) throw missingStateError(this.ref, oid);
  }

  /**
   * Loads the state ahead of time (e.g. while the actor is looked up) without handing it out,
   * with what a write derives from it (the ready order kept beside the index, the view index):
   * done before the transaction lock, so a writer queued behind others does it while they commit.
   */
  async prefetch(): Promise<void> {
    const snap = await this.current();
    if (!snap) return;
    this.takeDerived(snap, false);
    (this.viewIndex ??= ViewIndex.build(snap.state)).bind(snap.state);
  }

  /**
   * Before a write: the view index and ready order restored with `snap` move to this store (it
   * updates them in place); else the ready order an earlier command saved beside the index for
   * this tip (loadReadyView). Tasks are decoded at once when a ranking or a build will read them all.
   */
  private takeDerived(snap: Snapshot, final: boolean): void {
    const kept = snap.derived?.() ?? {};
    snap.derived = undefined;
    if (!this.viewIndex && kept.index) this.viewIndex = kept.index;
    if (kept.readyMemo && this.readyMemo.uses === 0) [this.readyMemo, this.readyViewChain] = [kept.readyMemo, false];
    this.loadReadyView(snap, final);
    if (!this.viewIndex || !this.readyMemo.order) this.plainTasks(snap);
    this.viewIndex?.bind(snap.state);
  }

  /**
   * A write that builds the view index or ranks the ready list reads every task: then the
   * index's lazily decoded tasks (domain/lazy-record.ts) are decoded at once into a plain record,
   * which the many lookups of a ranking reach without a Proxy trap each. A write that has both
   * (restored from the index file, a saved ready order) decodes only what it touches. Only while
   * nobody else holds this state: a caller's reference stays the same (equal) record.
   */
  private plainTasks(snap: Snapshot): void {
    if (!this.memoShared && isLazyRecord(snap.state.tasks)) snap.state.tasks = plainRecord(snap.state.tasks);
  }

  /**
   * At a store's first write: the ready order an earlier command kept for this tip, if any.
   * `final`: under the transaction lock. Before it (prefetch) the writer of this tip may not have
   * saved its view yet: not finding one then decides nothing, the lock's turn looks again.
   */
  private loadReadyView(snap: Snapshot, final: boolean): void {
    if (this.readyViewChain !== undefined || this.readyMemo.uses !== 0) return;
    const fromView = readReadyMemo(rwDir(this.repo), this.ref, snap.tip);
    if (fromView) [this.readyMemo, this.readyView] = [fromView.memo, fromView.view];
    this.readyViewChanged.clear();
    if (fromView || final) this.readyViewChain = fromView !== undefined;
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
    const run = this.txChain.then(() => commitTransaction(this, decide, actor, hooks));
    this.txChain = run.catch(() => undefined);
    return run;
  }

  /** The state after this process's own write, with the ranking work and view index still valid for it (default: none). */
  remember(snap: Snapshot, readyMemo: ReadyMemo = newReadyMemo(), viewIndex?: ViewIndex): void {
    this.memo = snap;
    this.memoShared = false;
    this.readyMemo = readyMemo;
    this.viewIndex = viewIndex;
  }

  nextEventId(ts: string): string {
    // One transaction's events share one time: parse it once (an import makes 30,000 IDs).
    if (ts !== this.lastIdTs) [this.lastIdTs, this.lastIdMs] = [ts, Date.parse(ts)];
    return this.newUlid(this.lastIdMs);
  }

  private lastIdTs = "";
  private lastIdMs = 0;

  randomBytes(n: number): Uint8Array {
    return randomBytes(n);
  }

  /** The tip commit, or null: the loose ref file read directly when there is one (no round trip to git). */
  async tipCommit(): Promise<GitObject | null> {
    return this.cat.read(readRefFiles(this.repo.commonDir, this.ref) ?? this.ref);
  }

  /** A file's text on the tip or the commit `tip` (e.g. `tasks/rw-7k2f.md`), or null; read by object ID, so loose objects need no git. */
  async readPath(path: string, tip?: string): Promise<string | null> {
    if (tip !== undefined && !OBJECT_ID.test(tip)) return blobText(await this.cat.read(`${tip}:${path}`));
    const commit = tip === undefined ? await this.tipCommit() : await this.cat.read(tip);
    return blobText(commit?.type === "commit" ? await readAtPath(this.cat, parseCommitTree(commit.data), path, this.oidBytes) : null);
  }

  /** A task's file on the tip, wherever the tip's layout keeps it (`tasks/<id>.md` or fanned out), or null. */
  async readTaskFile(id: string, tip?: string): Promise<string | null> {
    return (await this.readPath(taskPath(id, false), tip)) ?? (await this.readPath(taskPath(id, true), tip));
  }

  close(): void {
    this.cat.close();
    this.refs.close();
  }
}

/** `.rewind/config.toml` of this work tree, else of the main work tree, else the defaults. */
async function loadConfig(repo: RepoPaths): Promise<{ config: CoreConfig; file: string | undefined }> {
  for (const dir of [repo.worktree, repo.mainWorktree]) {
    if (!dir) continue;
    const file = join(dir, ".rewind", "config.toml");
    let text: string;
    try {
      text = readFileSync(file, "utf8"); // a few hundred bytes: node:fs/promises (with streams and readline under it) costs more to load
    } catch {
      continue;
    }
    return { config: parseConfig(text, file), file };
  }
  return { config: defaultConfig(), file: undefined };
}

const blobText = (obj: GitObject | null): string | null => (obj && obj.type === "blob" ? obj.data.toString("utf8") : null);
