import { dirname, join, basename } from "node:path";
import { RwError } from "../domain/errors.ts";
import { git } from "./git.ts";

/** Where things live for one repository, resolved once per process. */
export interface RepoPaths {
  /** The work tree the command runs in (undefined in a bare repository). */
  worktree: string | undefined;
  /** The main work tree, where `.rewind/` lives (undefined in a bare repository). */
  mainWorktree: string | undefined;
  gitDir: string;
  /** Shared by every linked worktree: objects, refs and rw's own files live here. */
  commonDir: string;
  objectFormat: "sha1" | "sha256";
  bare: boolean;
}

/** rw's private files (state cache, daemon lock, logs): one place per repository, never committed. */
export const rwDir = (repo: RepoPaths): string => join(repo.commonDir, "rewind");

export async function locateRepo(cwd: string): Promise<RepoPaths> {
  const base = ["rev-parse", "--path-format=absolute", "--git-dir", "--git-common-dir", "--is-bare-repository", "--show-object-format"];
  let r = await git([...base, "--show-toplevel"], { cwd });
  if (r.code !== 0 && /must be run in a work tree|bare/i.test(r.stderr)) r = await git(base, { cwd });
  if (r.code !== 0) {
    if (/not a git repository/i.test(r.stderr)) {
      throw new RwError("not_a_repo", `not a git repository: ${cwd}`, { hint: "run rw inside a git repository, or `git init` one first" });
    }
    throw new RwError("git", `git rev-parse failed: ${r.stderr.trim()}`);
  }
  const [gitDir, commonDir, bareText, format, top] = r.stdout.trimEnd().split("\n");
  const bare = bareText === "true";
  const worktree = bare ? undefined : top;
  // The main work tree is the parent of the common dir when that is a `.git` folder.
  const mainWorktree = bare ? undefined : basename(commonDir!) === ".git" ? dirname(commonDir!) : worktree;
  return {
    worktree,
    mainWorktree,
    gitDir: gitDir!,
    commonDir: commonDir!,
    objectFormat: format === "sha256" ? "sha256" : "sha1",
    bare,
  };
}
