import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { State } from "../domain/types.ts";

/** What the cache knows about one event shard, to bring the state forward by reading only new lines. */
export interface ShardMark { oid: string; lines: number; last_id: string }

export interface CacheFile {
  v: typeof CACHE_VERSION;
  ref: string;
  tip: string;
  shards: Record<string, ShardMark>;
  state: State;
}

/** Bump when State's shape or fold semantics change: an old cache is then rebuilt, never misread. */
export const CACHE_VERSION = 3;

const fileFor = (dir: string, ref: string): string => join(dir, "cache", `${ref.replace(/[^A-Za-z0-9._-]/g, "_")}.v${CACHE_VERSION}.json`);

/** The cached fold for some tip of `ref`, or undefined when missing, corrupt or of another version. */
export async function readCache(dir: string, ref: string): Promise<CacheFile | undefined> {
  try {
    const parsed = JSON.parse(await readFile(fileFor(dir, ref), "utf8")) as CacheFile;
    if (parsed.v !== CACHE_VERSION || parsed.ref !== ref || typeof parsed.tip !== "string" || !parsed.state?.tasks || !parsed.state.initiatives) return undefined;
    return parsed;
  } catch {
    return undefined;
  }
}

/** Atomic replace: concurrent writers each leave a whole file that is valid for the tip it names. */
export async function writeCache(dir: string, cache: CacheFile): Promise<void> {
  const path = fileFor(dir, cache.ref);
  await mkdir(join(dir, "cache"), { recursive: true });
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(tmp, JSON.stringify(cache));
  await rename(tmp, path);
}

export function cachePath(dir: string, ref: string): string {
  return fileFor(dir, ref);
}
