/** Where `item` goes in `list` (sorted by `cmp`) to keep it sorted: after every entry that does not sort after it. */
export function insertionPoint<T>(list: readonly T[], item: T, cmp: (a: T, b: T) => number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cmp(list[mid]!, item) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
