import { createHash } from "node:crypto";
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writevSync } from "node:fs";
import { join } from "node:path";
import { crc32, deflateSync } from "node:zlib";

/** Pack object type numbers (gitformat-pack: OBJ_COMMIT 1, OBJ_TREE 2, OBJ_BLOB 3). */
const PACK_TYPE = { commit: 1, tree: 2, blob: 3 } as const;
export type PackType = keyof typeof PACK_TYPE;

/**
 * Writes `pack-<checksum>.pack` and its `.idx` (gitformat-pack: pack v2, index v2) straight
 * into objects/pack/: no `git index-pack` process, which inflated and re-hashed every object
 * we had just hashed (for an import of 10,000 tasks, a fifth of the wall time). The .pack is
 * renamed into place before the .idx, so git never sees an index without its pack.
 */
export function writePack(objectsDir: string, objects: Map<string, { type: PackType; data: Buffer }>, algo: "sha1" | "sha256"): void {
  const sorted = [...objects.keys()].sort();
  const n = sorted.length;
  const head = Buffer.alloc(12);
  head.write("PACK", 0, "latin1");
  head.writeUInt32BE(2, 4);
  head.writeUInt32BE(n, 8);
  const parts: Buffer[] = [head];
  const packHash = createHash(algo).update(head);
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
  const idx = packIndex(sorted, offsetOf, crcOf, checksum, algo);
  const packDir = join(objectsDir, "pack");
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
