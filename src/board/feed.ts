import type { FSWatcher } from "node:fs";
import { watchRef } from "../store/ref-watch.ts";
import type { Store } from "../store/store.ts";
import type { Session, State } from "../domain/types.ts";
import { CardIndex } from "./card-index.ts";
import { sessionViews } from "./cards.ts";
import { BOARD_PROTOCOL, type BoardDelta, type BoardSnapshot, type SessionView, type Totals } from "./protocol.ts";

/** How often the tip is checked when no watcher fired (fs.watch can miss a rename): "within a second". */
const POLL_MS = 500;

export interface FeedInfo { repo: string; actor: string; statuses: string[]; review: boolean }

type Listener = (event: "delta", data: string) => void;

/**
 * The board's view of the state ref: watches the ref (the same watcher the daemon uses, plus a
 * poll), and on every new tip works out which cards changed and tells every open page. Any
 * writer counts: the CLI, agents in worktrees, MCP, `rw sync`, the daemon, this board. The store
 * brings its state forward by folding only the new events (a reset or rewritten ref: a replay);
 * the card index then costs what those events touched (card-index.ts), so a claim at 10,000
 * tasks is a delta of one card, worked out in a few ms.
 */
export class BoardFeed {
  private readonly index = new CardIndex();
  private readonly sessions = new SessionList();
  private current: { tip: string; totals: Totals; json?: string } | undefined;
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
    if (cur.json === undefined) {
      const snapshot: BoardSnapshot = {
        v: BOARD_PROTOCOL, tip: cur.tip, ...this.info, cards: this.index.cards(),
        initiatives: this.index.initiativeViews(), sessions: this.sessions.views, totals: cur.totals,
      };
      cur.json = JSON.stringify(snapshot);
    }
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
    // From here to the end nothing awaits: the index, `current` and what the pages were told move together.
    const { changed, removed, initiatives } = this.index.update(snap.state);
    const sessionsChanged = this.sessions.update(snap.state);
    const prev = this.current;
    this.current = { tip: snap.tip, totals: this.index.totals(snap.state) };
    if (!prev) return;
    const delta: BoardDelta = {
      v: BOARD_PROTOCOL, tip: snap.tip, from: prev.tip, cards: changed, removed, totals: this.current.totals,
      ...(initiatives ? { initiatives: this.index.initiativeViews() } : {}),
      ...(sessionsChanged ? { sessions: this.sessions.views } : {}),
    };
    const data = JSON.stringify(delta);
    for (const l of this.listeners) l("delta", data);
  }
}

/** The newest sessions, rebuilt only when a session record changed (most commits touch none). */
class SessionList {
  views: SessionView[] = [];
  private seen = new Map<string, Session>();

  update(state: State): boolean {
    const sessions = state.sessions;
    let same = true;
    let n = 0;
    for (const id in sessions) {
      n++;
      if (this.seen.get(id) !== sessions[id]) same = false;
    }
    if (same && n === this.seen.size) return false;
    this.seen = new Map();
    for (const id in sessions) this.seen.set(id, sessions[id]!);
    this.views = sessionViews(state);
    return true;
  }
}
