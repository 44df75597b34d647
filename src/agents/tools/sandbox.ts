import { lstat, realpath } from "node:fs/promises";
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
}

export async function openSandbox(dir: string): Promise<Sandbox> {
  return { root: await realpath(dir) };
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
