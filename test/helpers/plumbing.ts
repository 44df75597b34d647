import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { baseEnv } from "./repo.ts";

/**
 * Commits on the state ref the way a stranger would: with git plumbing only (hash-object,
 * a throw-away index, write-tree, commit-tree, update-ref with the old value), on top of the
 * current tip, keeping the rest of its tree. `null` content deletes a file. Returns the new commit.
 */
export function plumbCommit(dir: string, changes: Record<string, string | null>, opts: { ref?: string; message?: string } = {}): string {
  const ref = opts.ref ?? "refs/heads/rewind";
  const tmp = mkdtempSync(join(tmpdir(), "rw-plumb-"));
  const env = { ...baseEnv(), GIT_INDEX_FILE: join(tmp, "index"), GIT_AUTHOR_NAME: "Stranger", GIT_AUTHOR_EMAIL: "s@example.com", GIT_COMMITTER_NAME: "Stranger", GIT_COMMITTER_EMAIL: "s@example.com" };
  const git = (args: string[], input?: string): string => execFileSync("git", args, { cwd: dir, env, encoding: "utf8", ...(input !== undefined ? { input } : {}) }).trim();
  try {
    const old = git(["rev-parse", ref]);
    git(["read-tree", old]);
    for (const [path, content] of Object.entries(changes)) {
      if (content === null) git(["update-index", "--force-remove", path]);
      else git(["update-index", "--add", "--cacheinfo", `100644,${git(["hash-object", "-w", "--stdin"], content)},${path}`]);
    }
    const tree = git(["write-tree"]);
    const commit = git(["commit-tree", tree, "-p", old, "-m", opts.message ?? "a foreign commit"]);
    git(["update-ref", ref, commit, old]);
    return commit;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
