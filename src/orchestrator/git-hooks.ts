/**
 * rw's own git operations during `rw run` (worktree add, commits in task worktrees, merges, the
 * fast-forward of the integration branch) run without the user's git hooks unless
 * `execution.git_hooks = true`: a `post-checkout` that runs `npm install`, or a `post-merge`
 * in the user's own checkout, is not something a run should start unasked. The one hook rw
 * runs is `.rewind/hooks/post-worktree`.
 * NOTE: `core.hooksPath=/dev/null` makes git look for `/dev/null/<hook>`, which can never exist
 * (git 2.39: post-checkout, post-commit, post-merge, pre-merge-commit, reference-transaction).
 */
export function hookArgs(gitHooks: boolean, args: string[]): string[] {
  return gitHooks ? args : ["-c", "core.hooksPath=/dev/null", ...args];
}
