import { readFileSync, realpathSync, statSync, type Stats } from "node:fs";
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
  return findPlainRepo(cwd) ?? (await askGit(cwd));
}

/**
 * The common case found without a `git rev-parse` (a process spawn: ~8 ms of every command): a
 * work tree whose `.git` is a folder owned by this user, no GIT_* variable steering git, and a
 * config that names no other work tree, no bare repository and includes nothing. Anything else
 * (linked worktrees, bare repositories, submodules, GIT_DIR, ceilings, includes) is git's to say.
 */
export function findPlainRepo(cwd: string): RepoPaths | undefined {
  if (Object.keys(process.env).some((k) => STEERING.has(k))) return undefined;
  let dir: string;
  try {
    dir = realpathSync(cwd);
  } catch {
    return undefined;
  }
  const device = statOrUndefined(dir)?.dev;
  const mine = (st: Stats): boolean => !process.getuid || st.uid === process.getuid();
  for (;;) {
    const gitDir = join(dir, ".git");
    const st = statOrUndefined(gitDir);
    if (st) {
      // git's own checks: a folder (a `.git` file is a linked worktree or submodule) owned by this user (safe.directory).
      if (!st.isDirectory() || !mine(st) || !mine(statOrUndefined(dir)!)) return undefined;
      if (!statOrUndefined(join(gitDir, "HEAD")) || statOrUndefined(join(gitDir, "commondir"))) return undefined;
      let config: string;
      try {
        config = readFileSync(join(gitDir, "config"), "utf8");
      } catch {
        return undefined;
      }
      const settings = plainConfig(config);
      if (!settings) return undefined;
      return { worktree: dir, mainWorktree: dir, gitDir, commonDir: gitDir, objectFormat: settings.sha256 ? "sha256" : "sha1", bare: false };
    }
    // A bare repository or a git dir itself (HEAD and objects here): git's to say.
    if (statOrUndefined(join(dir, "HEAD")) && statOrUndefined(join(dir, "objects"))) return undefined;
    const up = dirname(dir);
    // git stops its search at a file system boundary (GIT_DISCOVERY_ACROSS_FILESYSTEM): so does this, and lets git say why.
    if (up === dir || statOrUndefined(up)?.dev !== device) return undefined;
    dir = up;
  }
}

/** Variables that move where git looks for a repository, or what its config says: git is asked then. */
const STEERING = new Set([
  "GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_CEILING_DIRECTORIES", "GIT_DISCOVERY_ACROSS_FILESYSTEM", "GIT_OBJECT_DIRECTORY",
  "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_CONFIG", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT", "GIT_NAMESPACE", "GIT_DEFAULT_HASH",
]);

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** What of a repository's config decides where things are: undefined when it may say more than this reads. */
function plainConfig(text: string): { sha256: boolean } | undefined {
  let section = "";
  let sha256 = false;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const head = /^\[\s*([A-Za-z0-9.-]+)(?:\s+"[^"]*")?\s*\]$/.exec(line);
    if (head) {
      section = head[1]!.toLowerCase();
      if (section === "include" || section === "includeif") return undefined;
      continue;
    }
    if (line.startsWith("[")) return undefined; // a section header this does not read
    const kv = /^([A-Za-z0-9-]+)\s*(?:=\s*(.*))?$/.exec(line);
    if (!kv) return undefined;
    const key = kv[1]!.toLowerCase();
    const value = (kv[2] ?? "true").trim().replace(/^"(.*)"$/, "$1").toLowerCase();
    if (section === "core" && (key === "worktree" || (key === "bare" && value !== "false"))) return undefined;
    if (section === "extensions" && key === "objectformat") {
      if (value !== "sha1" && value !== "sha256") return undefined;
      sha256 = value === "sha256";
    }
  }
  return { sha256 };
}

/** What `git rev-parse` says of `cwd` (exported for the test that holds the fast path to it). */
export async function askGit(cwd: string): Promise<RepoPaths> {
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

/**
 * The object ID a ref names, read without looking the object up (`rev-parse` of a full ref name
 * does not check that the commit exists): undefined when the ref does not exist.
 */
export async function refTarget(repo: RepoPaths, ref: string): Promise<string | undefined> {
  const r = await git(["rev-parse", "--verify", "--quiet", "--end-of-options", ref], { cwd: repo.gitDir });
  const oid = r.stdout.trim();
  return r.code === 0 && /^[0-9a-f]{40,64}$/.test(oid) ? oid : undefined;
}

/** The ref's reflog, newest first, read from the file (git's own `reflog` refuses a ref whose tip is missing). */
export async function readReflog(repo: RepoPaths, ref: string): Promise<Array<{ old: string; new: string; when: string; message: string }>> {
  let text = "";
  try {
    text = readFileSync(join(repo.commonDir, "logs", ref), "utf8");
  } catch {
    // no reflog: nothing to list
  }
  const out: Array<{ old: string; new: string; when: string; message: string }> = [];
  for (const line of text.split("\n")) {
    const m = /^([0-9a-f]+) ([0-9a-f]+) .*? (\d+) [+-]\d{4}\t?(.*)$/.exec(line);
    if (m) out.push({ old: m[1]!, new: m[2]!, when: new Date(Number(m[3]) * 1000).toISOString(), message: m[4] ?? "" });
  }
  return out.reverse();
}

/**
 * The error every command gives when the state ref names a commit (or tree) that is gone, e.g.
 * after `git gc --prune=now` raced a write: what happened and the ways back. Never "run rw init":
 * that would start an empty log beside the lost one.
 */
export function missingStateError(ref: string, oid: string, what = "commit"): RwError {
  const short = ref.replace(/^refs\/heads\//, "");
  return new RwError("corrupt", `${ref} points at ${what} ${oid.slice(0, 12)}, which is missing from the repository (removed by git gc or a broken clone?)`, {
    hint: `run \`rw doctor --repair\` to move ${short} back to the newest commit in its reflog that still exists (it says what is lost); or pick one yourself from .git/logs/${ref} with \`git update-ref ${ref} <commit>\`; or take the remote's copy: \`git fetch origin ${short} && git update-ref ${ref} FETCH_HEAD\``,
    data: { ref, oid, missing: what },
  });
}

/**
 * Refuses a store.ref that is a code branch: the branch checked out in any work tree, or an
 * existing ref whose tip is not an rw state commit (every one carries a `Rewind-Actor:` trailer).
 * rw would otherwise commit tasks/ and events/ onto the user's code.
 */
export async function checkStateRefIsOwn(repo: RepoPaths, ref: string, file: string): Promise<void> {
  const [worktrees, tip] = await Promise.all([
    git(["worktree", "list", "--porcelain"], { cwd: repo.gitDir }),
    git(["log", "-1", "--format=%B", "--end-of-options", ref, "--"], { cwd: repo.gitDir }),
  ]);
  const fix = `set store.ref in ${file} to a branch of its own, e.g. ref = "refs/heads/rewind"`;
  const checkedOut = worktrees.stdout.split("\n").filter((l) => l.startsWith("branch ")).map((l) => l.slice(7));
  if (checkedOut.includes(ref)) {
    throw new RwError("config", `${file}: store.ref is ${ref}, the branch checked out in a work tree: rw would commit its state onto your code`, { hint: fix, data: { file, key: "store.ref" } });
  }
  if (tip.code === 0 && !/^Rewind-Actor: /m.test(tip.stdout)) {
    throw new RwError("config", `${file}: store.ref is ${ref}, an existing branch that is not rw's state (its tip is not an rw commit)`, { hint: fix, data: { file, key: "store.ref" } });
  }
}
