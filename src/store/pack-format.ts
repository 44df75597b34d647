/*
 * Decoding git's pack formats (gitformat-pack(5)): an entry's header and the delta format.
 * Pure functions over bytes; store/pack-read.ts does the file IO.
 */

/** Bigger objects (none of rw's) are left to git rather than held whole here. */
export const MAX_OBJECT = 512 * 1024 * 1024;
export const OFS_DELTA = 6;
export const REF_DELTA = 7;

/** An entry's type (1-4 whole objects, 6-7 deltas), inflated size, where its zlib data starts, and a delta's base. */
export interface EntryHeader { type: number; size: number; dataAt: number; baseOffset?: number; baseId?: Buffer }

/** Parses the header in `head`, the bytes at `offset` of a pack; undefined when malformed. */
export function parseEntryHeader(head: Buffer, offset: number, hashLen: number): EntryHeader | undefined {
  let i = 0;
  let c = head[i++]!;
  const type = (c >> 4) & 7;
  let size = c & 15;
  let scale = 16;
  while (c & 0x80) {
    if (i >= head.length || scale > 2 ** 49) return undefined;
    c = head[i++]!;
    size += (c & 0x7f) * scale;
    scale *= 128;
  }
  if (type === OFS_DELTA) {
    if (i >= head.length) return undefined;
    c = head[i++]!;
    let back = c & 0x7f;
    while (c & 0x80) {
      if (i >= head.length || back > 2 ** 45) return undefined;
      c = head[i++]!;
      back = (back + 1) * 128 + (c & 0x7f);
    }
    if (back <= 0 || back > offset) return undefined;
    return { type, size, dataAt: offset + i, baseOffset: offset - back };
  }
  if (type === REF_DELTA) {
    if (i + hashLen > head.length) return undefined;
    return { type, size, dataAt: offset + i + hashLen, baseId: Buffer.from(head.subarray(i, i + hashLen)) };
  }
  return type >= 1 && type <= 4 ? { type, size, dataAt: offset + i } : undefined;
}

/** git's delta format: the base's size, the result's size, then copy-from-base and insert instructions. */
export function applyDelta(base: Buffer, delta: Buffer): Buffer {
  let i = 0;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    let c: number;
    do {
      if (i >= delta.length) throw new Error("delta ends early");
      c = delta[i++]!;
      value += (c & 0x7f) * scale;
      scale *= 128;
    } while (c & 0x80);
    return value;
  };
  if (varint() !== base.length) throw new Error("delta base size mismatch");
  const size = varint();
  if (size > MAX_OBJECT) throw new Error("delta result too big to read here");
  const out = Buffer.allocUnsafe(size);
  let o = 0;
  while (i < delta.length) {
    const op = delta[i++]!;
    if (op & 0x80) {
      let offset = 0;
      let size = 0;
      for (let b = 0; b < 4; b++) if (op & (1 << b)) offset += delta[i++]! * 2 ** (8 * b);
      for (let b = 0; b < 3; b++) if (op & (0x10 << b)) size += delta[i++]! * 2 ** (8 * b);
      if (size === 0) size = 0x10000;
      if (offset + size > base.length || o + size > out.length || i > delta.length) throw new Error("delta copy out of range");
      base.copy(out, o, offset, offset + size);
      o += size;
    } else if (op !== 0) {
      if (i + op > delta.length || o + op > out.length) throw new Error("delta insert out of range");
      delta.copy(out, o, i, i + op);
      i += op;
      o += op;
    } else {
      throw new Error("delta opcode 0 is reserved");
    }
  }
  if (o !== out.length) throw new Error("delta result size mismatch");
  return out;
}
