import { apply, applyCopy, fold, RESOLUTION_TYPES } from "../domain/fold.ts";
import { cloneTouched } from "../domain/fold-plan.ts";
import { missingStateError } from "./repo.ts";
import { readRefFiles } from "./ref-local.ts";
import { emptyState, lookup, type RwEvent, type State, type Task } from "../domain/types.ts";
import { compareEvents, parseShard } from "../format/event-line.ts";
import type { CatFile } from "./git.ts";
import { parseCommitTree, parseTree, type TreeEntry } from "./objects.ts";
import { carryReadyMemo } from "../domain/ready-memo.ts";
import { CACHE_VERSION, once, readCache, writeCache, type CacheFile, type CacheJournal, type Derived, type ShardMark } from "./state-cache.ts";

/** The folded state at one tip of the state ref. */
export interface Snapshot {
  tip: string;
  tree: string;
  state: State;
  shards: Record<string, ShardMark>;
  /** The root tree's entries, so a transaction need not read it again. */
  root: TreeEntry[];
  /** How the index file holds this state (a base plus journal events), so saving it is an append. */
  journal?: CacheJournal | undefined;
  /** Set when this state was brought forward from a snapshot in memory: that tip and the events folded since. */
  forwardFrom?: { tip: string; events: RwEvent[] } | undefined;
  /**
   * The view index and ready order of `state` restored from the index file (made on first call),
   * until a store takes them for a write (it then owns them: it updates them in place).
   */
  derived?: (() => Derived) | undefined;
}

export interface SnapshotSource {
  cat: CatFile;
  ref: string;
  cacheDir: string;
  oidBytes: number;
  /** Where loose refs live: the tip is read from the ref's file when it has one (no round trip to git). */
  commonDir?: string;
}

/**
 * Loads the state at the ref's tip: from the cache when it is for this tip; brought forward by
 * folding only the new lines of changed shards when the cache (or `from`, a snapshot already in
 * memory) is for an ancestor; replayed from the whole log otherwise (no cache, corrupt cache, or
 * a history that was not a plain append). Returns null when the ref does not exist.
 */
export async function loadSnapshot(src: SnapshotSource, from?: Snapshot, retries = 2, known?: CacheFile): Promise<Snapshot | null> {
  // A long-lived store asks this before every transaction: an unchanged tip costs one file read.
  const loose = src.commonDir ? readRefFiles(src.commonDir, src.ref) : undefined;
  if (loose && from?.tip === loose) return from;
  const commit = await src.cat.read(loose ?? src.ref);
  if (!commit) return null;
  if (from?.tip === commit.oid) return from;
  const tree = parseCommitTree(commit.data);
  const readIndex = (): Promise<CacheFile | undefined> => readCache(src.cacheDir, src.ref, foldCarrying);
  const [rootObj, cached] = await Promise.all([src.cat.read(tree), from ? undefined : (known ?? readIndex())]);
  if (!rootObj) throw missingStateError(src.ref, tree, "tree"); // pruned by gc: an empty state would be a lie
  const root = parseTree(rootObj.data, src.oidBytes);
  if (cached && cached.tip === commit.oid) return { tip: commit.oid, tree, state: cached.state, shards: cached.shards, root, journal: cached.journal, derived: cached.derived };
  const shardEntries = await listShards(src, root);
  let forward: Folded | undefined;
  let forwardFrom: Snapshot["forwardFrom"];
  if (from) {
    // A snapshot in memory is shared: bringForward folds onto copies (applyCopy), never in place.
    forward = await bringForward(src, { v: CACHE_VERSION, ref: src.ref, tip: from.tip, shards: from.shards, state: from.state, journal: from.journal }, shardEntries, true);
    if (forward) forwardFrom = { tip: from.tip, events: forward.fresh };
  }
  let cache: CacheFile | undefined;
  if (!forward) {
    cache = cached ?? known ?? (from ? await readIndex() : undefined);
    if (cache && cache.tip === commit.oid) return { tip: commit.oid, tree, state: cache.state, shards: cache.shards, root, journal: cache.journal, derived: cache.derived };
    if (cache) forward = await bringForward(src, cache, shardEntries, false);
  }
  if (!forward && retries > 0) {
    // The index may be for a newer tip than the one read above (another writer committed in
    // between): read the ref again before paying for a replay, and a base written for an old tip.
    const now = src.commonDir ? readRefFiles(src.commonDir, src.ref) : (await src.cat.read(src.ref))?.oid;
    if (now && now !== commit.oid) return loadSnapshot(src, from, retries - 1, cache);
  }
  const result = forward ?? (await replay(src, shardEntries));
  const snap: Snapshot = { tip: commit.oid, tree, state: result.state, shards: result.shards, root, journal: result.journal, forwardFrom };
  await saveSnapshot(src, snap).catch(() => undefined); // the cache is an optimisation: never fail a read for it
  return snap;
}

/**
 * Writes the index for `snap` (a journal append when possible) and records how it is now held.
 * `derived`: the writer's view index and ready order of `snap.state`, saved if a new base is written.
 */
export async function saveSnapshot(src: SnapshotSource, snap: Snapshot, derived: Derived = {}): Promise<void> {
  snap.journal = await writeCache(src.cacheDir, { v: CACHE_VERSION, ref: src.ref, tip: snap.tip, shards: snap.shards, state: snap.state, journal: snap.journal, ...derived });
}

/**
 * Folds the index file's journal onto its base state in place, carrying the base's view index
 * and ready order over the tasks the events changed (each noted as it was before: cloneTouched
 * copies a task before an event changes it). A sync resolution may rewrite any task: both are
 * dropped then; an event on no task drops the ready order (ready-memo.ts says why).
 */
