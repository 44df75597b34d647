import { mergeLogs, type MergeResult } from "../domain/merge.ts";
import type { RwEvent } from "../domain/types.ts";
import { git } from "./git.ts";
import { LAYOUT_VERSION, renderAll, renderShards } from "./layout.ts";
import { parseCommitTree, parseTree, serializeCommit } from "./objects.ts";
import { compareAndSwap } from "./ref-store.ts";
import { readAllEvents, saveSnapshot, type Snapshot } from "./snapshot.ts";
import type { ShardMark } from "./state-cache.ts";
import type { Actor, Store } from "./store.ts";
import { listTree, writeTreeWithChanges, type FileChanges } from "./tree-write.ts";

export interface MergeCommit {
  commit: string;
  merge: MergeResult;
  /** The state at the merge commit, to remember once the ref has moved there. */
  snapshot: Snapshot;
}

/** Every event in the history of `commit` (the log on its tree), in log order. */
export async function eventsAt(store: Store, commit: string | null): Promise<RwEvent[]> {
  if (!commit) return [];
  const obj = await store.cat.read(commit);
  if (!obj) return [];
  const rootObj = await store.cat.read(parseCommitTree(obj.data));
  const root = rootObj ? parseTree(rootObj.data, store.oidBytes) : [];
  return (await readAllEvents(store.source, root)).events;
}

/** The best common ancestor of two commits, or null for unrelated histories (two separate `rw init`s). */
export async function mergeBase(store: Store, a: string, b: string): Promise<string | null> {
  const r = await git(["--git-dir", store.repo.gitDir, "merge-base", a, b], { cwd: store.repo.gitDir });
  return r.code === 0 ? r.stdout.trim() || null : null;
}

/**
 * Writes (but does not publish) the merge commit of two diverged tips of the state ref: parents
 * `ours` and `theirs` (with `base`, their merge base, from mergeBase), files = render(fold(merged
 * log)), built on `ours`'s tree with the same object writer and tree builder as every
 * transaction, so only changed blobs are written.
 */
export async function buildMergeCommit(store: Store, tips: { ours: string; theirs: string; base: string | null }, actor: Actor, summary: string): Promise<MergeCommit> {
  const { ours, theirs, base } = tips;
  const [baseEvents, oursEvents, theirsEvents] = await Promise.all([eventsAt(store, base), eventsAt(store, ours), eventsAt(store, theirs)]);
  const merge = mergeLogs({ base: baseEvents, ours: oursEvents, theirs: theirsEvents });
  // Each rendered file is encoded and hashed once, then compared against both parents.
  const files = new Map<string, Blob>();
  for (const [path, text] of renderAll(merge.state, merge.events)) {
    const content = Buffer.from(text);
    files.set(path, { content, oid: store.writer.hash("blob", content) });
  }
  // Build on whichever parent's tree is closer to the result: pulling 10,000 events onto a
  // little local work then writes a handful of blobs, not every task file the remote added.
  const [a, b] = await Promise.all([treeChanges(store, ours, files), treeChanges(store, theirs, files)]);
  const { tree: baseTree, changes } = a.changes.size <= b.changes.size ? a : b;
  await writeBlobs(store, changes);
  const tree = await writeTreeWithChanges(store.cat, store.writer, baseTree, changes, store.oidBytes);
  const sig = { name: actor.name, email: actor.email, when: store.ctx.now() };
  const trailers = merge.resolutions.map((e) => `Rewind-Event: ${e.id} ${e.type}`);
  const message = `${summary}\n\n${[...trailers, `Rewind-Actor: ${actor.name}`].join("\n")}\n`;
  const commit = await store.writer.write("commit", serializeCommit({ tree, parents: [ours, theirs], author: sig, committer: sig, message }));
  const root = store.writer.cached(tree) ?? (await store.cat.read(tree))?.data;
  const snapshot: Snapshot = {
    tip: commit, tree, state: merge.state, shards: shardMarks(merge.events, files), root: root ? parseTree(root, store.oidBytes) : [],
  };
  return { commit, merge, snapshot };
}

/** A rendered file of the merge result and its blob ID. */
interface Blob { content: Buffer; oid: string }

async function treeChanges(store: Store, commit: string, files: Map<string, Blob>): Promise<{ tree: string; changes: FileChanges }> {
  const tree = parseCommitTree((await store.cat.read(commit))!.data);
  const current = await listTree(store.cat, tree, store.oidBytes);
  const changes: FileChanges = new Map();
  for (const [path, { content, oid }] of files) if (current.get(path) !== oid) changes.set(path, content);
  for (const path of current.keys()) if (!files.has(path)) changes.set(path, null);
  return { tree, changes };
}

/** Writes new blobs a few at a time (each is a file write and an fsync); the tree builder then finds them written. */
async function writeBlobs(store: Store, changes: FileChanges): Promise<void> {
  const blobs = [...changes.values()].filter((c): c is Buffer => c !== null);
  for (let i = 0; i < blobs.length; i += 32) await Promise.all(blobs.slice(i, i + 32).map((c) => store.writer.write("blob", c)));
}

function shardMarks(events: RwEvent[], files: Map<string, Blob>): Record<string, ShardMark> {
  const marks: Record<string, ShardMark> = {};
  for (const [path, lines] of renderShards(events, LAYOUT_VERSION)) {
    marks[path.slice("events/".length)] = { oid: files.get(path)!.oid, lines: lines.length, last_id: (JSON.parse(lines[lines.length - 1]!) as RwEvent).id };
  }
  return marks;
}

/**
 * Moves the state ref from `expected` to `next` by compare-and-swap (the one way the ref moves)
 * and remembers the new state when it is known. False when another writer moved the ref first.
 */
export async function advanceRef(store: Store, next: string, expected: string | null, reason: string, snapshot?: Snapshot): Promise<boolean> {
  if (!(await compareAndSwap(store.repo.gitDir, store.ref, next, expected, store.zeroOid, reason))) return false;
  if (snapshot) {
    store.remember(snapshot);
    await saveSnapshot(store.source, snapshot).catch(() => undefined);
  }
  return true;
}
