import { constants } from "node:fs";
import { lstat, mkdir, open, readdir, realpath, stat, type FileHandle } from "node:fs/promises";
import { dirname, join } from "node:path";
import { resolveInside, resolveWritable, ToolError, type Sandbox } from "./sandbox.ts";
import { searchFiles } from "./search-worker.ts";

const SKIP_DIRS = new Set([".git", "node_modules"]);
const MAX_LIST = 500;
const MAX_MATCHES = 100;
const MAX_SEARCH_BYTES = 1_000_000;
/** A regex search that runs longer than this is stopped (see search-worker.ts). */
export const SEARCH_TIME_MS = 10_000;

const str = (v: unknown, what: string): string => {
  if (typeof v !== "string") throw new ToolError(`${what} must be a string`);
  return v;
};

function cap(text: string, limit: number): string {
  if (text.length <= limit) return text;
  return `${text.slice(0, limit)}\n[… truncated: ${text.length - limit} more characters]`;
}

export async function readFileTool(sb: Sandbox, input: Record<string, unknown>, limit: number): Promise<string> {
  const { abs, rel } = await resolveInside(sb, input.path);
  const st = await stat(abs).catch(() => null);
  if (!st) throw new ToolError(`${rel} does not exist`);
  if (st.isDirectory()) throw new ToolError(`${rel} is a directory; use list_files`);
  const fh = await open(abs, "r");
  try {
    const buf = Buffer.alloc(Math.min(st.size, limit + 1));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const text = buf.subarray(0, bytesRead).toString("utf8");
    return st.size > limit ? `${text.slice(0, limit)}\n[… truncated: file is ${st.size} bytes]` : text;
  } finally {
    await fh.close();
  }
}

export async function writeFileTool(sb: Sandbox, input: Record<string, unknown>): Promise<string> {
  const content = str(input.content, "content");
  const { abs, rel } = await resolveWritable(sb, input.path);
  const st = await stat(abs).catch(() => null);
  if (st?.isDirectory()) throw new ToolError(`${rel} is a directory`);
  await mkdir(dirname(abs), { recursive: true });
  await withSingleLink(abs, rel, true, async (fh) => {
    await fh.truncate(0);
    await fh.write(content, 0, "utf8");
  });
  return `wrote ${rel} (${Buffer.byteLength(content)} bytes)`;
}

export async function editFileTool(sb: Sandbox, input: Record<string, unknown>): Promise<string> {
  const oldText = str(input.old_string, "old_string");
  const newText = str(input.new_string, "new_string");
  if (oldText === "") throw new ToolError("old_string must not be empty; use write_file to create a file");
  const { abs, rel } = await resolveWritable(sb, input.path);
  let count = 0;
  await withSingleLink(abs, rel, false, async (fh) => {
    const text = (await fh.readFile()).toString("utf8");
    count = text.split(oldText).length - 1;
    if (count === 0) throw new ToolError(`old_string not found in ${rel}; read the file and copy the exact text`);
    if (count > 1 && input.replace_all !== true) throw new ToolError(`old_string occurs ${count} times in ${rel}; add context to make it unique, or set replace_all`);
    const next = input.replace_all === true ? text.split(oldText).join(newText) : text.replace(oldText, () => newText);
    await fh.truncate(0);
    await fh.write(next, 0, "utf8");
  });
  return `edited ${rel} (${count} replacement${count === 1 ? "" : "s"})`;
}

/**
 * Opens the file for writing without following a symbolic link (one swapped in after the path
 * check fails with ELOOP), and refuses a file with more than one hard link: the other name may
 * be outside the worktree (`ln /etc/x inside` needs no symlink), so writing it would write there.
 * The check is on the open descriptor, so nothing can be swapped between check and write.
 */