export function foldCarrying(events: RwEvent[], state: State, derived: () => Derived): { state: State; derived: () => Derived } {
  if (events.some((e) => RESOLUTION_TYPES.has(e.type))) return { state: fold(events, state), derived: () => ({}) };
  const changed = new Map<string, [Task | undefined, Task | undefined]>();
  const copied = new Set<string>();
  for (const e of events) {
    if (e.task && !changed.has(e.task)) changed.set(e.task, [lookup(state.tasks, e.task), undefined]);
    cloneTouched(state, e, copied);
    apply(state, e);
  }
  for (const [id, pair] of changed) pair[1] = lookup(state.tasks, id);
  const taskless = events.some((e) => !e.task);
  return {
    state,
    derived: once(() => {
      const { index, readyMemo } = derived();
      if (!index) return {};
      index.update(changed.values());
      const memo = readyMemo && carryReadyMemo(readyMemo, changed.values(), taskless, { state, graph: index.bind(state) });
      return { index, readyMemo: memo?.order ? memo : undefined };
    }),
  };
}

async function listShards(src: SnapshotSource, root: TreeEntry[]): Promise<TreeEntry[]> {
  const events = root.find((e) => e.name === "events" && e.mode === "40000");
  if (!events) return [];
  const obj = await src.cat.read(events.oid);
  return obj ? parseTree(obj.data, src.oidBytes).filter((e) => e.name.endsWith(".jsonl")) : [];
}

async function readShard(src: SnapshotSource, entry: TreeEntry): Promise<RwEvent[]> {
  const obj = await src.cat.read(entry.oid);
  return obj ? parseShard(entry.name, obj.data.toString("utf8")) : [];
}

function markOf(entry: TreeEntry, events: RwEvent[]): ShardMark {
  return { oid: entry.oid, lines: events.length, last_id: events[events.length - 1]?.id ?? "" };
}

/** Every event on the ref in log order. */
export async function readAllEvents(src: SnapshotSource, root: TreeEntry[]): Promise<{ events: RwEvent[]; shards: Record<string, ShardMark> }> {
  const entries = await listShards(src, root);
  const perShard = await Promise.all(entries.map((e) => readShard(src, e)));
  const shards: Record<string, ShardMark> = {};
  entries.forEach((e, i) => (shards[e.name] = markOf(e, perShard[i]!)));
  const events = perShard.flat().sort(compareEvents);
  return { events, shards };
}

interface Folded { state: State; shards: Record<string, ShardMark>; journal?: CacheJournal | undefined; fresh: RwEvent[] }

async function replay(src: SnapshotSource, entries: TreeEntry[]): Promise<Folded> {
  const perShard = await Promise.all(entries.map((e) => readShard(src, e)));
  const shards: Record<string, ShardMark> = {};
  entries.forEach((e, i) => (shards[e.name] = markOf(e, perShard[i]!)));
  const events = perShard.flat().sort(compareEvents);
  return { state: fold(events, emptyState()), shards, fresh: events };
}

/**
 * The events of a shard after its first `from` lines, checking that line `from` still carries
 * `lastId` (else the shard was rewritten, not appended to). Only the new lines are parsed.
 */
function shardTail(name: string, text: string, from: number, lastId: string): RwEvent[] | undefined {
  let pos = 0;
  let lineStart = 0;
  for (let i = 0; i < from; i++) {
    lineStart = pos;
    const nl = text.indexOf("\n", pos);
    if (nl < 0) return undefined;
    pos = nl + 1;
  }
  if (from > 0) {
    const last = parseShard(name, text.slice(lineStart, pos))[0];
    if (last?.id !== lastId) return undefined;
  }
  return parseShard(name, text.slice(pos));
}

/** Folds only appended lines onto a known state; undefined when the history was not a plain append. */
async function bringForward(src: SnapshotSource, cache: CacheFile, entries: TreeEntry[], shared: boolean): Promise<Folded | undefined> {
  const names = new Set(entries.map((e) => e.name));
  if (Object.keys(cache.shards).some((name) => !names.has(name))) return undefined;
  const fresh: RwEvent[] = [];
  const shards: Record<string, ShardMark> = { ...cache.shards };
  const changed = entries.filter((e) => cache.shards[e.name]?.oid !== e.oid);
  const texts = await Promise.all(changed.map(async (e) => (await src.cat.read(e.oid))?.data.toString("utf8") ?? ""));
  for (let i = 0; i < changed.length; i++) {
    const entry = changed[i]!;
    const mark = cache.shards[entry.name];
    const added = mark ? shardTail(entry.name, texts[i]!, mark.lines, mark.last_id) : parseShard(entry.name, texts[i]!);
    if (!added) return undefined;
    fresh.push(...added);
    const lines = (mark?.lines ?? 0) + added.length;
    shards[entry.name] = { oid: entry.oid, lines, last_id: added.length > 0 ? added[added.length - 1]!.id : (mark?.last_id ?? "") };
  }
  fresh.sort(compareEvents);
  // A merged history may insert events older than ones already folded (or as old: appends are
  // always strictly newer, so an equal ts means a merge): only a replay is right then.
  if (fresh.length > 0 && fresh[0]!.ts <= cache.state.last_ts) return undefined;
  const state = shared ? applyCopy(cache.state, fresh) : fold(fresh, cache.state);
  const journal = cache.journal ? { ...cache.journal, events: [...cache.journal.events, ...fresh] } : undefined;
  return { state, shards, journal, fresh };
}
