import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PackReader } from "../../src/store/pack-read.ts";
import { makeRepo, type TempRepo } from "../helpers/repo.ts";
import { tmpdir } from "node:os";

let repo: TempRepo;
afterEach(() => repo?.cleanup());

/** Every object of the repository as `git cat-file --batch` prints it: type and bytes (base64). */
function gitObjects(dir: string): Map<string, string> {
  const run = (args: string[], input?: string): Buffer => execFileSync("git", args, { cwd: dir, input, maxBuffer: 1 << 28 });
  const ids = run(["cat-file", "--batch-all-objects", "--batch-check=%(objectname)"]).toString().trim().split("\n");
  const out = run(["cat-file", "--batch"], `${ids.join("\n")}\n`);
  const objects = new Map<string, string>();
  let at = 0;
  while (at < out.length) {
    const nl = out.indexOf(10, at);
    const [oid, type, size] = out.toString("utf8", at, nl).split(" ");
    const data = out.subarray(nl + 1, nl + 1 + Number(size));
    objects.set(oid!, `${type} ${data.toString("base64")}`);
    at = nl + 1 + Number(size) + 1;
  }
  return objects;
}

function readAll(objectsDir: string, ids: Iterable<string>): Map<string, string | undefined> {
  const reader = new PackReader(objectsDir);
  try {
    return new Map([...ids].map((oid) => {
      const o = reader.read(oid);
      return [oid, o && `${o.type} ${o.data.toString("base64")}`];
    }));
  } finally {
    reader.close();
  }
}

/** A repository rw has written to for a while: appended event files and rewritten views, so git's deltas have something to work on. */
async function busyRepo(): Promise<TempRepo> {
  const r = makeRepo({ init: true });
  const ids: string[] = [];
  for (let i = 0; i < 8; i++) ids.push((JSON.parse(await r.rwOk(["create", `Task ${i}`, "--body", `about ${i}\n\n${"details ".repeat(40 * i)}`, "--json"], { actor: "alice" })) as { id: string }).id);
  for (const id of ids.slice(0, 5)) {
    await r.rwOk(["claim", id], { actor: "alice" });
    await r.rwOk(["note", id, `progress on ${id}: ${"x".repeat(300)}`], { actor: "alice" });
    await r.rwOk(["done", id, "--force"], { actor: "alice" });
  }
  return r;
}

/**
 * Packed objects are read without starting git (store/pack-read.ts): after maintenance or a
 * `git gc` that is where the tip's trees and files are. Each is held to git's own answer.
 */
