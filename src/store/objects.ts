import { createHash } from "node:crypto";
import { constants, deflateSync } from "node:zlib";
import { existsSync, mkdirSync, renameSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writePack, type PackType } from "./pack-write.ts";

type ObjectType = PackType;

/**
 * Writes git objects in-process as loose objects: the same bytes `git hash-object -w` writes,
 * without a process per object (measured: a spawn is ~2 ms; importing isomorphic-git ~74 ms).
 * Refs are never moved here: only `git update-ref` with an old value does that (ref-store.ts).
 */
export class ObjectWriter {
  /** Recently written trees and blobs by oid: a transaction re-reads what the last one wrote. */
  private readonly recent = new Map<string, Buffer>();
  private readonly dirs = new Set<string>();
  /** While a batch is open: the objects it wrote, packed together when it closes. */
  private pending: Map<string, { type: ObjectType; data: Buffer }> | undefined;

  constructor(private readonly objectsDir: string, private readonly algo: "sha1" | "sha256" = "sha1") {}

  hash(type: string, data: Buffer): string {
    return createHash(this.algo).update(`${type} ${data.length}\0`).update(data).digest("hex");
  }

  /** The content of an object this writer wrote lately, saving a round trip to git. */
  cached(oid: string): Buffer | undefined {
    return this.recent.get(oid) ?? this.pending?.get(oid)?.data;
  }

  /**
   * Runs `work` with its writes collected and stored as one pack (`git index-pack`) instead of a
   * loose file each, when there are at least `minObjects` of them. An import of 10,000 tasks
   * writes ~10,000 blobs: as loose objects that was four fifths of its wall time (an open, a
   * rename and a directory per object); as one pack it is one file. Fewer objects stay loose,
   * as today. The pack is in place before `work`'s result is returned, so a ref can then point
   * at its objects; a pack is never removed by `git gc` while its objects are recent.
   */
  async batch<T>(minObjects: number, work: () => Promise<T>): Promise<T> {
    if (this.pending) return work();
    const pending = (this.pending = new Map<string, { type: ObjectType; data: Buffer }>());
    let result: T;
    try {
      result = await work();
    } finally {
      this.pending = undefined;
    }
    if (pending.size >= minObjects) {
      writePack(this.objectsDir, pending, this.algo);
      for (const [oid, o] of pending) if (o.type === "tree" && o.data.length <= 4 << 20) this.remember(oid, o.data);
    } else for (const [, o] of pending) await this.write(o.type, o.data);
    return result;
  }

  private remember(oid: string, data: Buffer): void {
    this.recent.delete(oid);
    this.recent.set(oid, data);
    if (this.recent.size > 32) this.recent.delete(this.recent.keys().next().value!);
  }

  /**
   * NOTE: synchronous file calls on purpose. An async call is a hop to libuv's thread pool and
   * back, four per object, six objects per commit; on a loaded 2-core machine each hop waited
   * for a scheduler slot, and together they were most of a commit's wall time.
   */
  async write(type: ObjectType, data: Buffer): Promise<string> {
    const oid = this.hash(type, data);
    if (this.pending) {
      this.pending.set(oid, { type, data });
      return oid;
    }
    if (type !== "commit" && data.length <= 4 << 20) this.remember(oid, data);
    const dir = join(this.objectsDir, oid.slice(0, 2));
    const path = join(dir, oid.slice(2));
    // Already there (loose): freshen its mtime, as git does, so a `git gc` running now does not
    // prune it as old and unreachable before our ref points at it.
    if (freshen(path)) return oid;
    // zlib's default level (git's core.compression default), except for a big object, which
    // every commit rewrites: a flat tasks/ tree at 10,000 tasks (~380 KB, mostly random object
    // IDs: level 1 saves 31% in ~7x the time of storing it, the default level 32% in ~13x), and
    // today's event file, up to SHARD_BOUND (256 KiB) of JSON lines (at 110 KB: level 1 is 18.2 KB
    // in 0.34 ms, the default 17.6 KB in 0.93 ms; half a claim's compression time in one process).
    const level = type !== "commit" && data.length > 65_536 ? 1 : constants.Z_DEFAULT_COMPRESSION;
    const body = deflateSync(Buffer.concat([Buffer.from(`${type} ${data.length}\0`), data]), { level });
    // `git gc`/`git repack -d` removes emptied objects/xx/ directories at any moment, also
    // between our mkdir and our write or rename (ENOENT): make the directory again and retry.
    for (let attempt = 1; ; attempt++) {
      try {
        this.writeOnce(dir, path, body);
        return oid;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT" || attempt >= 20) throw err;
        this.dirs.delete(dir);
      }
    }
  }

