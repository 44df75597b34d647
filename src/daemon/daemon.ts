import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { decideExpireLeases } from "../domain/decide-lifecycle.ts";
import { RwError } from "../domain/errors.ts";
import { liveAgentSession } from "../store/mirror-agent.ts";
import { mirrorRoot } from "../store/mirror-index.ts";
import { isTaskFileName } from "../store/mirror-files.ts";
import { syncMirror } from "../store/mirror-sync.ts";
import { watchRef } from "../store/ref-watch.ts";
import { rwDir } from "../store/repo.ts";
import type { Actor, Store } from "../store/store.ts";
import type { AutoSync } from "../sync/auto.ts";
import { watchMirror } from "./dir-watch.ts";
import { serveClaims } from "./claim-server.ts";
import { acquireDaemonLock } from "./lock.ts";

export interface DaemonOptions {
  store: Store;
  actor: Actor;
  /** One line per action (committed, refreshed, expired, problem). */
  log: (line: string) => void;
  signal: AbortSignal;
  logFile?: string;
  /** How often the tip and leases are checked when no watcher fired (the watchers make it fast). */
  tickMs?: number;
}

/** Coalesces file events: a burst of saves becomes one round (and one commit). */
const BATCH_MS = 40;
const BATCH_MAX_MS = 250;
/**
 * A round that would see files gone waits until the folder has been quiet this long: `rm -rf
 * .rewind` (or a checkout, a big `rm`) deletes one file at a time, and a round in the middle
 * would read the files deleted so far as cancellations and write the rebuilt folder into the
 * one being removed (its `rmdir` then fails with ENOTEMPTY).
 */
const SETTLE_MS = 750;
const SETTLE_MAX_MS = 30_000;
/** How often everything is stat-checked even though no watcher fired. */
const SCAN_MS = 60_000;
/** The mirror's folders of hand-editable files. */
const MIRRORED = ["tasks", "initiatives"] as const;

/**
 * The daemon (DESIGN §5): watches `.rewind/` (one fs.watch per folder, see dir-watch.ts) and the state ref (fs.watch on the ref's
 * directory and packed-refs, plus a slow poll as a safety net), and runs one sync round at a
 * time; expires leases. Resolves when `signal` aborts.
 */
