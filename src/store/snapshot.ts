import { fold } from "../domain/fold.ts";
import { emptyState, type RwEvent, type State } from "../domain/types.ts";
import { compareEvents, parseShard } from "../format/event-line.ts";
import type { CatFile } from "./git.ts";
import { parseCommitTree, parseTree, type TreeEntry } from "./objects.ts";
import { CACHE_VERSION, readCache, writeCache, type CacheFile, type ShardMark } from "./state-cache.ts";

/** The folded state at one tip of the state ref. */
export interface Snapshot {
  tip: string;
  tree: string;
  state: State;
  shards: Record<string, ShardMark>;
  /** The root tree's entries, so a transaction need not read it again. */
  root: TreeEntry[];
}

export interface SnapshotSource {
  cat: CatFile;
  ref: string;
  cacheDir: string;
  oidBytes: number;
}

/**
 * Loads the state at the ref's tip: from the cache when it is for this tip; brought forward by
 * folding only the new lines of changed shards when the cache is for an ancestor; replayed from
 * the whole log otherwise (no cache, corrupt cache, or a history that was not a plain append).
 * Returns null when the ref does not exist (not initialised).
 */
export async function loadSnapshot(src: SnapshotSource): Promise<Snapshot | null> {
  const commit = await src.cat.read(src.ref);
  if (!commit) return null;
  const tree = parseCommitTree(commit.data);
  const cache = await readCache(src.cacheDir, src.ref);
  const rootObj = await src.cat.read(tree);
  const root = rootObj ? parseTree(rootObj.data, src.oidBytes) : [];
  if (cache && cache.tip === commit.oid) return { tip: commit.oid, tree, state: cache.state, shards: cache.shards, root };
  const shardEntries = await listShards(src, root);
  const forward = cache ? await bringForward(src, cache, shardEntries) : undefined;
  const result = forward ?? (await replay(src, shardEntries));
  const snap: Snapshot = { tip: commit.oid, tree, state: result.state, shards: result.shards, root };
  await saveSnapshot(src, snap).catch(() => undefined); // the cache is an optimisation: never fail a read for it
  return snap;
}

export function saveSnapshot(src: SnapshotSource, snap: Snapshot): Promise<void> {
  const file: CacheFile = { v: CACHE_VERSION, ref: src.ref, tip: snap.tip, shards: snap.shards, state: snap.state };
  return writeCache(src.cacheDir, file);
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

async function replay(src: SnapshotSource, entries: TreeEntry[]): Promise<{ state: State; shards: Record<string, ShardMark> }> {
  const perShard = await Promise.all(entries.map((e) => readShard(src, e)));
  const shards: Record<string, ShardMark> = {};
  entries.forEach((e, i) => (shards[e.name] = markOf(e, perShard[i]!)));
  return { state: fold(perShard.flat().sort(compareEvents), emptyState()), shards };
}

/** Folds only appended lines onto the cached state; undefined when the history was not a plain append. */
async function bringForward(src: SnapshotSource, cache: CacheFile, entries: TreeEntry[]): Promise<{ state: State; shards: Record<string, ShardMark> } | undefined> {
  const names = new Set(entries.map((e) => e.name));
  if (Object.keys(cache.shards).some((name) => !names.has(name))) return undefined;
  const fresh: RwEvent[] = [];
  const shards: Record<string, ShardMark> = { ...cache.shards };
  const changed = entries.filter((e) => cache.shards[e.name]?.oid !== e.oid);
  const contents = await Promise.all(changed.map((e) => readShard(src, e)));
  for (let i = 0; i < changed.length; i++) {
    const entry = changed[i]!;
    const events = contents[i]!;
    const mark = cache.shards[entry.name];
    if (mark) {
      if (events.length < mark.lines || (mark.lines > 0 && events[mark.lines - 1]?.id !== mark.last_id)) return undefined;
      fresh.push(...events.slice(mark.lines));
    } else {
      fresh.push(...events);
    }
    shards[entry.name] = markOf(entry, events);
  }
  fresh.sort(compareEvents);
  // A merged history may insert events older than ones already folded (or as old: appends are
  // always strictly newer, so an equal ts means a merge): only a replay is right then.
  if (fresh.length > 0 && fresh[0]!.ts <= cache.state.last_ts) return undefined;
  return { state: fold(fresh, cache.state), shards };
}
