/**
 * "Did you mean ...?" for every surface that refuses an unknown name (options, config keys,
 * tables, MCP arguments): the nearest candidate by edit distance, if it is near enough to be a
 * plausible typo rather than a different word.
 */
export function nearest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = name.toLowerCase();
  for (const c of candidates) {
    const d = distance(lower, c.toLowerCase());
    if (d < bestDistance || (d === bestDistance && best !== undefined && c < best)) {
      best = c;
      bestDistance = d;
    }
  }
  if (best === undefined) return undefined;
  // A prefix ("--lim" for --limit) or a near spelling; an unrelated word suggests nothing.
  if (best.toLowerCase().startsWith(lower) && lower.length >= 2) return best;
  return bestDistance <= Math.max(2, Math.floor(Math.max(lower.length, best.length) / 2.5)) ? best : undefined;
}

/** "; did you mean X?" or "" — appended to an error message. */
export function didYouMean(name: string, candidates: Iterable<string>, show: (s: string) => string = (s) => s): string {
  const known = [...candidates];
  // A near spelling first; else a name that contains a known one (`task_id` -> `id`).
  const n = nearest(name, known) ?? closest(name, known);
  return n === undefined ? "" : `; did you mean ${show(n)}?`;
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions: "retris"). */
function distance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length > 64 || b.length > 64) return Math.abs(a.length - b.length) + 64; // bounded work
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) rows.push([i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}

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
