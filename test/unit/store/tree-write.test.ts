import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CatFile } from "../../../src/store/git.ts";
import { ObjectWriter } from "../../../src/store/objects.ts";
import { listTree, writeTreeWithChanges, type FileChanges } from "../../../src/store/tree-write.ts";
import { makeRepo, type TempRepo } from "../../helpers/repo.ts";

let repo: TempRepo;
let cat: CatFile | undefined;
afterEach(() => {
  cat?.close();
  repo?.cleanup();
});

/** git's own answer: the tree `git mktree` builds from a listing of blobs. */
function gitTree(dir: string, files: Map<string, string>, writer: (text: string) => string): string {
  const dirs = new Map<string, string[]>();
  for (const [path, text] of files) {
    const slash = path.lastIndexOf("/");
    const parent = slash < 0 ? "" : path.slice(0, slash);
    dirs.set(parent, [...(dirs.get(parent) ?? []), `100644 blob ${writer(text)}\t${path.slice(slash + 1)}`]);
  }
  const build = (prefix: string): string => {
    const lines = [...(dirs.get(prefix) ?? [])];
    const subdirs = new Set([...dirs.keys()].filter((d) => d !== prefix && d.startsWith(prefix === "" ? "" : `${prefix}/`)).map((d) => d.slice(prefix === "" ? 0 : prefix.length + 1).split("/")[0]!));
    for (const sub of subdirs) lines.push(`040000 tree ${build(prefix === "" ? sub : `${prefix}/${sub}`)}\t${sub}`);
    return execFileSync("git", ["mktree"], { cwd: dir, input: lines.map((l) => `${l}\n`).join(""), encoding: "utf8" }).trim();
  };
  return build("");
}

describe("writing trees from changes", () => {
  it("matches git mktree byte for byte across inserts, replacements and deletions, flat and nested", async () => {
    repo = makeRepo();
    cat = new CatFile(join(repo.dir, ".git"));
    const writer = new ObjectWriter(join(repo.dir, ".git", "objects"));
    const hashBlob = (text: string): string => execFileSync("git", ["hash-object", "-w", "--stdin"], { cwd: repo.dir, input: text, encoding: "utf8" }).trim();
    // Names chosen to sort differently as bytes and as "name/" (a.md vs a/, a-b vs a.b).
    const names = ["a.md", "a-b.md", "a.b", "b", "rw-0001.md", "rw-01.md", "Z.md", "x/a.md", "a/z.md", "tasks/t1.md", "tasks/t2.md", "é.md"];
    const files = new Map<string, string>();
    let tree: string | null = null;
    let seed = 7;
    const rand = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let round = 0; round < 25; round++) {
      const changes: FileChanges = new Map();
      for (let k = 0; k < 1 + rand(4); k++) {
        const name = names[rand(names.length)]!;
        if (files.has(name) && rand(3) === 0) {
          changes.set(name, null);
        } else {
          changes.set(name, Buffer.from(`round ${round} ${name}\n`));
        }
      }
      for (const [name, content] of changes) {
        if (content === null) files.delete(name);
        else files.set(name, content.toString());
      }
      tree = await writeTreeWithChanges(cat, writer, tree, changes, 20);
      expect(tree, `round ${round}`).toBe(gitTree(repo.dir, files, hashBlob));
      expect(Object.fromEntries(await listTree(cat, tree, 20))).toEqual(Object.fromEntries([...files].map(([p, t]) => [p, hashBlob(t)])));
    }
  });
});
