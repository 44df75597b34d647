import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/format/config.ts";

describe("[execution] settings", () => {
  it("reads every key", () => {
    const cfg = parseConfig('[execution]\nmax_retries = 2\ngates = ["npm test"]\nintegration_branch = "dev"\nworktree_dir = "~/wt"\ncopy_files = [".env"]\ngate_timeout = "90s"\non_interrupt = "keep"\n' +
      'git_hooks = true\nprotected_paths = ["deploy/"]\nforbidden_paths = ["*.pem"]\nmax_patch_bytes = 5000\nmax_rebases = 2\nreview = "human"\n' +
      'integration = "per-initiative"\nphase_verification = "always"\nmax_remediations = 3\n');
    expect(cfg.execution).toEqual({
      max_retries: 2, gates: ["npm test"], integration_branch: "dev", worktree_dir: "~/wt", copy_files: [".env"], gate_timeout_ms: 90_000, on_interrupt: "keep",
      git_hooks: true, protected_paths: ["deploy/"], forbidden_paths: ["*.pem"], max_patch_bytes: 5000, max_rebases: 2, review: "human",
      integration: "per-initiative", phase_verification: "always", max_remediations: 3,
    });
  });
  it("has defaults", () => {
    expect(parseConfig("").execution).toMatchObject({ integration_branch: undefined, copy_files: [], gate_timeout_ms: 600_000, on_interrupt: "release", git_hooks: false, max_rebases: 5, review: "auto", max_patch_bytes: undefined });
  });
  const bad: Array<[string, RegExp]> = [
    ['integration_branch = "refs/heads/x"', /integration_branch must be a branch name/],
    ['copy_files = ["../secret"]', /copy_files must be a list of paths relative/],
    ['on_interrupt = "later"', /on_interrupt must be "release" or "keep"/],
    ['gate_timeout = "soon"', /execution\.gate_timeout is not a duration: "soon"/],
    ['parallel = 3', /execution.parallel is not a known setting/],
    ['git_hooks = "yes"', /git_hooks must be true or false/],
    ['review = "maybe"', /execution.review is "maybe"/],
    ['max_rebases = -1', /max_rebases must be a whole number/],
    ['max_patch_bytes = 0', /max_patch_bytes must be a whole number of bytes/],
    ['forbidden_paths = "x"', /forbidden_paths must be a list/],
    ['integration = "per-task"', /execution.integration is "per-task"/],
    ['phase_verification = true', /execution.phase_verification is true/],
    ['max_remediations = 99', /max_remediations must be a whole number from 0 to 20/],
  ];
  it.each(bad)("refuses %s", (line, message) => {
    expect(() => parseConfig(`[execution]\n${line}\n`, "cfg.toml")).toThrow(message);
  });
});
