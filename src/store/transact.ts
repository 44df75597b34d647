import type { DecideContext, Decider } from "../domain/decide.ts";
import { RwError } from "../domain/errors.ts";
import { settle } from "../domain/settle.ts";
import type { RwEvent, State } from "../domain/types.ts";
import { eventLine, shardOf } from "../format/event-line.ts";
import { renderChanged } from "./layout.ts";
import { parseTree, serializeCommit } from "./objects.ts";
import { compareAndSwap } from "./ref-store.ts";
import { saveSnapshot, type Snapshot } from "./snapshot.ts";
import type { ShardMark } from "./state-cache.ts";
import type { Actor, Store } from "./store.ts";
import { writeTreeWithChanges, type FileChanges } from "./tree-write.ts";

export interface TxOutcome<R> {
  result: R;
  events: RwEvent[];
  /** The new tip, or null when the decision changed nothing. */
  commit: string | null;
  attempts: number;
}

const MAX_ATTEMPTS = 200;

/** Event time: the clock, but never at or before the newest event, so log order stays (ts, id) order. */
export function eventTime(clock: Date, lastTs: string): string {
  const now = clock.getTime();
  const last = lastTs === "" ? 0 : Date.parse(lastTs);
  return new Date(Math.max(now, last + 1)).toISOString();
}

function commitMessage(summary: string, events: RwEvent[], actor: string): string {
  const trailers = events.map((e) => `Rewind-Event: ${e.id} ${e.type}`);
  return `${summary.replace(/\n/g, " ")}\n\n${trailers.join("\n")}\nRewind-Actor: ${actor}\n`;
}

/**
 * Optional steps around the compare-and-swap, for writes that must also win somewhere else
 * first (`sync.claims = "remote"`): `prepare` brings the ref up to date before each attempt;
 * `publish` offers the built commit (child of `parent`) and returns false when it lost there,
 * which counts as a lost race: decide again on a fresh tip.
 */
export interface TxHooks {
  prepare?: () => Promise<void>;
  publish?: (commit: string, parent: string) => Promise<boolean>;
}

export async function commitTransaction<R>(store: Store, decide: Decider<R>, actor: Actor, hooks: TxHooks = {}): Promise<TxOutcome<R>> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    await hooks.prepare?.();
    const snap = await store.snapshot();
    const now = eventTime(store.ctx.now(), snap.state.last_ts);
    const ctx: DecideContext = {
      actor: actor.name,
      now,
      nextEventId: () => store.nextEventId(now),
      randomBytes: (n) => store.randomBytes(n),
      config: store.decideConfig(),
    };
    // settle: the command's events plus what follows from them (phase and initiative completion).
    const { decision, state } = settle(decide, snap.state, ctx);
    if (decision.events.length === 0) return { result: decision.result, events: [], commit: null, attempts: attempt };
    const { changes, shards } = await buildChanges(store, snap, state, decision.events);
    const tree = await writeTreeWithChanges(store.cat, store.writer, snap.tree, changes, store.oidBytes);
    const when = new Date(now);
    const sig = { name: actor.name, email: actor.email, when };
    const commit = await store.writer.write("commit", serializeCommit({
      tree, parents: [snap.tip], author: sig, committer: sig, message: commitMessage(decision.summary, decision.events, actor.name),
    }));
    const published = hooks.publish ? await hooks.publish(commit, snap.tip) : undefined;
    if (published === false) {
      await backoff(attempt);
      continue;
    }
    const moved = await compareAndSwap(store.repo.gitDir, store.ref, commit, snap.tip, store.zeroOid, `rw: ${decision.summary}`);
    // Once published the write counts even if a local writer moved the ref meanwhile: the next
    // sync merges the two, and deciding again here would claim twice.
    if (moved || published === true) {
      const root = (await store.cat.read(tree))!;
      const next: Snapshot = { tip: commit, tree, state, shards, root: parseTree(root.data, store.oidBytes) };
      if (moved) {
        store.remember(next);
        await saveSnapshot(store.source, next).catch(() => undefined);
      }
      return { result: decision.result, events: decision.events, commit, attempts: attempt };
    }
    await backoff(attempt);
  }
  throw new RwError("conflict", `gave up after ${MAX_ATTEMPTS} attempts: other writers kept moving ${store.ref}`, {
    hint: "retry; if it persists, check for a stale lock file next to the ref in the git directory",
  });
}

/** Lost a race: back off with jitter, then the caller re-reads the tip and decides again from scratch. */
function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(200, 4 * 2 ** Math.min(attempt, 6));
  return new Promise((r) => setTimeout(r, Math.random() * ceiling));
}

async function buildChanges(store: Store, snap: Snapshot, state: State, events: RwEvent[]): Promise<{ changes: FileChanges; shards: Record<string, ShardMark> }> {
  const changes: FileChanges = new Map();
  for (const [path, text] of renderChanged(state, events)) changes.set(path, Buffer.from(text));
  const byShard = new Map<string, RwEvent[]>();
  for (const e of events) {
    const name = shardOf(e);
    byShard.set(name, [...(byShard.get(name) ?? []), e]);
  }
  const shards = { ...snap.shards };
  for (const [name, list] of byShard) {
    const mark = snap.shards[name];
    const existing = mark ? (await store.cat.read(mark.oid))?.data ?? Buffer.alloc(0) : Buffer.alloc(0);
    const content = Buffer.concat([existing, Buffer.from(list.map(eventLine).join(""))]);
    changes.set(`events/${name}`, content);
    shards[name] = { oid: store.writer.hash("blob", content), lines: (mark?.lines ?? 0) + list.length, last_id: list[list.length - 1]!.id };
  }
  return { changes, shards };
}
