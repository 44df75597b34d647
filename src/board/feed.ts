import type { FSWatcher } from "node:fs";
import { watchRef } from "../store/ref-watch.ts";
import type { Store } from "../store/store.ts";
import { CardIndex, initiativeViews, sessionViews, totals } from "./cards.ts";
import { BOARD_PROTOCOL, type BoardDelta, type BoardSnapshot } from "./protocol.ts";

/** How often the tip is checked when no watcher fired (fs.watch can miss a rename): "within a second". */
const POLL_MS = 500;

export interface FeedInfo { repo: string; actor: string; statuses: string[]; review: boolean }

type Listener = (event: "delta", data: string) => void;

/**
 * The board's view of the state ref: watches the ref (the same watcher the daemon uses, plus a
 * poll), and on every new tip works out which cards changed and tells every open page. Any
 * writer counts: the CLI, agents in worktrees, MCP, `rw sync`, the daemon, this board.
 */
export class BoardFeed {
  private readonly index = new CardIndex();
  private current: { tip: string; snapshot: BoardSnapshot; json?: string } | undefined;
  private readonly listeners = new Set<Listener>();
  private watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> = Promise.resolve();
  private again = false;
  private busy = false;

  constructor(private readonly store: Store, private readonly info: FeedInfo, private readonly onError: (err: unknown) => void) {}

  async start(): Promise<void> {
    await this.refresh();
    this.watchers = watchRef(this.store, () => void this.check());
    this.timer = setInterval(() => void this.check(), POLL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    for (const w of this.watchers) w.close();
    this.watchers = [];
    this.listeners.clear();
  }

  /** The tip the page was last told about. */
  get tip(): string {
    return this.current?.tip ?? "";
  }

  /** The whole board as JSON (the first message of each event stream), built once per tip. */
  async snapshotJson(): Promise<string> {
    if (!this.current) await this.refresh();
    const cur = this.current!;
    cur.json ??= JSON.stringify(cur.snapshot);
    return cur.json;
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Looks at the tip now (after the board's own write, so its page moves at once). */
  check(): Promise<void> {
    if (this.busy) {
      this.again = true;
      return this.checking;
    }
    this.busy = true;
    this.checking = (async () => {
      try {
        do {
          this.again = false;
          await this.refresh();
        } while (this.again);
      } catch (err) {
        this.onError(err);
      } finally {
        this.busy = false;
      }
    })();
    return this.checking;
  }

  private async refresh(): Promise<void> {
    const head = await this.store.cat.read(this.store.ref).catch(() => null);
    if (head && this.current && head.oid === this.current.tip) return;
    const snap = await this.store.snapshot();
    if (this.current && snap.tip === this.current.tip) return;
    const { all, changed, removed } = this.index.update(snap.state);
    const snapshot: BoardSnapshot = {
      v: BOARD_PROTOCOL, tip: snap.tip, ...this.info, cards: all,
      initiatives: initiativeViews(snap.state), sessions: sessionViews(snap.state), totals: totals(snap.state),
    };
    const prev = this.current;
    this.current = { tip: snap.tip, snapshot };
    if (!prev) return;
    const delta: BoardDelta = {
      v: BOARD_PROTOCOL, tip: snap.tip, from: prev.tip, cards: changed, removed,
      initiatives: snapshot.initiatives, sessions: snapshot.sessions, totals: snapshot.totals,
    };
    const data = JSON.stringify(delta);
    for (const l of this.listeners) l("delta", data);
  }
}
