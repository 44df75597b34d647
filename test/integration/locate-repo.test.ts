import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { askGit, findPlainRepo, locateRepo } from "../../src/store/repo.ts";

const root = mkdtempSync(join(tmpdir(), "rw-locate-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const git = (cwd: string, ...args: string[]): string => execFileSync("git", args, { cwd, encoding: "utf8", env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1" } });

function repo(name: string, ...initArgs: string[]): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  git(dir, "init", "-q", ...initArgs);
  git(dir, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-q", "--allow-empty", "-m", "first");
  return dir;
}

/**
 * locateRepo answers the common case from the file system (no `git rev-parse` spawn) and asks
 * git otherwise: either way it must say exactly what git says, and refuse what git refuses.
 */
describe("locating the repository", () => {
  it("says what git rev-parse says, from a work tree, a subfolder, a symlink, sha256, a linked worktree, a bare repository and core.worktree", async () => {
    const plain = repo("plain");
    mkdirSync(join(plain, "src", "deep"), { recursive: true });
    const sha = repo("sha", "--object-format=sha256");
    const bare = join(root, "bare.git");
    git(root, "init", "-q", "--bare", bare);
    const linked = join(root, "linked");
    git(plain, "worktree", "add", "-q", "--detach", linked);
    symlinkSync(plain, join(root, "via-link"));
    const moved = repo("moved");
    const tree = join(root, "moved-tree");
    mkdirSync(tree);
    git(moved, "config", "core.worktree", tree);
    for (const cwd of [plain, join(plain, "src", "deep"), join(root, "via-link", "src"), sha, bare, linked, moved, join(plain, ".git")]) {
      expect(await locateRepo(cwd), cwd).toEqual(await askGit(cwd));
    }
    expect((await locateRepo(sha)).objectFormat).toBe("sha256");
    // The plain cases took the fast path; the others were git's to answer.
    for (const cwd of [plain, join(plain, "src", "deep"), join(root, "via-link", "src"), sha]) expect(findPlainRepo(cwd), cwd).toBeDefined();
    for (const cwd of [bare, linked, moved, join(plain, ".git")]) expect(findPlainRepo(cwd), cwd).toBeUndefined();
  });

  it("refuses a folder outside any repository as git does", async () => {
    const outside = mkdtempSync(join(tmpdir(), "rw-not-a-repo-"));
    try {
      await expect(locateRepo(outside)).rejects.toThrow(/not a git repository/);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
