import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import type { GitObject } from "./git.ts";
import { applyDelta, MAX_OBJECT, OFS_DELTA, parseEntryHeader, type EntryHeader } from "./pack-format.ts";

/**
 * Objects in the repository's packs, read in-process: after maintenance (rw's own every 32
 * commits, or any `git gc`) the tip's trees and files are packed, and without this every command
 * started `git cat-file` to read them (a process start, ~3 ms of the command's own CPU and as
 * much again in git). Formats: gitformat-pack(5), pack index version 2 and pack version 2/3.
 *
 * NOTE: this is only a faster path. Anything it does not find or cannot read (no packs, an
 * index of version 1, a pack removed by a concurrent `git repack -d`, a malformed entry, a
 * delta whose base lives elsewhere) returns undefined and `git cat-file` answers, as before.
 */
export class PackReader {
  private packs: Pack[] | undefined;
  /** The pack folder's mtime when it was listed: a miss lists it again only if it changed. */
  private listedAt = -1;
  /** When the folder was last looked at (see RELIST_MS). */
  private checkedAt = 0;

  constructor(private readonly objectsDir: string) {}

  read(oid: string): GitObject | undefined {
    const id = Buffer.from(oid, "hex");
    if (id.length * 2 !== oid.length) return undefined;
    // A long-lived store (daemon, `rw mcp`) looks at the folder now and then even without a
    // miss: a pack `git repack -d` removed stays on disk while this process holds it open.
    if (this.packs && Date.now() - this.checkedAt > RELIST_MS) this.relist();
    const found = this.find(id) ?? (this.relist() ? this.find(id) : undefined);
    return found && { oid, type: found.type, data: found.data };
  }

  close(): void {
    for (const p of this.packs ?? []) p.close();
    this.packs = undefined;
    this.listedAt = -1;
  }

  private find(id: Buffer): Resolved | undefined {
    for (const pack of this.list()) {
      const offset = pack.offsetOf(id);
      if (offset === undefined) continue;
      const obj = pack.objectAt(offset, (base) => this.find(base));
      if (obj) return obj;
    }
    return undefined;
  }

  private list(): Pack[] {
    if (this.packs) return this.packs;
    const dir = join(this.objectsDir, "pack");
    let names: string[] = [];
    this.checkedAt = Date.now();
    try {
      this.listedAt = statSync(dir).mtimeMs;
      names = readdirSync(dir);
    } catch {
      this.listedAt = -1; // no pack folder yet
    }
    const idx = names.filter((n) => n.endsWith(".idx") && names.includes(`${n.slice(0, -4)}.pack`));
    return (this.packs = idx.map((n) => new Pack(join(dir, n), join(dir, `${n.slice(0, -4)}.pack`))));
  }

  /** Lists the pack folder again when it changed since (a repack); true if it did. */
  private relist(): boolean {
    this.checkedAt = Date.now();
    let now = -1;
    try {
      now = statSync(join(this.objectsDir, "pack")).mtimeMs;
    } catch {
      // gone: nothing to list
    }
    if (now === this.listedAt) return false;
    this.close();
    return true;
  }
}

interface Resolved { type: string; data: Buffer }

/** How often a store that keeps reading looks whether the pack folder changed. */
const RELIST_MS = 1_000;

const TYPES: readonly string[] = ["", "commit", "tree", "blob", "tag"];
/** Deeper than git ever writes (pack.depth is at most 4095): a cycle in a damaged pack stops here. */
const MAX_CHAIN = 5_000;
/** Resolved delta bases kept per pack, by offset: a long-lived store reads neighbours of one chain. */
const BASE_CACHE = 16;

class Pack {
  private idxFd: number | undefined;
  private packFd: number | undefined;
  private packSize = 0;
  private fanout: Uint32Array | undefined;
  private hashLen = 0;
  private broken = false;
  private readonly bases = new Map<number, Resolved>();

  constructor(private readonly idxPath: string, private readonly packPath: string) {}

  close(): void {
    for (const fd of [this.idxFd, this.packFd]) if (fd !== undefined) closeSync(fd);
    this.idxFd = this.packFd = undefined;
    this.bases.clear();
  }

  /** The object's offset in the pack, by binary search of its fan-out bucket; undefined if not here. */
  offsetOf(id: Buffer): number | undefined {
    if (!this.openIndex(id.length)) return undefined;
    const fanout = this.fanout!;
    const h = this.hashLen;
    const count = fanout[255]!;
    const lo = id[0]! === 0 ? 0 : fanout[id[0]! - 1]!;
    const hi = fanout[id[0]!]!;
    if (hi <= lo) return undefined;
    const names = this.readIdx(8 + 1024 + lo * h, (hi - lo) * h);
    if (!names) return undefined;
    let a = 0;
    let b = hi - lo;
    while (a < b) {
      const mid = (a + b) >>> 1;
      const cmp = names.compare(id, 0, h, mid * h, mid * h + h); // the entry's name against `id`
      if (cmp === 0) return this.offsetAt(lo + mid, count);
      if (cmp < 0) a = mid + 1;
      else b = mid;
    }
    return undefined;
  }

