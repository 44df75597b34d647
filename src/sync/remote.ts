import { createHash } from "node:crypto";
import { RwError } from "../domain/errors.ts";
import { git, type GitResult } from "../store/git.ts";
import type { Actor, Store } from "../store/store.ts";

/**
 * Where the remote's state ref is kept locally. For a branch (`refs/heads/rewind`) that is the
 * usual remote-tracking ref (`refs/remotes/origin/rewind`), so a plain `git fetch` agrees with it;
 * for any other ref, and for remotes given as URLs, a namespace of our own.
 */
export function trackingRef(remote: string, ref: string): string {
  const name = /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(remote) ? remote : `url-${createHash("sha1").update(remote).digest("hex").slice(0, 12)}`;
  if (ref.startsWith("refs/heads/") && name === remote) return `refs/remotes/${name}/${ref.slice("refs/heads/".length)}`;
  return `refs/rewind-remotes/${name}/${ref.slice("refs/".length)}`;
}

function run(store: Store, args: string[]): Promise<GitResult> {
  // NOTE: run from the work tree so relative file:// URLs and remote names resolve as the user
  // expects; no auto-gc mid-sync (it would make a 60-claim loop spend its time repacking).
  return git(["-c", "gc.auto=0", "-c", "maintenance.auto=false", "--git-dir", store.repo.gitDir, ...args], { cwd: store.repo.worktree ?? store.repo.gitDir });
}

export async function remoteExists(store: Store, remote: string): Promise<boolean> {
  if (/[:/]/.test(remote)) return true; // a URL or a path
  const r = await run(store, ["remote"]);
  return r.stdout.split("\n").includes(remote);
}

/**
 * One ref, nothing else: no tags, no FETCH_HEAD, no submodules, no forced-update walk, no
 * commit-graph or maintenance afterwards (a remote claim fetches before every attempt).
 */
const FETCH_FLAGS = ["--quiet", "--no-tags", "--no-write-fetch-head", "--recurse-submodules=no", "--no-show-forced-updates", "--no-write-commit-graph", "--no-auto-maintenance"];

/**
 * `have`s from the state history only: by default git offers commits from every local ref, and a
 * code branch's commits share nothing with the state ref's (extra negotiation rounds). Object
 * IDs, not names: a tip that does not exist is fatal to `git fetch`.
 */
async function negotiationTips(store: Store, remote: string): Promise<string[]> {
  const [ours, fetched] = await Promise.all([store.cat.read(`${store.ref}^{commit}`), lastFetched(store, remote)]);
  return [...new Set([ours?.oid, fetched].filter((t): t is string => !!t))].map((t) => `--negotiation-tip=${t}`);
}

const LOCKED = /cannot lock ref|unable to create .*\.lock|File exists/i;

/** Fetches the remote's state ref into its tracking ref; returns the remote tip, or null when the remote has none. */
export async function fetchState(store: Store, remote: string): Promise<string | null> {
  const tracking = trackingRef(remote, store.ref);
  const args = ["fetch", ...FETCH_FLAGS, ...(await negotiationTips(store, remote)), remote, `+${store.ref}:${tracking}`];
  let r = await run(store, args);
  // Another rw process in this repository is fetching into the same tracking ref right now:
  // its lock is held for milliseconds, so wait and fetch again rather than fail the command.
  for (let i = 0; r.code !== 0 && LOCKED.test(r.stderr) && i < 50; i++) {
    await new Promise((done) => setTimeout(done, 5 + Math.random() * 20 * Math.min(i + 1, 10)));
    r = await run(store, args);
  }
  if (r.code !== 0) {
    if (/couldn't find remote ref/i.test(r.stderr)) return null;
    throw new RwError("git", `could not fetch ${store.ref} from ${remote}: ${lastLine(r.stderr)}`, {
      hint: `check \`git remote -v\` and that ${remote} is reachable; set [sync] remote in .rewind/config.toml to use another`,
      data: { remote },
    });
  }
  return lastFetched(store, remote);
}

/** The tip last fetched from `remote`, without contacting it (null when never fetched). */
export async function lastFetched(store: Store, remote: string): Promise<string | null> {
  // Through the store's long-lived cat-file, not a rev-parse process: this runs on every sync round.
  return (await store.cat.read(`${trackingRef(remote, store.ref)}^{commit}`))?.oid ?? null;
}

const RACE = /stale info|fetch first|non-fast-forward|failed to update ref|failed to lock|cannot lock ref|incorrect old value|already exists|but expected/i;

/**
 * Pushes `commit` to the remote's state ref only if the remote still points at `expected` (null:
 * has no such ref): `--force-with-lease=<ref>:<expected>`. Returns false when someone else pushed
 * first (the caller fetches, merges and tries again); throws on any other failure.
 */
export async function pushState(store: Store, remote: string, commit: string, expected: string | null, actor: Actor): Promise<boolean> {
  const ref = store.ref;
  // NOTE: --no-verify: the user's pre-push hooks guard code branches, not every claim an agent makes.
  const r = await run(store, ["push", "--porcelain", "--no-verify", "--recurse-submodules=no", `--force-with-lease=${ref}:${expected ?? ""}`, remote, `${commit}:${ref}`]);
  const line = r.stdout.split("\n").find((l) => l.includes(`:${ref}\t`));
  if (r.code === 0 && line && !line.startsWith("!")) {
    await recordPushed(store, remote, commit, actor);
    return true;
  }
  const reason = line ?? lastLine(r.stderr);
  if (RACE.test(reason) || RACE.test(r.stderr)) return false;
  throw new RwError("git", `could not push ${ref} to ${remote}: ${reason.replace(/\t/g, " ").trim()}`, {
    hint: "check that the remote accepts pushes to this ref (permissions, protected branches, hooks)",
    data: { remote },
  });
}

/**
 * The tracking ref follows an accepted push (the next fetch then has nothing to bring), through
 * the store's ref updater (in-process where git would do the same) rather than a process per
 * claim. It is a note of the last tip seen, not the arbiter: if another rw process in this
 * repository fetched meanwhile, its value stands and the next fetch settles it.
 */
async function recordPushed(store: Store, remote: string, commit: string, actor: Actor): Promise<void> {
  const tracking = trackingRef(remote, store.ref);
  const seen = await lastFetched(store, remote);
  if (seen === commit) return; // git push moved it already (a named remote whose fetch refspec covers the ref)
  const log = { name: actor.name, email: actor.email, when: new Date(), message: "rw sync: pushed" };
  await store.refs.cas(tracking, commit, seen, store.zeroOid, log).catch(() => false);
}

function lastLine(text: string): string {
  const lines = text.trim().split("\n").filter((l) => l.trim() !== "");
  return lines[lines.length - 1] ?? "unknown error";
}
