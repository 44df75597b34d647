import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ObjectWriter } from "../../../src/store/objects.ts";
import { makeRepo, type TempRepo } from "../../helpers/repo.ts";

let repo: TempRepo;
afterEach(() => repo?.cleanup());

const packs = (dir: string): string[] => readdirSync(join(dir, ".git", "objects", "pack")).filter((f) => f.endsWith(".pack"));
const looseDirs = (dir: string): string[] => readdirSync(join(dir, ".git", "objects")).filter((d) => /^[0-9a-f]{2}$/.test(d));

describe("ObjectWriter.batch", () => {
  it("writes a big batch as one pack that git reads back byte for byte and fsck accepts", async () => {
    repo = makeRepo();
    const writer = new ObjectWriter(join(repo.dir, ".git", "objects"));
    // Sizes around every boundary: empty, one byte, the 4 KiB stored/deflated switch, more than
    // one 65,535-byte stored block, and the pack header's 4-then-7-bit size encoding.
    const sizes = [0, 1, 15, 16, 127, 128, 4095, 4096, 65_535, 65_536, 140_000];
    const before = looseDirs(repo.dir);
    const blobs = Array.from({ length: 300 }, (_, i) => randomBytes(sizes[i % sizes.length]!));
    const oids = await writer.batch(256, async () => Promise.all(blobs.map((b) => writer.write("blob", b))));
    expect(packs(repo.dir)).toHaveLength(1);
    expect(looseDirs(repo.dir)).toEqual(before);
    for (const i of [0, 1, 7, 8, 9, 10, 150]) {
      const back = execFileSync("git", ["cat-file", "blob", oids[i]!], { cwd: repo.dir, maxBuffer: 1 << 20 });
      expect(back.equals(blobs[i]!), `blob ${i} (${blobs[i]!.length} bytes)`).toBe(true);
    }
    // The index rw wrote itself (no index-pack): git checks every entry's CRC, offset and checksum.
    const idx = join(repo.dir, ".git", "objects", "pack", packs(repo.dir)[0]!.replace(/\.pack$/, ".idx"));
    expect(execFileSync("git", ["verify-pack", "-v", idx], { cwd: repo.dir, encoding: "utf8", maxBuffer: 16 << 20 })).toMatch(/: ok\n$/);
    expect(execFileSync("git", ["fsck", "--full", "--strict", "--no-dangling"], { cwd: repo.dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })).toBe("");
  });

  it("leaves a small batch as loose objects, as every other write", async () => {
    repo = makeRepo();
    const writer = new ObjectWriter(join(repo.dir, ".git", "objects"));
    const oid = await writer.batch(256, () => writer.write("blob", Buffer.from("one\n")));
    expect(packs(repo.dir)).toEqual([]);
    expect(execFileSync("git", ["cat-file", "-p", oid], { cwd: repo.dir, encoding: "utf8" })).toBe("one\n");
  });
});
