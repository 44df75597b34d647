import { lstat, mkdir, open, readdir, readFile, realpath, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { resolveInside, ToolError, type Sandbox } from "./sandbox.ts";

const SKIP_DIRS = new Set([".git", "node_modules"]);
const MAX_LIST = 500;
const MAX_MATCHES = 100;
const MAX_SEARCH_BYTES = 1_000_000;

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
  const { abs, rel } = await resolveInside(sb, input.path);
  const st = await stat(abs).catch(() => null);
  if (st?.isDirectory()) throw new ToolError(`${rel} is a directory`);
  await mkdir(dirname(abs), { recursive: true });
  await writeFile(abs, content);
  return `wrote ${rel} (${Buffer.byteLength(content)} bytes)`;
}

export async function editFileTool(sb: Sandbox, input: Record<string, unknown>): Promise<string> {
  const oldText = str(input.old_string, "old_string");
  const newText = str(input.new_string, "new_string");
  if (oldText === "") throw new ToolError("old_string must not be empty; use write_file to create a file");
  const { abs, rel } = await resolveInside(sb, input.path);
  const text = await readFile(abs, "utf8").catch(() => {
    throw new ToolError(`${rel} does not exist`);
  });
  const count = text.split(oldText).length - 1;
  if (count === 0) throw new ToolError(`old_string not found in ${rel}; read the file and copy the exact text`);
  if (count > 1 && input.replace_all !== true) throw new ToolError(`old_string occurs ${count} times in ${rel}; add context to make it unique, or set replace_all`);
  const next = input.replace_all === true ? text.split(oldText).join(newText) : text.replace(oldText, () => newText);
  await writeFile(abs, next);
  return `edited ${rel} (${count} replacement${count === 1 ? "" : "s"})`;
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

export async function searchTool(sb: Sandbox, input: Record<string, unknown>, limit: number): Promise<string> {
  const pattern = str(input.pattern, "pattern");
  if (pattern === "") throw new ToolError("pattern must not be empty");
  let re: RegExp;
  try {
    re = input.regex === true ? new RegExp(pattern) : new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  } catch (err) {
    throw new ToolError(`invalid regular expression: ${(err as Error).message}`);
  }
  const { abs, rel } = await resolveInside(sb, input.path ?? ".");
  const hits: string[] = [];
  const files = (await stat(abs)).isDirectory() ? walk(abs, rel, 50) : one(abs, rel);
  for await (const f of files) {
    if (f.dir) continue;
    // A symlinked file is searched only when its target is inside the worktree.
    if (f.link && !(await realpath(f.abs).then((r) => r.startsWith(`${sb.root}/`), () => false))) continue;
    const st = await stat(f.abs).catch(() => null);
    if (!st?.isFile() || st.size > MAX_SEARCH_BYTES) continue;
    const text = await readFile(f.abs, "utf8");
    if (text.includes("\0")) continue;
    const lines = text.split("\n");
    for (let i = 0; i < lines.length && hits.length < MAX_MATCHES; i++) {
      if (re.test(lines[i]!)) hits.push(`${f.rel}:${i + 1}: ${lines[i]!.slice(0, 200)}`);
    }
    if (hits.length >= MAX_MATCHES) {
      hits.push(`[… stopped at ${MAX_MATCHES} matches; narrow the pattern or path]`);
      break;
    }
  }
  return hits.length > 0 ? cap(hits.join("\n"), limit) : "no matches";
}

async function* one(abs: string, rel: string): AsyncGenerator<{ rel: string; abs: string; dir: boolean; link: boolean }> {
  yield { rel, abs, dir: false, link: false };
}
