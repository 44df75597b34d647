import { createHash } from "node:crypto";
import { constants, crc32, deflateSync } from "node:zlib";
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, utimesSync, writeFileSync, writevSync } from "node:fs";
import { join } from "node:path";

/** Pack object type numbers (gitformat-pack: OBJ_COMMIT 1, OBJ_TREE 2, OBJ_BLOB 3). */
const PACK_TYPE = { commit: 1, tree: 2, blob: 3 } as const;
type ObjectType = keyof typeof PACK_TYPE;

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
      this.writePack(pending);
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
   * Writes `pack-<checksum>.pack` and its `.idx` (gitformat-pack: pack v2, index v2) straight
   * into objects/pack/: no `git index-pack` process, which inflated and re-hashed every object
   * we had just hashed (for an import of 10,000 tasks, a fifth of the wall time). The .pack is
   * renamed into place before the .idx, so git never sees an index without its pack.
   */
  private writePack(objects: Map<string, { type: ObjectType; data: Buffer }>): void {
    const sorted = [...objects.keys()].sort();
    const n = sorted.length;
    const head = Buffer.alloc(12);
    head.write("PACK", 0, "latin1");
    head.writeUInt32BE(2, 4);
    head.writeUInt32BE(n, 8);
    const parts: Buffer[] = [head];
    const packHash = createHash(this.algo).update(head);
    const offsetOf = new Map<string, number>();
    const crcOf = new Map<string, number>();
    let offset = head.length;
    for (const [oid, o] of objects) {
      const entryHead = packEntryHeader(PACK_TYPE[o.type], o.data.length);
      const body = o.data.length < 4096 ? zlibStored(o.data) : deflateSync(o.data, { level: 1 });
      offsetOf.set(oid, offset);
      crcOf.set(oid, crc32(body, crc32(entryHead)));
      packHash.update(entryHead).update(body);
      parts.push(entryHead, body);
      offset += entryHead.length + body.length;
    }
    const checksum = packHash.digest();
    parts.push(checksum);
    const idx = packIndex(sorted, offsetOf, crcOf, checksum, this.algo);
    const packDir = join(this.objectsDir, "pack");
    mkdirSync(packDir, { recursive: true });
    const name = join(packDir, `pack-${checksum.toString("hex")}`);
    const tmp = join(packDir, `tmp_pack_rw_${process.pid}_${Math.random().toString(36).slice(2)}`);
    try {
      writeParts(`${tmp}.pack`, parts);
      writeParts(`${tmp}.idx`, [idx]);
      renameSync(`${tmp}.pack`, `${name}.pack`);
      renameSync(`${tmp}.idx`, `${name}.idx`);
    } finally {
      rmSync(`${tmp}.pack`, { force: true });
      rmSync(`${tmp}.idx`, { force: true });
    }
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
    // zlib's default level (git's core.compression default), except for a big tree: tasks/ at
    // 10,000 tasks is ~380 KB, mostly random object IDs, rewritten by every commit. Measured
    // there: level 1 saves 31% in ~7x the time of storing it; the default level saves 32% in ~13x.
    const level = type === "tree" && data.length > 65_536 ? 1 : constants.Z_DEFAULT_COMPRESSION;
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

/** A pack entry's header: the type and the size, 4 bits of size then 7 per continuation byte. */
function packEntryHeader(type: number, length: number): Buffer {
  const bytes: number[] = [];
  let size = length;
  let byte = (type << 4) | (size & 15);
  size = Math.floor(size / 16);
  while (size > 0) {
    bytes.push(byte | 0x80);
    byte = size & 0x7f;
    size = Math.floor(size / 128);
  }
  bytes.push(byte);
  return Buffer.from(bytes);
}

/**
 * A pack index, version 2: fan-out table, sorted object IDs, CRC-32 of each packed entry,
 * 31-bit offsets (the high bit points into a table of 64-bit ones), pack and index checksums.
 */
function packIndex(sorted: string[], offsetOf: Map<string, number>, crcOf: Map<string, number>, packChecksum: Buffer, algo: "sha1" | "sha256"): Buffer {
  const n = sorted.length;
  const hashLen = packChecksum.length;
  const large: number[] = [];
  const body = Buffer.alloc(8 + 256 * 4 + n * (hashLen + 8));
  body.writeUInt32BE(0xff744f63, 0);
  body.writeUInt32BE(2, 4);
  const fanout = new Array<number>(256).fill(0);
  for (const oid of sorted) fanout[parseInt(oid.slice(0, 2), 16)]!++;
  for (let i = 0, sum = 0; i < 256; i++) body.writeUInt32BE((sum += fanout[i]!), 8 + i * 4);
  const names = 8 + 256 * 4;
  const crcs = names + n * hashLen;
  const offsets = crcs + n * 4;
  sorted.forEach((oid, i) => {
    body.write(oid, names + i * hashLen, "hex");
    body.writeUInt32BE(crcOf.get(oid)!, crcs + i * 4);
    const at = offsetOf.get(oid)!;
    if (at < 0x80000000) body.writeUInt32BE(at, offsets + i * 4);
    else body.writeUInt32BE((0x80000000 | large.push(at) - 1) >>> 0, offsets + i * 4);
  });
  const tail = Buffer.alloc(large.length * 8);
  large.forEach((at, i) => tail.writeBigUInt64BE(BigInt(at), i * 8));
  const withPack = Buffer.concat([body, tail, packChecksum]);
  return Buffer.concat([withPack, createHash(algo).update(withPack).digest()]);
}

/** Writes buffers to a new read-only file without joining them first (a pack can be tens of MB). */
function writeParts(path: string, parts: Buffer[]): void {
  const fd = openSync(path, "wx", 0o444);
  try {
    for (let i = 0; i < parts.length; i += 1024) {
      const chunk = parts.slice(i, i + 1024);
      let left = chunk.reduce((a, b) => a + b.length, 0);
      while (left > 0) {
        const wrote = writevSync(fd, chunk);
        left -= wrote;
        if (left > 0) dropWritten(chunk, wrote);
      }
    }
    // Like git for packs (core.fsync's default covers them): a pack must survive a crash whole.
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** After a short writev: drop the bytes already written from the front of `chunk`. */
function dropWritten(chunk: Buffer[], wrote: number): void {
  while (wrote > 0 && chunk.length > 0) {
    const first = chunk[0]!;
    if (wrote >= first.length) {
      wrote -= first.length;
      chunk.shift();
    } else {
      chunk[0] = first.subarray(wrote);
      wrote = 0;
    }
  }
}

/**
 * A zlib stream (RFC 1950) of stored deflate blocks (RFC 1951 §3.2.4): what `deflateSync` at
 * level 0 makes, without a zlib instance per call. For 10,000 small task files in one pack the
 * instances cost more than the compression saves; `git gc` recompresses the pack later.
 */
function zlibStored(data: Buffer): Buffer {
  const blocks = Math.max(1, Math.ceil(data.length / 65_535));
  const out = Buffer.alloc(2 + blocks * 5 + data.length + 4);
  out[0] = 0x78;
  out[1] = 0x01;
  let o = 2;
  for (let b = 0, i = 0; b < blocks; b++) {
    const len = Math.min(65_535, data.length - i);
    out[o] = b === blocks - 1 ? 1 : 0;
    out.writeUInt16LE(len, o + 1);
    out.writeUInt16LE(len ^ 0xffff, o + 3);
    data.copy(out, o + 5, i, i + len);
    o += 5 + len;
    i += len;
  }
  let a = 1;
  let c = 0;
  for (let i = 0; i < data.length; ) {
    const end = Math.min(data.length, i + 5552); // the most bytes before the sums can overflow 2^32
    for (; i < end; i++) {
      a += data[i]!;
      c += a;
    }
    a %= 65_521;
    c %= 65_521;
  }
  out.writeUInt32BE(((c << 16) | a) >>> 0, o);
  return out;
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

function formatSig(s: Signature): string {
  return `${s.name.replace(/[<>\n]/g, "")} <${s.email.replace(/[<>\n]/g, "")}> ${Math.floor(s.when.getTime() / 1000)} +0000`;
}

export function serializeCommit(c: { tree: string; parents: string[]; author: Signature; committer: Signature; message: string }): Buffer {
  const lines = [`tree ${c.tree}`, ...c.parents.map((p) => `parent ${p}`), `author ${formatSig(c.author)}`, `committer ${formatSig(c.committer)}`];
  return Buffer.from(`${lines.join("\n")}\n\n${c.message}`);
}

export function parseCommitTree(data: Buffer): string {
  const m = /^tree ([0-9a-f]+)/.exec(data.subarray(0, 100).toString("latin1"));
  if (!m) throw new Error("commit without a tree");
  return m[1]!;
}
