/**
 * Deterministic event IDs for events that a merge derives (conflict resolutions). Two machines
 * merging the same two histories must write byte-identical events, so the ID cannot be random:
 * it is a ULID whose time part is the event time and whose "random" part is a hash of what the
 * event is about. Pure (no node:crypto): a 128-bit FNV-1a is plenty to keep such IDs distinct.
 */
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

function fnv1a128(text: string): bigint {
  let h = 0x6c62272e07bb014262b821756295c58dn;
  const prime = 0x0000000001000000000000000000013bn;
  const mask = (1n << 128n) - 1n;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= BigInt(byte);
    h = (h * prime) & mask;
  }
  return h;
}

function base32(n: bigint, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) {
    out = CROCKFORD[Number(n & 31n)]! + out;
    n >>= 5n;
  }
  return out;
}

/** A ULID for `iso` time whose random part is derived from `seed`. */
export function stableUlid(iso: string, seed: string): string {
  return base32(BigInt(Date.parse(iso)), 10) + base32(fnv1a128(seed), 16);
}

/** `length` base36 characters derived from `seed` (for renamed task IDs). */
export function stableBase36(seed: string, length: number): string {
  return fnv1a128(seed).toString(36).padStart(length, "0").slice(-length);
}
