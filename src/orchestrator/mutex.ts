/**
 * One async section at a time inside this process (merges into the integration branch, git's
 * worktree bookkeeping, claims). Across processes the ref's compare-and-swap and the run lock decide.
 */
export class Mutex {
  private last: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.last.then(fn, fn);
    this.last = next.catch(() => undefined);
    return next;
  }
}