describe("reading packed objects in-process", () => {
  it("gives exactly what git gives for every object after a deep delta repack, with 64-bit offsets too", async () => {
    repo = await busyRepo();
    execFileSync("git", ["repack", "-adfq", "--depth=50", "--window=250"], { cwd: repo.dir });
    const objectsDir = join(repo.dir, ".git", "objects");
    const expected = gitObjects(repo.dir);
    expect(expected.size).toBeGreaterThan(100);
    const packDir = join(objectsDir, "pack");
    const pack = readdirSync(packDir).find((f) => f.endsWith(".pack"))!;
    // The pack really holds deltas (OFS_DELTA), or this would test only whole objects.
    const verify = execFileSync("git", ["verify-pack", "-v", join(packDir, pack)], { encoding: "utf8" });
    expect(verify.split("\n").filter((l) => / \d+ [0-9a-f]{40}$/.test(l.trim())).length).toBeGreaterThan(10);
    expect(readAll(objectsDir, expected.keys())).toEqual(expected);

    // Rewrite the index so every object past byte 64 of the pack goes through the 64-bit offset table.
    const idx = join(packDir, pack.replace(/\.pack$/, ".idx"));
    chmodSync(idx, 0o644);
    rmSync(idx);
    execFileSync("git", ["index-pack", "--index-version=2,64", join(packDir, pack)], { cwd: repo.dir });
    expect(readAll(objectsDir, expected.keys())).toEqual(expected);

    // REF_DELTA entries: pack-objects names delta bases by ID unless given --delta-base-offset.
    const fresh = join(repo.dir, "fresh");
    mkdirSync(fresh);
    execFileSync("git", ["pack-objects", "-q", "--window=250", "--depth=50", join(fresh, "pack")], { cwd: repo.dir, input: `${[...expected.keys()].join("\n")}\n` });
    rmSync(packDir, { recursive: true });
    renameSync(fresh, packDir);
    expect(readAll(objectsDir, expected.keys())).toEqual(expected);
  });

  it("leaves to git what it cannot read: a missing object, a truncated pack, an index of another version", async () => {
    repo = await busyRepo();
    execFileSync("git", ["repack", "-adq"], { cwd: repo.dir });
    const objectsDir = join(repo.dir, ".git", "objects");
    const expected = gitObjects(repo.dir);
    const packDir = join(objectsDir, "pack");
    const pack = join(packDir, readdirSync(packDir).find((f) => f.endsWith(".pack"))!);
    const reader = new PackReader(objectsDir);
    expect(reader.read("0".repeat(40))).toBeUndefined();
    reader.close();
    // A pack cut short: the objects near its end are not read (and nothing throws).
    const bytes = readFileSync(pack);
    chmodSync(pack, 0o644);
    writeFileSync(pack, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const cut = readAll(objectsDir, expected.keys());
    expect([...cut.values()].filter((v) => v === undefined).length).toBeGreaterThan(0);
    for (const [oid, got] of cut) if (got !== undefined) expect(got, oid).toBe(expected.get(oid));
    // Garbage in the middle of the pack: whatever is read is still right.
    const garbled = Buffer.from(bytes);
    for (let i = 200; i < garbled.length - 100; i += 97) garbled[i] = (garbled[i]! * 31 + 7) & 0xff;
    writeFileSync(pack, garbled);
    for (const [oid, got] of readAll(objectsDir, expected.keys())) if (got !== undefined) expect(got, oid).toBe(expected.get(oid));
    // An index this reader does not know (version 1): nothing is read from it.
    writeFileSync(pack, bytes);
    const idx = pack.replace(/\.pack$/, ".idx");
    chmodSync(idx, 0o644);
    rmSync(idx);
    execFileSync("git", ["index-pack", "--index-version=1", pack], { cwd: repo.dir });
    expect([...readAll(objectsDir, expected.keys()).values()].every((v) => v === undefined)).toBe(true);
  });

  it("after `git gc`, rw show, ready and claim start no `git cat-file` and answer as before", async () => {
    repo = await busyRepo();
    const id = (JSON.parse(await repo.rwOk(["list", "--json"])) as { tasks: Array<{ id: string }> }).tasks[0]!.id;
    const before = { show: await repo.rwOk(["show", id, "--json"]), ready: await repo.rwOk(["ready", "--json"]) };
    execFileSync("git", ["gc", "-q", "--aggressive"], { cwd: repo.dir });
    rmSync(join(repo.dir, ".git", "rewind", "cache"), { recursive: true, force: true }); // the tip's files are read from the packs again
    const bin = mkdtempSync(join(tmpdir(), "rw-gitlog-"));
    try {
      const log = join(bin, "calls.log");
      const realGit = execFileSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).trim();
      writeFileSync(join(bin, "git"), `#!/bin/sh\necho "$*" >> '${log}'\nexec '${realGit}' "$@"\n`);
      chmodSync(join(bin, "git"), 0o755);
      writeFileSync(log, "");
      const env = { PATH: `${bin}:${process.env.PATH}` };
      expect(await repo.rwOk(["show", id, "--json"], { env })).toBe(before.show);
      expect(await repo.rwOk(["ready", "--json"], { env })).toBe(before.ready);
      await repo.rwOk(["claim", "--next"], { actor: "bob", env });
      expect(readFileSync(log, "utf8").split("\n").filter((l) => l.includes("cat-file"))).toEqual([]);
      expect((await repo.rw(["doctor"])).code).toBe(0);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it("a long-lived reader lets go of packs a repack removed, and reads the new ones", async () => {
    repo = await busyRepo();
    execFileSync("git", ["repack", "-adq"], { cwd: repo.dir });
    const objectsDir = join(repo.dir, ".git", "objects");
    const expected = gitObjects(repo.dir);
    const reader = new PackReader(objectsDir);
    const packFds = (): string[] => readdirSync("/proc/self/fd").flatMap((fd) => {
      try {
        const target = readlinkSync(`/proc/self/fd/${fd}`);
        return target.includes(join(objectsDir, "pack")) ? [target] : [];
      } catch {
        return [];
      }
    });
    try {
      const [first] = expected.keys();
      expect(reader.read(first!)).toBeDefined();
      expect(packFds().some((t) => t.endsWith(".pack"))).toBe(true);
      await repo.rwOk(["create", "After the first repack"], { actor: "alice" });
      execFileSync("git", ["repack", "-adq"], { cwd: repo.dir });
      await new Promise((r) => setTimeout(r, 1_100));
      // Objects the old pack also holds: every read could be answered from the deleted file.
      for (const [oid, want] of expected) {
        const o = reader.read(oid);
        expect(o && `${o.type} ${o.data.toString("base64")}`, oid).toBe(want);
      }
      expect(packFds().filter((t) => t.includes("(deleted)"))).toEqual([]);
      for (const [oid, want] of gitObjects(repo.dir)) {
        const o = reader.read(oid);
        expect(o && `${o.type} ${o.data.toString("base64")}`, oid).toBe(want);
      }
    } finally {
      reader.close();
    }
  });
});
