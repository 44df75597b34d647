import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CatFile, readLoose } from "../../src/store/git.ts";
import { Store } from "../../src/store/store.ts";
import { makeRepo, type TempRepo } from "../helpers/repo.ts";

let repo: TempRepo;
afterEach(() => repo?.cleanup());

/** Every object of the repository as `git cat-file` prints it: type and bytes. */
function gitObjects(dir: string): Map<string, { type: string; data: Buffer }> {
  const git = (args: string[], input?: string): Buffer => execFileSync("git", args, { cwd: dir, input, maxBuffer: 1 << 28 });
  const all = git(["cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype)"]).toString().trim().split("\n");
  return new Map(all.map((line) => {
    const [oid, type] = line.split(" ");
    return [oid!, { type: type!, data: git(["cat-file", type!, oid!]) }];
  }));
}

/**
 * Objects rw wrote are read from their loose files without git (store/git.ts readLoose); what
 * is not loose, or a loose file that does not decode, is still git's to answer.
 */
describe("reading loose objects in-process", () => {
  it("gives exactly what git gives for every loose object, and leaves packed, missing and corrupt ones to git", async () => {
    repo = makeRepo({ init: true });
    for (const t of ["One", "Two", "Three"]) await repo.rwOk(["create", t, "--body", `about ${t}\n\nwith ünïcode`], { actor: "alice" });
    await repo.rwOk(["claim", "--next"], { actor: "alice" });
    const objects = join(repo.dir, ".git", "objects");
    const expected = gitObjects(repo.dir);
    let loose = 0;
    for (const [oid, want] of expected) {
      const got = readLoose(objects, oid);
      if (!got) continue; // packed (the template's first commits)
      loose++;
      expect({ type: got.type, data: got.data.toString("base64") }, oid).toEqual({ type: want.type, data: want.data.toString("base64") });
    }
    expect(loose).toBeGreaterThan(5);

    // A torn loose file is not decoded here (CatFile then asks git); a missing object is null.
    const victim = `ab${"c".repeat(38)}`;
    const file = join(objects, "ab", victim.slice(2));
    mkdirSync(join(objects, "ab"), { recursive: true });
    writeFileSync(file, Buffer.from([0x78, 0x01, 0x02]));
    expect(readLoose(objects, victim)).toBeUndefined();
    expect(readLoose(objects, "0".repeat(40))).toBeUndefined();
    const cat = new CatFile(join(repo.dir, ".git"), objects);
    try {
      expect(await cat.read("0".repeat(40))).toBeNull();
      rmSync(file);
      execFileSync("git", ["repack", "-adq"], { cwd: repo.dir });
      const packedOid = [...expected.keys()].find((oid) => expected.get(oid)!.type === "tree")!;
      expect(readLoose(objects, packedOid)).toBeUndefined();
      expect((await cat.read(packedOid))?.data.toString("base64")).toBe(expected.get(packedOid)!.data.toString("base64"));
    } finally {
      cat.close();
    }
  });

  it("reads a file on the tip as `git show <tip>:<path>` does, loose or packed", async () => {
    repo = makeRepo({ init: true });
    const id = (JSON.parse(await repo.rwOk(["create", "A task", "--json"], { actor: "alice" })) as { id: string }).id;
    const check = async (): Promise<void> => {
      const store = await Store.open({ cwd: repo.dir, env: {}, now: () => new Date() });
      try {
        const tip = (await store.tipCommit())!.oid;
        expect(tip).toBe(repo.git(["rev-parse", "refs/heads/rewind"]).trim());
        for (const path of ["STATE.md", "LAYOUT", `tasks/${id}.md`]) {
          expect(await store.readPath(path), path).toBe(repo.git(["show", `rewind:${path}`]));
          expect(await store.readPath(path, tip), path).toBe(repo.git(["show", `${tip}:${path}`]));
          expect(await store.readPath(path, "rewind"), path).toBe(repo.git(["show", `rewind:${path}`]));
        }
        expect(await store.readTaskFile(id)).toBe(repo.git(["show", `rewind:tasks/${id}.md`]));
        for (const missing of ["nope.md", "tasks/nope.md", "tasks", "STATE.md/x"]) expect(await store.readPath(missing), missing).toBeNull();
      } finally {
        store.close();
      }
    };
    await check();
    execFileSync("git", ["repack", "-adq"], { cwd: repo.dir });
    expect(readdirSync(join(repo.dir, ".git", "objects", "pack")).some((f) => f.endsWith(".pack"))).toBe(true);
    await check();
  });
});
