import { RwError } from "../domain/errors.ts";
import { git } from "./git.ts";

/**
 * Moves `ref` from `expected` to `next` only if it still points at `expected` (compare-and-swap).
 * Git takes `<ref>.lock` with O_EXCL and checks the old value under the lock, so of any number of
 * racing writers exactly one wins. Returns false when another writer got there first.
 */
export async function compareAndSwap(gitDir: string, ref: string, next: string, expected: string | null, zeroOid: string, reason: string): Promise<boolean> {
  const r = await git(["--git-dir", gitDir, "update-ref", "-m", reason, ref, next, expected ?? zeroOid], { cwd: gitDir });
  if (r.code === 0) return true;
  // Lost races read as "is at X but expected Y", "reference already exists" or a held lock file.
  if (/but expected|already exists|unable to create .*\.lock|cannot lock ref|File exists/i.test(r.stderr)) return false;
  throw new RwError("git", `could not update ${ref}: ${r.stderr.trim()}`);
}
