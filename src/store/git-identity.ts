import { mkdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { atomicWrite } from "./cache-journal.ts";
import { git } from "./git.ts";
import { rwDir, type RepoPaths } from "./repo.ts";

/** user.name and user.email as git resolves them for a repository; either may be unset. */
export interface GitIdentity { name?: string; email?: string }

const CACHE_VERSION = 1;
/** A config file changed this recently may change again within one timestamp tick: not cached. */
const RACY_MS = 2_000;
const KEYS = "^(user\\.(name|email)|include\\.path|includeif\\..+\\.path)$";

/**
 * The git user, as `git config` says, remembered between commands: every write asked git, and
 * starting that process (with node's child-process modules) was ~8 ms of each `rw claim`.
 *
 * What is remembered is git's own answer, keyed by everything it was read from: the files git
 * reads for this repository (system, global, XDG, repository, worktree; each one's inode, size,
 * mtime and ctime, or its absence), HOME, XDG_CONFIG_HOME and the directory asked from. git is
 * asked again whenever one of them changes, and the answer is never remembered when it could
 * come from somewhere the key does not cover: an include, a `GIT_CONFIG*` variable (`git -c`,
 * GIT_CONFIG_GLOBAL, ...), a value from a file outside those, or a file changed in the last two
 * seconds (a second edit in the same timestamp tick would keep its size and mtime).
 *
 * NOTE: the remembered answer lives next to rw's state index (.git/rewind/cache): whoever can
 * write there can also write .git/config, which is where git itself takes the name from.
 */
export async function gitIdentity(repo: RepoPaths, env: NodeJS.ProcessEnv = process.env): Promise<GitIdentity> {
  const cwd = repo.worktree ?? repo.gitDir;
  const cacheable = !Object.keys(env).some((k) => (k.startsWith("GIT_CONFIG") && !FILE_CHOICE.has(k)) || STEERING.has(k));
  const files = configFiles(repo, env);
  const cachePath = join(rwDir(repo), "cache", `git-identity.v${CACHE_VERSION}.json`);
  const before = cacheable ? fileKey(cwd, env, files) : undefined;
  if (before?.key !== undefined) {
    const hit = readCache(cachePath, before.key);
    if (hit) return hit;
  }
  const r = await git(["config", "-z", "--show-origin", "--get-regexp", KEYS], { cwd });
  const { identity, origins, includes } = parseConfigOutput(r.stdout);
  if (before?.key !== undefined && before.settled && !includes && origins.every((o) => files.includes(resolve(cwd, o)))) {
    // Keyed by the files as they were before git read them: a change made meanwhile misses next time.
    try {
      mkdirSync(join(rwDir(repo), "cache"), { recursive: true });
      atomicWrite(cachePath, JSON.stringify({ key: before.key, ...identity }));
    } catch {
      // A read-only repository: git is asked every time, as before.
    }
  }
  return identity;
}

/** Variables that send git to another repository or config: git is asked every time then. */
const STEERING = new Set(["GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_CEILING_DIRECTORIES", "GIT_NAMESPACE"]);
/** Variables that only choose which files git reads: part of the key, and of the files. */
const FILE_CHOICE = new Set(["GIT_CONFIG_NOSYSTEM", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_GLOBAL"]);
const FALSE = new Set(["", "0", "false", "no", "off"]);

/**
 * Every file `git config` reads here, in git's order (git-config(1), FILES), existing or not.
 * NOTE: a guess that reads more files than git only widens the key; one that misses a file git
 * read is caught by the origins check before anything is remembered.
 */
function configFiles(repo: RepoPaths, env: NodeJS.ProcessEnv): string[] {
  const home = env.HOME ?? "";
  const files: string[] = [];
  if (FALSE.has((env.GIT_CONFIG_NOSYSTEM ?? "").toLowerCase())) files.push(env.GIT_CONFIG_SYSTEM ?? "/etc/gitconfig");
  if (env.GIT_CONFIG_GLOBAL !== undefined) files.push(env.GIT_CONFIG_GLOBAL);
  else files.push(env.XDG_CONFIG_HOME ? join(env.XDG_CONFIG_HOME, "git", "config") : join(home, ".config", "git", "config"), join(home, ".gitconfig"));
  files.push(join(repo.commonDir, "config"), join(repo.gitDir, "config.worktree"));
  return files.filter((f) => f !== "").map((f) => resolve(f));
}

function fileKey(cwd: string, env: NodeJS.ProcessEnv, files: string[]): { key?: string; settled: boolean } {
  const parts: string[] = [cwd, ...["HOME", "XDG_CONFIG_HOME", ...FILE_CHOICE].map((k) => `${k}=${env[k] ?? "-"}`)];
  const now = Date.now();
  let settled = true;
  for (const f of files) {
    try {
      const st = statSync(f, { bigint: true });
      parts.push(`${f}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`);
      // mtime, not ctime: a file someone wrote twice within one tick has a recent mtime. The
      // ctime is in the key, so an mtime set back by hand still changes it.
      if (now - Number(st.mtimeMs) < RACY_MS) settled = false;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== "ENOENT" && code !== "ENOTDIR") return { settled: false };
      parts.push(`${f}:-`);
    }
  }
  return { key: parts.join("\n"), settled };
}

function readCache(path: string, key: string): GitIdentity | undefined {
  try {
    const saved = JSON.parse(readFileSync(path, "utf8")) as { key?: unknown; name?: unknown; email?: unknown };
    if (saved.key !== key) return undefined;
    return {
      ...(typeof saved.name === "string" ? { name: saved.name } : {}),
      ...(typeof saved.email === "string" ? { email: saved.email } : {}),
    };
  } catch {
    return undefined;
  }
}

/** `git config -z --show-origin --get-regexp`: entries of origin NUL key (LF value) NUL; the last value wins. */
export function parseConfigOutput(out: string): { identity: GitIdentity; origins: string[]; includes: boolean } {
  const fields = out.split("\0");
  const identity: GitIdentity = {};
  const origins: string[] = [];
  let includes = false;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const origin = fields[i]!;
    const entry = fields[i + 1]!;
    const nl = entry.indexOf("\n");
    const key = (nl < 0 ? entry : entry.slice(0, nl)).toLowerCase();
    const value = nl < 0 ? "" : entry.slice(nl + 1);
    if (!origin.startsWith("file:")) includes = true; // command line, blob, stdin: not a file the key covers
    else origins.push(origin.slice("file:".length));
    if (key === "user.name") identity.name = value;
    else if (key === "user.email") identity.email = value;
    else includes = true;
  }
  return { identity, origins, includes };
}