  private offsetAt(i: number, count: number): number | undefined {
    const h = this.hashLen;
    const small = 8 + 1024 + count * (h + 4);
    const entry = this.readIdx(small + i * 4, 4);
    if (!entry) return undefined;
    const word = entry.readUInt32BE(0);
    if ((word & 0x8000_0000) === 0) return word;
    const large = this.readIdx(small + count * 4 + (word & 0x7fff_ffff) * 8, 8);
    if (!large) return undefined;
    const offset = large.readUInt32BE(0) * 2 ** 32 + large.readUInt32BE(4);
    return Number.isSafeInteger(offset) ? offset : undefined;
  }

  /** The object at `offset`, deltas applied; a REF_DELTA base is looked up through `lookup` (any pack). */
  objectAt(offset: number, lookup: (id: Buffer) => Resolved | undefined): Resolved | undefined {
    if (!this.openPack()) return undefined;
    try {
      const deltas: Buffer[] = [];
      let at = offset;
      let base: Resolved | undefined;
      while (!base) {
        if (deltas.length > MAX_CHAIN) return undefined;
        const cached = this.bases.get(at);
        if (cached) {
          base = cached;
          break;
        }
        const entry = this.entryAt(at);
        if (!entry) return undefined;
        if (entry.type >= 1 && entry.type <= 4) {
          const data = this.inflate(entry.dataAt, entry.size);
          if (!data) return undefined;
          const found: Resolved = { type: TYPES[entry.type]!, data };
          if (deltas.length > 0) this.keepBase(at, found);
          base = found;
          break;
        }
        const delta = this.inflate(entry.dataAt, entry.size);
        if (!delta) return undefined;
        deltas.push(delta);
        if (entry.type === OFS_DELTA) at = entry.baseOffset!;
        else {
          base = lookup(entry.baseId!);
          if (!base) return undefined;
        }
      }
      const root: Resolved = base;
      // A kept base is handed out as a copy: the caller owns what it gets.
      let data = deltas.length === 0 && this.bases.get(offset) === root ? Buffer.from(root.data) : root.data;
      for (let i = deltas.length - 1; i >= 0; i--) data = applyDelta(data, deltas[i]!);
      return { type: root.type, data };
    } catch {
      return undefined; // malformed: git reports it
    }
  }

  private keepBase(offset: number, obj: Resolved): void {
    if (this.bases.size >= BASE_CACHE) this.bases.delete(this.bases.keys().next().value!);
    this.bases.set(offset, obj);
  }

  /** The header of the entry at `offset` (pack-format.ts). */
  private entryAt(offset: number): EntryHeader | undefined {
    const head = this.readPack(offset, Math.min(32 + this.hashLen, this.packSize - offset));
    return head && head.length > 0 ? parseEntryHeader(head, offset, this.hashLen) : undefined;
  }

  /**
   * The zlib stream at `at`, which must inflate to `size` bytes. The entry's compressed length
   * is not recorded anywhere but the stream itself: read what zlib could at worst need for
   * `size` bytes (stored blocks add 5 bytes per 16 KB), inflate ignores what follows the stream.
   */
  private inflate(at: number, size: number): Buffer | undefined {
    const end = this.packSize - this.hashLen;
    const want = Math.min(end - at, size + Math.ceil(size / 16_000) * 5 + 64);
    const raw = this.readPack(at, want);
    if (!raw) return undefined;
    if (size > MAX_OBJECT) return undefined;
    const data = inflateSync(raw, { maxOutputLength: Math.max(size, 1) });
    return data.length === size ? data : undefined;
  }

  private openIndex(hashLen: number): boolean {
    if (this.broken) return false;
    if (this.fanout) return hashLen === this.hashLen;
    try {
      this.idxFd = openSync(this.idxPath, "r");
      const head = Buffer.alloc(8 + 1024);
      if (readSync(this.idxFd, head, 0, head.length, 0) !== head.length || head.readUInt32BE(0) !== 0xff744f63 || head.readUInt32BE(4) !== 2) {
        return this.fail();
      }
      const fanout = new Uint32Array(256);
      for (let i = 0; i < 256; i++) fanout[i] = head.readUInt32BE(8 + i * 4);
      for (let i = 1; i < 256; i++) if (fanout[i]! < fanout[i - 1]!) return this.fail();
      // The index ends with the pack's checksum and its own, one hash each: that says which hash.
      const size = fstatSync(this.idxFd).size;
      const count = fanout[255]!;
      const fits = (h: number): boolean => size >= 8 + 1024 + count * (h + 8) + 2 * h;
      this.hashLen = fits(hashLen) ? hashLen : 0;
      if (this.hashLen === 0) return this.fail();
      this.fanout = fanout;
      return true;
    } catch {
      return this.fail();
    }
  }

  private openPack(): boolean {
    if (this.packFd !== undefined) return true;
    try {
      this.packFd = openSync(this.packPath, "r");
      this.packSize = fstatSync(this.packFd).size;
      const head = this.readPack(0, 12);
      const version = head?.readUInt32BE(4);
      if (!head || head.toString("latin1", 0, 4) !== "PACK" || (version !== 2 && version !== 3)) return this.fail();
      return true;
    } catch {
      return this.fail();
    }
  }

  private fail(): false {
    this.close();
    this.broken = true;
    return false;
  }

  private readIdx(position: number, length: number): Buffer | undefined {
    return readExactly(this.idxFd!, position, length);
  }

  private readPack(position: number, length: number): Buffer | undefined {
    return readExactly(this.packFd!, position, length);
  }
}

function readExactly(fd: number, position: number, length: number): Buffer | undefined {
  if (length < 0) return undefined;
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, position + got);
    if (n === 0) return undefined;
    got += n;
  }
  return buf;
}
