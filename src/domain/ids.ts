import { RwError } from "./errors.ts";

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Refuses anything that could name a path outside tasks/ ("../x", "", spaces, unicode). */
export function assertValidId(id: string, what = "task ID"): string {
  if (!ID_PATTERN.test(id) || id.includes("..")) {
    throw new RwError("invalid_id", `invalid ${what} ${JSON.stringify(id)}`, {
      hint: "IDs are 1-64 characters of A-Z a-z 0-9 . _ - and start with a letter or digit",
      data: { id },
    });
  }
  return id;
}

export function isValidId(id: string): boolean {
  return ID_PATTERN.test(id) && !id.includes("..");
}

/**
 * Suffix length grows with the backlog so random IDs stay unlikely to collide
 * (beads' arithmetic: 4 base36 chars up to ~500 tasks, 5 up to ~1,500, then 6).
 */
export function suffixLength(taskCount: number): number {
  if (taskCount < 500) return 4;
  if (taskCount < 1500) return 5;
  return 6;
}

/** Base36 text of the given random bytes, cut to `length`. Randomness is passed in: the domain has none. */
export function idFromBytes(prefix: string, bytes: Uint8Array, length: number): string {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  const text = n.toString(36).padStart(length, "0");
  return `${prefix}-${text.slice(-length)}`;
}

export function validPrefix(prefix: string): boolean {
  return /^[a-z][a-z0-9]{0,15}$/i.test(prefix);
}

/** A prefix from a repository's folder name: short words become initials, a short name is kept. */
export function derivePrefix(repoName: string): string {
  const words = repoName.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 0 && /^[a-z]/.test(w));
  if (words.length === 0) return "rw";
  if (words.length === 1) return words[0]!.slice(0, 3);
  return words.map((w) => w[0]).join("").slice(0, 4);
}
