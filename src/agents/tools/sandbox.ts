import { execFile } from "node:child_process";
import { readFile, lstat, realpath } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";

/** A refused or failed tool call: reported to the model as a tool error, never thrown past the loop. */
export class ToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ToolError";
  }
}

/** The worktree an agent is confined to, by its real path (symlinks resolved once, at the start). */
export interface Sandbox {
  root: string;
  /**
   * Paths (relative to the root, `/`-separated; a trailing `/` or a glob) the file tools never
   * write: rw's state and config, git's internals and hooks, and `execution.protected_paths`.
   */
  protect: string[];
}

/** Always protected: what would let an agent change rw's config or state, or run code outside the sandbox later. */
export const ALWAYS_PROTECTED = [".rewind/", ".git/", ".githooks/"];

/**
 * Opens the sandbox of `dir`. Protected paths are fixed here, before the agent runs: the
 * defaults, the repository's `core.hooksPath` when it points inside, and `protect` (the
 * caller's `execution.protected_paths`; when not given, read from `dir/.rewind/config.toml`).
 */
export async function openSandbox(dir: string, opts: { protect?: readonly string[] } = {}): Promise<Sandbox> {
  const root = await realpath(dir);
  const configured = opts.protect ?? (await configuredProtectedPaths(root));
  const hooks = await hooksPathInside(root);
  return { root, protect: [...new Set([...ALWAYS_PROTECTED, ...(hooks ? [hooks] : []), ...configured])] };
}

/** `execution.protected_paths` of the worktree's config, or none (a missing or broken file protects only the defaults). */
async function configuredProtectedPaths(root: string): Promise<string[]> {
  const text = await readFile(join(root, ".rewind", "config.toml"), "utf8").catch(() => "");
  if (!text.includes("protected_paths")) return [];
  try {
    const { parse } = await import("smol-toml");
    const list = (parse(text) as { execution?: { protected_paths?: unknown } }).execution?.protected_paths;
    return Array.isArray(list) ? list.filter((p): p is string => typeof p === "string" && p.trim() !== "") : [];
  } catch {
    return [];
  }
}

/** The `core.hooksPath` directory relative to the worktree, when it is inside it. */
function hooksPathInside(root: string): Promise<string | undefined> {
  return new Promise((done) => {
    execFile("git", ["config", "--path", "--get", "core.hooksPath"], { cwd: root }, (err, stdout) => {
      const value = err ? "" : stdout.trim();
      if (value === "") return done(undefined);
      const rel = relative(root, resolve(root, value));
      done(rel === "" || rel.startsWith("..") || isAbsolute(rel) ? undefined : `${rel.split(sep).join("/")}/`);
    });
  });
}

const inside = (root: string, p: string): boolean => p === root || p.startsWith(root + sep);

/** The real path of the nearest existing ancestor of `p`, with the missing tail appended. */
async function realOfNearest(p: string): Promise<string> {
  const tail: string[] = [];
  let cur = p;
  for (;;) {
    try {
      const real = await realpath(cur);
      return tail.length > 0 ? join(real, ...tail.reverse()) : real;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // A dangling symlink: realpath fails, but it must not be treated as a plain missing name.
      if (code === "ENOENT" && (await lstat(cur).then((s) => s.isSymbolicLink(), () => false))) {
        throw new ToolError(`${p} is a symlink to a missing target; refused`);
      }
      if (code !== "ENOENT" && code !== "ENOTDIR") throw new ToolError(`cannot resolve ${p}: ${code ?? String(err)}`);
      const parent = dirname(cur);
      if (parent === cur) return p;
      tail.push(cur.slice(parent.length + (parent.endsWith(sep) ? 0 : 1)));
      cur = parent;
    }
  }
}

/**
 * Resolves a path the model gave to a real path inside the worktree, following every symlink
 * (of the path itself and of each existing ancestor). Anything that lands outside — `../x`, an
 * absolute path elsewhere, a symlink pointing out, a directory symlink a command created — is
 * refused. `.git` is refused too: hooks written there would run outside the sandbox later.
 */
export async function resolveInside(sb: Sandbox, path: unknown): Promise<{ abs: string; rel: string }> {
  if (typeof path !== "string" || path.trim() === "") throw new ToolError("path must be a non-empty string relative to the worktree");
  if (path.includes("\0")) throw new ToolError("path contains a NUL byte");
  const lexical = isAbsolute(path) ? resolve(path) : resolve(sb.root, path);
  const real = await realOfNearest(lexical);
  if (!inside(sb.root, real)) throw new ToolError(`${path} is outside the worktree; refused (paths must stay inside ${sb.root})`);
  const rel = relative(sb.root, real);
  const first = rel.split(sep)[0];
  if (first === ".git") throw new ToolError(`${path} is inside .git; refused`);
  return { abs: real, rel: rel === "" ? "." : rel.split(sep).join("/") };
}

/** Like resolveInside, for a write: also refuses protected paths, naming the rule. */
export async function resolveWritable(sb: Sandbox, path: unknown): Promise<{ abs: string; rel: string }> {
  const target = await resolveInside(sb, path);
  const rule = protectedBy(sb, target.rel);
  if (rule !== undefined) {
    throw new ToolError(`${target.rel} is a protected path (${rule}); agents cannot change it. rw's state, config, git internals and hooks are changed by people, not by tools`);
  }
  return target;
}

/** The protected-path entry that covers `rel`, if any. */
export function protectedBy(sb: Sandbox, rel: string): string | undefined {
  // Case-insensitive file systems would let `.REWIND/x` through a case-sensitive comparison.
  const p = rel.toLowerCase();
  return sb.protect.find((entry) => {
    const e = entry.replace(/^\.\//, "").toLowerCase();
    if (/[*?[]/.test(e)) return globRegExp(e).test(p) || globRegExp(`${e.replace(/\/$/, "")}/**`).test(p);
    const dir = e.replace(/\/+$/, "");
    return p === dir || p.startsWith(`${dir}/`);
  });
}

/** A glob (`*` within a segment, `**` across, `?`, `[…]`) as an anchored regular expression. */
function globRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*" && glob[i + 1] === "*") {
      re += glob[i + 2] === "/" ? "(?:.*/)?" : ".*";
      i += glob[i + 2] === "/" ? 2 : 1;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = glob.indexOf("]", i);
      if (end < 0) re += "\\[";
      else {
        re += `[${glob.slice(i + 1, end).replace(/\\/g, "\\\\")}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}
