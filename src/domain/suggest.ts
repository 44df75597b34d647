/**
 * "Did you mean" for every surface (CLI commands and options, MCP arguments, config keys):
 * the nearest known name by edit distance, close enough to be a plausible typo.
 */

/** Levenshtein distance with adjacent transpositions (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  if (m === 0) return n;
  if (n === 0) return m;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = new Array<number>(n + 1).fill(0);
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) cur[j] = Math.min(cur[j]!, prev2[j - 2]! + 1);
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[n]!;
}

/**
 * The known name closest to `name`, or undefined when none is close. A name that contains or is
 * contained in a known one counts as close (`task_id` → `id`, `stat` → `status`), so does one
 * within a third of its length in edits (at least 1, at most 3).
 */
export function closest(name: string, known: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestScore = Infinity;
  for (const k of known) {
    const kl = k.toLowerCase();
    const d = editDistance(lower, kl);
    const limit = Math.min(3, Math.max(1, Math.floor(Math.max(lower.length, kl.length) / 3)));
    const contains = kl.length >= 2 && lower.length >= 2 && (lower.includes(kl) || kl.includes(lower));
    const parts = lower.split(/[_\-.]/).includes(kl);
    const score = d <= limit ? d : contains || parts ? limit + 0.5 : Infinity;
    if (score < bestScore || (score === bestScore && best !== undefined && k < best)) {
      best = k;
      bestScore = score;
    }
  }
  return bestScore === Infinity ? undefined : best;
}

/** "; did you mean X?" when a close name exists, else "". */
export function didYouMean(name: string, known: Iterable<string>, format: (s: string) => string = (s) => s): string {
  const c = closest(name, known);
  return c === undefined ? "" : `; did you mean ${format(c)}?`;
}
