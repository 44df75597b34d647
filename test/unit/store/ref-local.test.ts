import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { casLooseRef, localRefSupport, readLooseRef } from "../../../src/store/ref-local.ts";

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const ZERO = "0".repeat(40);
const REF = "refs/heads/state";
const env = { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@x", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@x" };
const git = (...args: string[]): string => execFileSync("git", args, { cwd: dir, env, encoding: "utf8" }).trim();
const gitDir = (): string => join(dir, ".git");
const who = (message: string) => ({ name: "rw <test>", email: "rw@example.com", when: new Date(Date.UTC(2026, 11, 2, 1, 2, 3)), message });

/** A repository with two commits on REF, made and moved by git itself (so the reflog exists). */
function repo(): { a: string; b: string } {
  dir = mkdtempSync(join(tmpdir(), "rw-ref-"));
  git("init", "-q");
  const tree = git("mktree", "--missing");
  const a = execFileSync("git", ["commit-tree", tree, "-m", "a"], { cwd: dir, env, encoding: "utf8" }).trim();
  const b = execFileSync("git", ["commit-tree", tree, "-p", a, "-m", "b"], { cwd: dir, env, encoding: "utf8" }).trim();
  git("update-ref", REF, a);
  return { a, b };
}

describe("moving a loose ref in-process with git's lock protocol", () => {
  it("moves it like update-ref: git reads the new tip, the reflog line, and fsck is clean", () => {
    const { a, b } = repo();
    expect(localRefSupport(gitDir())).toBe(true);
    expect(casLooseRef(gitDir(), REF, b, a, ZERO, who("rw: claim x"))).toBe("moved");
    expect(git("rev-parse", REF)).toBe(b);
    expect(readLooseRef(gitDir(), REF)).toBe(b);
    expect(git("reflog", "show", "--format=%H %gs", REF).split("\n")[0]).toBe(`${b} rw: claim x`);
    expect(git("log", "-g", "-1", "--format=%gn <%ge>", REF)).toBe("rw test <rw@example.com>"); // angle brackets in a name dropped, as git does
    expect(existsSync(join(gitDir(), `${REF}.lock`))).toBe(false);
    expect(git("fsck", "--no-progress")).toBe("");
  });

  it("loses when the old value differs or git holds the lock, and leaves the ref and the lock as they were", () => {
    const { a, b } = repo();
    expect(casLooseRef(gitDir(), REF, a, b, ZERO, who("stale"))).toBe("lost");
    expect(git("rev-parse", REF)).toBe(a);
    writeFileSync(join(gitDir(), `${REF}.lock`), ""); // another writer between prepare and commit
    expect(casLooseRef(gitDir(), REF, b, a, ZERO, who("locked"))).toBe("busy");
    expect(existsSync(join(gitDir(), `${REF}.lock`)), "someone else's lock is never removed").toBe(true);
    expect(git("rev-parse", REF)).toBe(a);
    expect(git("reflog", "show", "--format=%gs", REF).split("\n")).toHaveLength(1);
  });

  it("reads the old value from packed-refs when the ref has no loose file", () => {
    const { a, b } = repo();
    git("pack-refs", "--all", "--prune");
    expect(readLooseRef(gitDir(), REF)).toBeUndefined();
    expect(casLooseRef(gitDir(), REF, b, ZERO, ZERO, who("as if new"))).toBe("lost");
    expect(casLooseRef(gitDir(), REF, b, a, ZERO, who("packed"))).toBe("moved");
    expect(git("rev-parse", REF)).toBe(b);
  });

  it("leaves it to git where it would do more: no reflog yet, hooks, other ref storage", () => {
    const { a, b } = repo();
    rmSync(join(gitDir(), "logs", REF));
    expect(casLooseRef(gitDir(), REF, b, a, ZERO, who("no reflog"))).toBe("unsupported");
    expect(git("rev-parse", REF)).toBe(a);
    writeFileSync(join(gitDir(), "hooks", "reference-transaction"), "#!/bin/sh\nexit 0\n");
    chmodSync(join(gitDir(), "hooks", "reference-transaction"), 0o755);
    expect(localRefSupport(gitDir())).toBe(false);
    rmSync(join(gitDir(), "hooks", "reference-transaction"));
    git("config", "core.hooksPath", ".githooks");
    expect(localRefSupport(gitDir())).toBe(false);
    git("config", "--unset", "core.hooksPath");
    git("config", "extensions.refStorage", "reftable");
    expect(localRefSupport(gitDir())).toBe(false);
  });
});
