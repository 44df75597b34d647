import type { Actor, Store } from "../store/store.ts";
import { syncOnce, syncRemote, type SyncReport } from "./sync.ts";

export interface AutoSyncOptions {
  store: Store;
  actor: Actor;
  /** Default: `[sync] remote`, else origin. */
  remote?: string;
  /** Default: `[sync] interval` (60 s). */
  intervalMs?: number;
  /** One line per exchange that moved something, and per failure. */
  log: (line: string) => void;
}

export interface AutoSync {
  /** A local commit happened: sync soon (coalesced; a tip this loop itself wrote is ignored). */
  kick(): void;
  /** Stops the timer and waits for a round in flight. */
  stop(): Promise<void>;
}

const KICK_DELAY_MS = 200;

/**
 * `sync.auto = true` (DESIGN §5, §9): `rw sync` every interval and shortly after each local
 * commit, one round at a time. The daemon starts it; a failure (offline, remote down) is logged
 * and retried on the next tick, never fatal. Exported for the daemon: `startAutoSync({ store,
 * actor, log })`, then `kick()` whenever it sees the state ref move.
 */
export function startAutoSync(opts: AutoSyncOptions): AutoSync {
  const { store } = opts;
  const remote = opts.remote ?? syncRemote(store);
  const every = opts.intervalMs ?? store.config.sync.interval_ms;
  let running: Promise<void> = Promise.resolve();
  let lastTip = "";
  let stopped = false;
  let kickTimer: NodeJS.Timeout | undefined;

  const round = async (): Promise<void> => {
    if (stopped) return;
    try {
      const r = await syncOnce(store, remote, opts.actor);
      lastTip = r.tip;
      if (r.action !== "up_to_date") opts.log(describe(r));
    } catch (err) {
      opts.log(`sync with ${remote} failed: ${err instanceof Error ? err.message : String(err)} (retrying in ${Math.round(every / 1000)}s)`);
    }
  };
  const queue = (): void => {
    running = running.then(round);
  };
  const ticker = setInterval(queue, every);
  queue();

  return {
    kick() {
      if (stopped) return;
      clearTimeout(kickTimer);
      kickTimer = setTimeout(() => {
        void store.cat.read(store.ref).then((tip) => {
          if (tip && tip.oid !== lastTip) queue();
        }, () => queue());
      }, KICK_DELAY_MS);
    },
    async stop() {
      stopped = true;
      clearInterval(ticker);
      clearTimeout(kickTimer);
      await running;
    },
  };
}

function describe(r: SyncReport): string {
  const conflicts = r.conflicts.length > 0 ? `; ${r.conflicts.length} conflict(s) resolved` : "";
  return `sync ${r.action.replace("_", "-")} with ${r.remote}: ${r.incoming.length} event(s) in, ${r.outgoing.length} out${conflicts}`;
}
