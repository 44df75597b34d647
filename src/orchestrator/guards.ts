import type { ExecutionConfig } from "../format/config.ts";
import { git } from "../store/git.ts";

/**
 * What a task's diff may not touch, whatever the provider (a CLI agent writes files rw never
 * sees): rw's own config and hooks, git's internals, the user's hook folders and the configured
 * protected paths. An agent that could merge `.rewind/config.toml` could widen its own sandbox.
 */
export const ALWAYS_PROTECTED = [".rewind/", ".git/", ".githooks/", ".husky/"];

/** A glob as a regex: `**` any depth, `*` and `?` within a segment; a pattern without `/` matches a name at any depth; `dir/` everything under it. */
export function globToRegex(glob: string): RegExp {
  let g = glob.trim().replace(/^\.\//, "");
  if (g.endsWith("/")) g += "**";
  const anchored = g.includes("/") && !g.startsWith("**/");
  let re = "";
  for (let i = 0; i < g.length; i++) {
    const c = g[i]!;
    if (c === "*" && g[i + 1] === "*") {
      re += g[i + 2] === "/" ? "(?:.*/)?" : ".*";
      i += g[i + 2] === "/" ? 2 : 1;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${anchored ? "" : "(?:.*/)?"}${re}(?:/.*)?$`);
}

export const matchesAny = (path: string, globs: readonly string[]): string | undefined => globs.find((g) => globToRegex(g).test(path));

export interface GuardRefusal {
  /** "protected" waits for a person under review = "human"; the others are refused outright. */
  kind: "protected" | "forbidden" | "size";
  error: string;
  feedback: string;
  paths: string[];
}

/** The user's `core.hooksPath`, as a path relative to the work tree (when it is inside it). */
async function hooksPathDir(cwd: string): Promise<string | undefined> {
  const v = (await git(["config", "--get", "core.hooksPath"], { cwd })).stdout.trim();
  if (v === "" || v.startsWith("/") || v.startsWith("~") || v === "/dev/null") return undefined;
  return `${v.replace(/^\.\//, "").replace(/\/+$/, "")}/`;
}

/**
 * Checks the attempt's diff (`base..head`, the task's own changes on top of the integration tip)
 * against protected paths, `execution.forbidden_paths` and `execution.max_patch_bytes`.
 */
export async function checkDiff(cwd: string, base: string, head: string, exec: ExecutionConfig): Promise<GuardRefusal | undefined> {
  const names = (await git(["diff", "--name-only", "--no-renames", base, head], { cwd })).stdout.split("\n").filter(Boolean);
  const hooks = await hooksPathDir(cwd);
  const protectedGlobs = [...ALWAYS_PROTECTED, ...(hooks ? [hooks] : []), ...exec.protected_paths];
  const touched = names.filter((p) => matchesAny(p, protectedGlobs) !== undefined || p === ".git" || p.endsWith("/.git"));
  if (touched.length > 0) {
    return {
      kind: "protected", paths: touched, error: `the change touches protected paths: ${touched.join(", ")}`,
      feedback: `Your change modified protected paths, which a task may never change: ${touched.join(", ")}. ` +
        `Leave ${protectedGlobs.join(", ")} exactly as they are (restore them) and do the task without them.`,
    };
  }
  const forbidden = names.filter((p) => matchesAny(p, exec.forbidden_paths) !== undefined);
  if (forbidden.length > 0) {
    return {
      kind: "forbidden", paths: forbidden, error: `the change touches forbidden paths (execution.forbidden_paths): ${forbidden.join(", ")}`,
      feedback: `Your change touched paths this project forbids (${exec.forbidden_paths.join(", ")}): ${forbidden.join(", ")}. Restore them and do the task without changing them.`,
    };
  }
  if (exec.max_patch_bytes !== undefined) {
    const bytes = Buffer.byteLength((await git(["diff", "--binary", base, head], { cwd })).stdout);
    if (bytes > exec.max_patch_bytes) {
      return {
        kind: "size", paths: [], error: `the change is ${bytes} bytes, over execution.max_patch_bytes (${exec.max_patch_bytes})`,
        feedback: `Your change is ${bytes} bytes of diff; this project accepts at most ${exec.max_patch_bytes}. Make a smaller, focused change (no generated files, no vendored code).`,
      };
    }
  }
  return undefined;
}
