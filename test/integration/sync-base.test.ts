import { describe, expect, it } from "vitest";
import { Store } from "../../src/store/store.ts";
import { syncBase } from "../../src/sync/ancestry.ts";
import { baseEnv, makeRepo, track } from "../helpers/repo.ts";

/**
 * `syncBase` answers what `git merge-base` answers, on a real history: linear runs, a side
 * branch, merges, a run longer than the in-process walk reads, and an unrelated root.
 */
describe("syncBase (the sync round's merge base)", () => {
  it("agrees with git merge-base for every pair of commits (and for tips farther apart than the walk reads)", async () => {
    const repo = track(makeRepo({ commit: false }));
    const commit = (msg: string, ...parents: string[]): string =>
      repo.git(["commit-tree", "4b825dc642cb6eb9a060e54bf8d69288fbee4904", ...parents.flatMap((p) => ["-p", p]), "-m", msg]).trim();
    const a: string[] = [commit("a0")];
    for (let i = 1; i < 6; i++) a.push(commit(`a${i}`, a[i - 1]!));
    const b1 = commit("b1", a[2]!);
    const b2 = commit("b2", b1);
    const m = commit("merge a5 b2", a[5]!, b2);
    const after = commit("after merge", m);
    // Longer than the walk's bound: the answer must come from git, and still be right.
    let far = after;
    for (let i = 0; i < 80; i++) far = commit(`far${i}`, far);
    const lone = commit("unrelated root");
    const near = [...a, b1, b2, m, after, lone];
    const pairs = [...near.flatMap((x) => near.filter((y) => y !== x).map((y) => [x, y] as const)), ...[a[0]!, b1, after, lone].flatMap((x) => [[x, far], [far, x]] as const)];
    repo.git(["update-ref", "refs/heads/main", after]);

    const store = await Store.open({ cwd: repo.dir, env: baseEnv(), now: () => new Date() });
    try {
      for (const [x, y] of pairs) {
        let want: string | null = null;
        try {
          want = repo.git(["merge-base", x, y]).trim();
        } catch {
          want = null; // exit 1: no common ancestor
        }
        expect(await syncBase(store, x, y), `${x.slice(0, 7)} ${y.slice(0, 7)}`).toBe(want);
      }
    } finally {
      store.close();
    }
  }, 120_000);
});