async function withSingleLink(abs: string, rel: string, create: boolean, fn: (fh: FileHandle) => Promise<void>): Promise<void> {
  const flags = constants.O_RDWR | constants.O_NOFOLLOW | (create ? constants.O_CREAT : 0);
  const fh = await open(abs, flags, 0o644).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") throw new ToolError(`${rel} does not exist`);
    if (err.code === "ELOOP") throw new ToolError(`${rel} is a symbolic link; refused`);
    throw err;
  });
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new ToolError(`${rel} is not a regular file; refused`);
    if (st.nlink > 1) throw new ToolError(`${rel} has ${st.nlink} hard links; refused (another name of the same file may be outside the worktree). Write a new file instead: delete it first with a command, or write to another path`);
    await fn(fh);
  } finally {
    await fh.close();
  }
}

/** Walks a directory without following symlinked directories (they may point anywhere). */
async function* walk(dir: string, rel: string, depth: number): AsyncGenerator<{ rel: string; abs: string; dir: boolean; link: boolean }> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    if (SKIP_DIRS.has(e.name)) continue;
    const childRel = rel === "." ? e.name : `${rel}/${e.name}`;
    const abs = join(dir, e.name);
    const isDir = e.isDirectory();
    yield { rel: childRel, abs, dir: isDir, link: e.isSymbolicLink() };
    if (isDir && depth > 0) yield* walk(abs, childRel, depth - 1);
  }
}

export async function listFilesTool(sb: Sandbox, input: Record<string, unknown>): Promise<string> {
  const { abs, rel } = await resolveInside(sb, input.path ?? ".");
  const st = await lstat(abs).catch(() => null);
  if (!st?.isDirectory()) throw new ToolError(`${rel} is not a directory`);
  const depth = input.recursive === false ? 0 : 20;
  const out: string[] = [];
  for await (const e of walk(abs, rel, depth)) {
    if (out.length >= MAX_LIST) {
      out.push(`[… more than ${MAX_LIST} entries; list a subdirectory]`);
      break;
    }
    out.push(e.dir ? `${e.rel}/` : e.link ? `${e.rel} (symlink)` : e.rel);
  }
  return out.length > 0 ? out.join("\n") : "(empty)";
}

export async function searchTool(sb: Sandbox, input: Record<string, unknown>, limit: number, timeMs = SEARCH_TIME_MS): Promise<string> {
  const pattern = str(input.pattern, "pattern");
  if (pattern === "") throw new ToolError("pattern must not be empty");
  const source = input.regex === true ? pattern : pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  try {
    new RegExp(source);
  } catch (err) {
    throw new ToolError(`invalid regular expression: ${(err as Error).message}`);
  }
  const { abs, rel } = await resolveInside(sb, input.path ?? ".");
  const list: Array<{ rel: string; abs: string }> = [];
  const files = (await stat(abs)).isDirectory() ? walk(abs, rel, 50) : one(abs, rel);
  for await (const f of files) {
    if (f.dir) continue;
    // A symlinked file is searched only when its target is inside the worktree.
    if (f.link && !(await realpath(f.abs).then((r) => r.startsWith(`${sb.root}/`), () => false))) continue;
    const st = await stat(f.abs).catch(() => null);
    if (!st?.isFile() || st.size > MAX_SEARCH_BYTES) continue;
    list.push({ rel: f.rel, abs: f.abs });
  }
  // Matching runs in a worker thread with a time limit: a backtracking pattern such as
  // ^(a+)+$ would otherwise block rw's event loop (and the claim's heartbeats) for minutes.
  const { hits, timedOut } = await searchFiles(source, list, MAX_MATCHES, timeMs);
  if (timedOut) throw new ToolError(`the search took longer than ${timeMs / 1000} s and was stopped${hits.length > 0 ? ` after ${hits.length} matches` : ""}; the pattern backtracks too much (nested repetition like (a+)+) or the path is too large: simplify it or narrow the path`);
  if (hits.length >= MAX_MATCHES) hits.push(`[… stopped at ${MAX_MATCHES} matches; narrow the pattern or path]`);
  return hits.length > 0 ? cap(hits.join("\n"), limit) : "no matches";
}

async function* one(abs: string, rel: string): AsyncGenerator<{ rel: string; abs: string; dir: boolean; link: boolean }> {
  yield { rel, abs, dir: false, link: false };
}
