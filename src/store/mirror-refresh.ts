import { unlink } from "node:fs/promises";
import { basename, join } from "node:path";
import type { Changed, Deleted } from "./mirror-apply.ts";
import { readNoFollow, statOf, writeAtomic, type Stat } from "./mirror-files.ts";
import type { MirrorIndex } from "./mirror-index.ts";
import { parseCommitTree, parseTree, type TreeEntry } from "./objects.ts";
import type { Store } from "./store.ts";
import { folderChanges, folderFiles } from "./tree-write.ts";

const VIEWS = ["STATE.md", "BOARD.md"];

/** What the mirror -> ref half of a round saw and did, which the ref -> mirror half needs. */
export interface RoundSoFar {
  folders: readonly string[];
  /** Folders that are symbolic links: neither read nor written. */
  linked: Set<string>;
  /** A full scan (no watcher hints): `disk` lists every file. */
  full: boolean;
  disk: Map<string, Stat>;
  /** Folders removed or emptied as a whole: every file is restored. */
  wiped: Map<string, boolean>;
  changed: Changed[];
  deleted: Deleted[];
  /** Files an agent session changed or deleted: restored from the ref (value: the agent's bytes, if any). */
  restoreAgent: Map<string, string | undefined>;
  /** An agent session is live: files missing on disk are not restored behind its back. */
  agentLive: boolean;
  /** Files the transaction just recorded (rewritten as the ref renders them). */
  touched: Set<string>;
  /** New files recorded under their chosen ID: old name -> `<folder>/<id>.md`. */
  renames: Map<string, string>;
}

/**
 * Ref -> mirror for one round: rewrites the files the tip changed and restores deleted ones,
 * never over bytes that changed since they were read or that have a problem; renames recorded
 * new files to their ID; writes the views. Returns how many files were rewritten and the tip.
 */
export async function refreshMirror(store: Store, root: string, index: MirrorIndex, seen: RoundSoFar, log: (l: string) => void): Promise<{ refreshed: number; tip: string } | undefined> {
  const where = (p: string): string => `.rewind/${p}`;
  const tipObj = await store.cat.read(store.ref);
  if (!tipObj) return undefined;
  const { linked, full, disk, wiped, changed, deleted, restoreAgent, touched } = seen;
  let refreshed = 0;
  const rootTree = parseTree((await store.cat.read(parseCommitTree(tipObj.data)))!.data, store.oidBytes);
  index.trees ??= {};
  for (const folder of seen.folders) {
    if (linked.has(folder)) continue;
    const tree = rootTree.find((e) => e.name === folder && e.mode === "40000")?.oid ?? "";
    const mine = (p: string): boolean => p.startsWith(`${folder}/`);
    const missing = full ? Object.keys(index.files).some((p) => mine(p) && !disk.has(p)) : false;
    const rebuild = wiped.get(folder) === true;
    const dirty = rebuild || [...touched].some(mine) || deleted.some((d) => mine(d.path)) || [...restoreAgent.keys()].some(mine);
    if (tree === index.trees[folder] && !dirty && !missing && index.tip !== "") continue;
    // Only what the tip changed since the last refresh (a claim at 10,000 tasks: one file), unless
    // this round must look at every file (a full scan, a rebuild, files this round recorded or must restore).
    const previous = index.trees[folder];
    const narrow = previous && index.tip !== "" && !full && !dirty;
    const entries: TreeEntry[] = !tree ? [] : narrow ? await folderChanges(store.cat, previous, tree, store.oidBytes) : await folderFiles(store.cat, tree, store.oidBytes); // by file name, also when tasks/ is fanned out
    const todo: Array<{ p: string; oid: string; expected: string | undefined }> = [];
    for (const e of entries) {
      const p = `${folder}/${e.name}`;
      const rec = index.files[p];
      const restore = rebuild || deleted.some((d) => d.path === p) || restoreAgent.has(p) || (full && rec !== undefined && !disk.has(p) && !seen.agentLive);
      if (rec && rec.oid === e.oid && !touched.has(p) && !restore) continue;
      if (index.problems[p]) continue; // the human's bytes stay until they fix them
      todo.push({ p, oid: e.oid, expected: restoreAgent.get(p) ?? changed.find((c) => c.path === p)?.oid ?? rec?.oid });
    }
    // In chunks, concurrently: cat-file answers a queue of requests in one pipe, so the first
    // mirror of 10,000 tasks is not 10,000 round trips.
    for (let i = 0; i < todo.length; i += 64) {
      await Promise.all(todo.slice(i, i + 64).map(async ({ p, oid, expected }) => {
        // Overwrite only the bytes we know (what we ingested, or what we last wrote): anything
        // else was saved since we looked, and the next round takes it.
        if (!(await unchangedOnDisk(store, join(root, p), expected))) return;
        await writeBlob(store, root, index, p, oid);
        refreshed++;
        if (refreshed <= 20) log(`refreshed ${where(p)}`);
      }));
    }
    index.trees[folder] = tree;
  }
  for (const [from, target] of seen.renames) {
    const bytes = changed.find((c) => c.path === from)?.oid;
    if (await unchangedOnDisk(store, join(root, from), bytes)) {
      await unlink(join(root, from)).catch(() => undefined);
      delete index.files[from];
      if (bytes !== undefined) index.pending[from] = { oid: bytes, id: basename(target, ".md"), base: bytes, renamed_at: Date.now() };
      log(`renamed ${where(from)} -> ${where(target)}`);
    }
  }
  for (const name of VIEWS) {
    const e = rootTree.find((x) => x.name === name);
    if (e && index.files[name]?.oid !== e.oid) await writeBlob(store, root, index, name, e.oid);
  }
  index.tip = tipObj.oid;
  return { refreshed, tip: tipObj.oid };
}

/** True when the file is absent or holds exactly the blob `expected`. */
async function unchangedOnDisk(store: Store, path: string, expected: string | undefined): Promise<boolean> {
  if ((await statOf(path))?.link) return false; // a link is the human's (or an agent's): left alone
  const bytes = await readNoFollow(path);
  if (!bytes) return true;
  return expected !== undefined && store.writer.hash("blob", bytes) === expected;
}

async function writeBlob(store: Store, root: string, index: MirrorIndex, path: string, oid: string): Promise<void> {
  const blob = await store.cat.read(oid);
  if (!blob) return;
  const st = await writeAtomic(join(root, path), blob.data);
  index.files[path] = { oid, ...st };
}