export async function runDaemon(opts: DaemonOptions): Promise<void> {
  const { store, log } = opts;
  const root = mirrorRoot(store.repo);
  if (!root) throw new RwError("usage", "the daemon needs a work tree: this repository is bare", { hint: "run it in a clone with a work tree" });
  if (process.env.RW_AGENT_SESSION) {
    // The daemon records mirror edits as the human: an agent must not be able to start one.
    throw new RwError("usage", `the daemon cannot run inside an agent session (RW_AGENT_SESSION=${process.env.RW_AGENT_SESSION}): it would record the agent's edits of .rewind/ as the human`, { hint: "start `rw daemon` yourself, outside the agent" });
  }
  if (!(await store.trySnapshot())) throw new RwError("not_initialized", "rw is not initialised in this repository", { hint: "run `rw init`" });
  const release = acquireDaemonLock(rwDir(store.repo), { started_at: store.ctx.now().toISOString(), cwd: store.repo.mainWorktree ?? "", ...(opts.logFile ? { log: opts.logFile } : {}) }, log);
  log(`daemon started (pid ${process.pid}) on ${root}`);
  const hints = new Set<string>();
  let tip = "";
  let full = true;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let firstQueued = 0;
  let retry = false;
  let first = true;
  // Files an agent session changed are held until it ends; then one round restores them.
  let held = false;
  // sync.auto: exchange the state ref with the remote on an interval and after local commits.
  let auto: AutoSync | undefined;

  // When the watcher last saw a file event, and whether the folder had been quiet (SETTLE_MS)
  // when the current round started: deletions are only recorded by a round that began in quiet
  // and saw no event while it looked (see holdDeletions).
  let lastFileEventAt = 0;
  let roundStartedAt = 0;
  let quietAtStart = true;
  // Held at most SETTLE_MAX_MS in a row: a folder that never goes quiet (a busy run's mirror
  // writes) must not keep a real deletion out forever.
  let holdingSince: number | undefined;
  const holdDeletions = async (): Promise<boolean> => {
    await new Promise<void>((resolve) => setImmediate(resolve)); // deliver the watcher's pending events first
    const hold = !quietAtStart || lastFileEventAt >= roundStartedAt;
    if (!hold) return false;
    holdingSince ??= Date.now();
    return Date.now() - holdingSince < SETTLE_MAX_MS;
  };
  const round = async (): Promise<void> => {
    roundStartedAt = Date.now();
    quietAtStart = roundStartedAt - lastFileEventAt >= SETTLE_MS;
    const batch = full ? undefined : new Set(hints);
    const thorough = first;
    first = false;
    full = false;
    hints.clear();
    try {
      const r = await syncMirror(store, { actor: opts.actor, log, thorough, holdDeletions, ...(batch ? { hints: batch } : {}) });
      watcher.ensure(); // a round may have recreated a folder that was removed
      if (r.deferred) {
        full = true; // the batch's hints were used up: look at everything once it is quiet
        schedule(true);
        return;
      }
      holdingSince = undefined;
      if (!r.ran) {
        full = true; // a command held the sync lock: look at everything on the next tick
        retry = true;
      } else {
        held = r.held;
      }
      if (r.ran && r.tip) {
        if (r.tip !== tip) auto?.kick();
        tip = r.tip;
      }
    } catch (err) {
      log(`error: ${err instanceof Error ? err.message : String(err)}`);
      full = true;
      retry = true;
    }
  };
  let settling = false;
  /** Queues a round; `removal` when something was deleted: the round then waits for quiet (SETTLE_MS). */
  const schedule = (removal = false): void => {
    if (opts.signal.aborted) return;
    const now = Date.now();
    if (timer === undefined) firstQueued = now;
    if (removal) settling = true;
    clearTimeout(timer);
    const wait = settling
      ? Math.max(0, Math.min(SETTLE_MS, firstQueued + SETTLE_MAX_MS - now))
      : Math.max(0, Math.min(BATCH_MS, firstQueued + BATCH_MAX_MS - now));
    timer = setTimeout(() => {
      timer = undefined;
      settling = false;
      running = running.then(round);
    }, wait);
  };

  // Watch first, then sync everything: an edit made during the first round is not missed.
  for (const sub of MIRRORED) await mkdir(join(root, sub), { recursive: true });
  const watcher = watchMirror(root, MIRRORED, (sub, name) => {
    if (!isTaskFileName(name)) return; // editor swap files, our own temp files
    lastFileEventAt = Date.now();
    hints.add(`${sub}/${name}`);
    schedule(!existsSync(join(root, sub, name)));
  }, () => {
    // A folder removed or replaced: the removal may still be going on.
    lastFileEventAt = Date.now();
    full = true;
    schedule(true);
  });
  running = running.then(round);
  await running;
  log(`watching .rewind/ (${Object.keys((await store.snapshot()).state.tasks).length} tasks)`);

  if (store.config.sync.auto) {
    const { startAutoSync } = await import("../sync/auto.ts");
    auto = startAutoSync({ store, actor: opts.actor, log });
    log(`auto-sync with ${store.config.sync.remote ?? "origin"} every ${Math.round(store.config.sync.interval_ms / 1000)}s and after each commit`);
  }
  const refWatchers = watchRef(store, () => void checkTip());
  const checkTip = async (): Promise<void> => {
    const now = (await store.cat.read(store.ref).catch(() => null))?.oid;
    if (now && now !== tip) {
      tip = now;
      auto?.kick();
      schedule();
    }
  };
  // The earliest lease on the tip, found once per tip: the check runs every second, and scanning
  // 10,000 tasks each time would be the daemon's only idle work.
  let leasesOf = "";
  let nextExpiry: string | undefined;
  const supervise = async (): Promise<void> => {
    try {
      const snap = await store.snapshot();
      if (snap.tip !== leasesOf) {
        leasesOf = snap.tip;
        nextExpiry = undefined;
        for (const t of Object.values(snap.state.tasks)) {
          if (t.status === "in_progress" && t.lease_until !== undefined && (nextExpiry === undefined || t.lease_until < nextExpiry)) nextExpiry = t.lease_until;
        }
      }
      if (nextExpiry === undefined || nextExpiry > store.ctx.now().toISOString()) return;
      const tx = await store.transact(decideExpireLeases, opts.actor);
      for (const e of tx.events) log(`expired lease ${e.task ?? ""} (${typeof e.data.assignee === "string" ? e.data.assignee : "?"}, lease until ${String(e.data.lease_until)})`);
    } catch (err) {
      log(`error: lease check: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  // `rw claim` through the daemon's socket: run after the work in flight, one transaction at a time.
  const enqueue = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = running.then(fn);
    running = p.then(() => undefined, () => undefined);
    return p;
  };
  const stopClaims = await serveClaims({ store, log, enqueue }).catch((err: unknown) => {
    log(`claims are not served by the daemon: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  });
  let lastScan = Date.now();
  const ticker = setInterval(() => {
    if (retry || Date.now() - lastScan >= SCAN_MS) {
      // A safety net for events the kernel dropped (its queue overflows when thousands of files
      // change at once): a full round costs one stat per file.
      if (!retry) full = true;
      lastScan = Date.now();
      retry = false;
      schedule();
    }
    if (held && !liveAgentSession(store.repo)) {
      held = false;
      full = true;
      schedule();
    }
    void checkTip();
    running = running.then(supervise);
  }, opts.tickMs ?? 1000);

  await new Promise<void>((resolve) => {
    if (opts.signal.aborted) resolve();
    opts.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  clearInterval(ticker);
  clearTimeout(timer);
  await stopClaims?.();
  for (const w of refWatchers) w.close();
  watcher.close();
  await auto?.stop();
  await running;
  release();
  log("daemon stopped");
}