  private writeOnce(dir: string, path: string, body: Buffer): void {
    if (!this.dirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.dirs.add(dir);
    }
    const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
    // No fsync, like git's default (core.fsync flushes packs, not loose objects or refs):
    // measured at several ms per object on the benchmark machine, six objects per commit.
    writeFileSync(tmp, body, { flag: "wx", mode: 0o444 });
    // rename is atomic: a reader sees no object or a whole one, never half of one.
    try {
      renameSync(tmp, path);
    } catch (err) {
      rmSync(tmp, { force: true });
      if (!existsSync(path)) throw err;
    }
  }
}

/** True when the loose object exists (its mtime now set to now); false when it is absent. */
function freshen(path: string): boolean {
  try {
    const now = new Date();
    utimesSync(path, now, now);
    return true;
  } catch (err) {
    // EACCES/EPERM (someone else's object in a shared repository): it exists, leave it.
    const code = (err as NodeJS.ErrnoException).code;
    return code === "EPERM" || code === "EACCES";
  }
}

export interface TreeEntry { mode: string; name: string; oid: string }

export function parseTree(data: Buffer, oidBytes: number): TreeEntry[] {
  const entries: TreeEntry[] = [];
  let i = 0;
  while (i < data.length) {
    const space = data.indexOf(32, i);
    const nul = data.indexOf(0, space);
    const mode = data.subarray(i, space).toString("latin1");
    const name = data.subarray(space + 1, nul).toString("utf8");
    const oid = data.subarray(nul + 1, nul + 1 + oidBytes).toString("hex");
    entries.push({ mode, name, oid });
    i = nul + 1 + oidBytes;
  }
  return entries;
}

/** Git orders tree entries by name, comparing a subtree's name as if it ended in "/". */
function sortKey(e: TreeEntry): string {
  return e.mode === "40000" ? `${e.name}/` : e.name;
}

export function serializeTree(entries: TreeEntry[]): Buffer {
  // Names are ASCII almost always (IDs, shards), and for ASCII, string order is byte order.
  const keyed = entries.map((e) => ({ e, key: sortKey(e) }));
  const ascii = keyed.every((k) => Buffer.byteLength(k.key) === k.key.length);
  keyed.sort(ascii ? (a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) : (a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  const parts: Buffer[] = [];
  for (const { e } of keyed) {
    parts.push(Buffer.from(`${e.mode} ${e.name}\0`), Buffer.from(e.oid, "hex"));
  }
  return Buffer.concat(parts);
}

export interface Signature { name: string; email: string; when: Date }

/** `name <email> secs +0000`, as commit headers and reflog lines carry an identity. */
export function formatSig(s: Signature): string {
  return `${s.name.replace(/[<>\n]/g, "")} <${s.email.replace(/[<>\n]/g, "")}> ${Math.floor(s.when.getTime() / 1000)} +0000`;
}

export function serializeCommit(c: { tree: string; parents: string[]; author: Signature; committer: Signature; message: string }): Buffer {
  const lines = [`tree ${c.tree}`, ...c.parents.map((p) => `parent ${p}`), `author ${formatSig(c.author)}`, `committer ${formatSig(c.committer)}`];
  return Buffer.from(`${lines.join("\n")}\n\n${c.message}`);
}

/** The parents a commit object's header names, in order. */
export function parseCommitParents(data: Buffer): string[] {
  const out: string[] = [];
  const text = data.toString("latin1", 0, Math.min(data.length, 4096));
  for (const line of text.split("\n")) {
    if (line === "") break; // end of the header
    if (line.startsWith("parent ")) out.push(line.slice(7));
  }
  return out;
}

export function parseCommitTree(data: Buffer): string {
  const m = /^tree ([0-9a-f]+)/.exec(data.subarray(0, 100).toString("latin1"));
  if (!m) throw new Error("commit without a tree");
  return m[1]!;
}
