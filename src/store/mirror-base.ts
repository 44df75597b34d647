import { git } from "./git.ts";
import type { Store } from "./store.ts";

/** How far back a saved file's version is looked for: older copies are compared with the tip. */
const MAX_COMMITS = 200;

/**
 * The version of a mirror file the human started from, found by its `updated_at`: rw stamps it
 * on every write and ignores edits to it, so a file saved from an older copy (an editor buffer
 * opened before a claim, or a mirror whose index was lost) still says which version it was.
 * Diffing against that version instead of the tip means the human's save records only what they
 * changed, and never reverts what rw wrote meanwhile. Rare (the index usually has the base), so
 * one `git log` over the file's history is affordable.
 */
export async function recordedVersion(store: Store, path: string, updatedAt: string, updatedAtOf: (text: string) => string | undefined): Promise<Buffer | undefined> {
  const r = await git(["log", "-n", String(MAX_COMMITS), "--format=%H", store.ref, "--", path], { cwd: store.repo.worktree ?? store.repo.gitDir });
  if (r.code !== 0) return undefined;
  for (const commit of r.stdout.split("\n").filter(Boolean)) {
    const blob = await store.cat.read(`${commit}:${path}`);
    if (!blob) continue;
    try {
      if (updatedAtOf(blob.data.toString("utf8")) === updatedAt) return blob.data;
    } catch {
      // a version rw cannot read back is not a base
    }
  }
  return undefined;
}
