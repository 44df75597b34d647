import { closeSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { TaskFileProblem } from "../format/task-parse.ts";
import { me, ownerIsLive, ownerLine, parseOwner } from "./owner.ts";
import { rwDir, type RepoPaths } from "./repo.ts";

/**
 * What rw last wrote into (or read from) the working mirror `.rewind/`: for each file the blob
 * it was synced with (the "base" a human's edit is diffed against) and the stat seen then, so
 * an unchanged file costs one stat. Kept under <git-common-dir>/rewind/; a cache-like journal:
 * losing it makes the next sync compare files with the tip instead.
 */
export interface MirrorRecord { oid: string; mtimeMs: number; size: number }

/**
 * A new file's chosen ID. After the file was renamed to `<id>.md` the entry stays for a day with
 * `base` (the bytes the task was created from) and `renamed_at`: an editor that still has the
 * old name open saves it again, and that save edits the task instead of creating a second one.
 */
export interface PendingFile { oid: string; id: string; base?: string; renamed_at?: number }

export interface MirrorIndex {
  v: 1;
  ref: string;
  /** The tip the mirror was last refreshed from ("" never). */
  tip: string;
  /** Each mirrored folder's subtree at that tip: an unchanged subtree means none of its files needs rewriting. */
  trees?: Record<string, string>;
  files: Record<string, MirrorRecord>;
  /** Files that could not be recorded, with the bytes (oid) that were refused. */
  problems: Record<string, { oid: string; list: TaskFileProblem[]; /** Set when the bytes were saved during this agent session (never recorded). */ agent?: string }>;
  /** New files whose task ID was chosen before committing, so a crash never creates a task twice. */
  pending: Record<string, PendingFile>;
}

export const mirrorRoot = (repo: RepoPaths): string | undefined => (repo.mainWorktree ? join(repo.mainWorktree, ".rewind") : undefined);
const indexPath = (repo: RepoPaths): string => join(rwDir(repo), "mirror.json");
export const syncLockPath = (repo: RepoPaths): string => join(rwDir(repo), "mirror.lock");

export function emptyMirrorIndex(ref: string): MirrorIndex {
  return { v: 1, ref, tip: "", trees: {}, files: {}, problems: {}, pending: {} };
}

/**
 * The daemon reads the index once per round: at 10,000 files parsing it each time cost more than
 * the round's real work. The last index read or written by this process is kept with the
 * identity of its file (a rename per write gives each version a new inode), and reused while
 * the file on disk is still that one.
 */
let cached: { key: string; json: string; index: MirrorIndex } | undefined;

function fileKey(path: string): string | undefined {
  const st = statSync(path, { bigint: true, throwIfNoEntry: false });
  return st ? `${path}:${st.dev}:${st.ino}:${st.mtimeNs}:${st.size}` : undefined;
}

/** Forgets the in-memory copy: a round that failed half-way may have changed it. */
export function forgetMirrorIndex(): void {
  cached = undefined;
}

export async function readMirrorIndex(repo: RepoPaths, ref: string): Promise<MirrorIndex> {
  const path = indexPath(repo);
  const key = fileKey(path);
  if (key !== undefined && cached?.key === key && cached.index.ref === ref) return cached.index;
  try {
    const json = await readFile(path, "utf8");
    const parsed = JSON.parse(json) as MirrorIndex;
    if (parsed.v === 1 && parsed.ref === ref && parsed.files && parsed.problems && parsed.pending) {
      if (key !== undefined) cached = { key, json, index: parsed };
      return parsed;
    }
  } catch {
    // missing or corrupt: start over; the next sync compares files with the tip
  }
  cached = undefined;
  return emptyMirrorIndex(ref);
}

export async function writeMirrorIndex(repo: RepoPaths, index: MirrorIndex, fileCount?: number, held = false): Promise<void> {
  const path = indexPath(repo);
  const json = JSON.stringify(index);
  const key = fileKey(path);
  // Unchanged since this process last wrote or read it: skip rewriting a megabyte.
  if (!(key !== undefined && cached?.key === key && cached.json === json)) {
    await mkdir(rwDir(repo), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, json);
    await rename(tmp, path);
    const written = fileKey(path);
    cached = written === undefined ? undefined : { key: written, json, index };
  }
  if (fileCount !== undefined) await writeFile(stampPath(repo), JSON.stringify({ tip: index.tip, count: fileCount, ...(held ? { held } : {}) }));
}

/**
 * The sync stamp: the tip and number of task files after the last complete round. Its mtime is
 * the round's time, so a command can tell "nothing changed" from stats alone, without loading
 * the index or a YAML parser.
 */
export const stampPath = (repo: RepoPaths): string => join(rwDir(repo), "mirror.stamp");

export function readStamp(repo: RepoPaths): { tip: string; count: number; mtimeMs: number; held: boolean } | undefined {
  try {
    const path = stampPath(repo);
    const st = statSync(path);
    const parsed = JSON.parse(readFileSync(path, "utf8")) as { tip: string; count: number; held?: boolean };
    return { tip: parsed.tip, count: parsed.count, mtimeMs: st.mtimeMs, held: parsed.held === true };
  } catch {
    return undefined;
  }
}

/**
 * A short-lived lock around one sync round, so the daemon and a command (or two commands) never
 * ingest the same edit twice. O_EXCL create; the file holds the owner's PID and process start
 * time, so a lock left by a dead process (or one whose PID was reused since) is taken over at
 * once and reported through `onStale`.
 * Returns a release function, or null when another live process holds it.
 */
export function trySyncLock(repo: RepoPaths, onStale?: (line: string) => void): (() => void) | null {
  const path = syncLockPath(repo);
  const mine = me();
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeFileSync(fd, ownerLine(mine));
      closeSync(fd);
      return () => {
        try {
          // Only our own lock: a process that judged us dead (it cannot, while we live) must not lose its lock.
          if (parseOwner(readFileSync(path, "utf8"))?.pid === mine.pid) unlinkSync(path);
        } catch {
          // already gone: nothing to release
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") {
        mkdirSync(rwDir(repo), { recursive: true });
        continue;
      }
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      let text: string;
      try {
        text = readFileSync(path, "utf8");
      } catch {
        continue; // released meanwhile
      }
      const holder = parseOwner(text);
      // An empty file is a holder between create and write: alive by definition, for a moment.
      if (holder === undefined ? text === "" : ownerIsLive(holder)) return null;
      try {
        // Remove exactly the stale file we judged (a rename is atomic; a fresh lock by someone else stays).
        const aside = `${path}.stale-${process.pid}`;
        renameSync(path, aside);
        if (readFileSync(aside, "utf8") === text) unlinkSync(aside);
        else renameSync(aside, path); // not the one we judged: put it back
        onStale?.(`took over a stale mirror.lock (${holder ? `pid ${holder.pid} is gone or is another process now` : "unreadable owner"})`);
      } catch {
        // someone else broke it first
      }
    }
  }
  return null;
}
