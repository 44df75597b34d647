import { constants, lstatSync, readdirSync } from "node:fs";
import { lstat, open, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { printable } from "../domain/text.ts";
import type { TaskFileProblem } from "../format/task-parse.ts";

/** File IO for the working mirror: cheap scans, atomic writes, PROBLEMS.md. */

/** `link`: the name is a symbolic link; its target is never read or written (see mirror-sync.ts). */
export interface Stat { mtimeMs: number; size: number; link?: true }

/** True when `.rewind/<sub>` itself is a symbolic link: such a folder is neither read nor written. */
export const isLinkedFolder = (root: string, sub: string): boolean => lstatSync(join(root, sub), { throwIfNoEntry: false })?.isSymbolicLink() === true;

/** Editor swap files, backups and our own temp files are not task files. */
export const isTaskFileName = (name: string): boolean => name.endsWith(".md") && !name.startsWith(".") && !name.startsWith("#") && !name.endsWith("~");

/**
 * Stats every task file. Synchronous on purpose: 10,000 small stat calls are several times
 * faster without a promise each, and this runs before every command while the mirror exists.
 */
export function scanDir(root: string, sub: string): Map<string, Stat> {
  const out = new Map<string, Stat>();
  let names: string[];
  try {
    names = readdirSync(join(root, sub));
  } catch {
    return out;
  }
  if (isLinkedFolder(root, sub)) return out;
  for (const name of names) {
    if (!isTaskFileName(name)) continue;
    // lstat: a symbolic link is reported as one, never followed (an agent could point a task
    // file at a secret and have its content committed).
    const st = lstatSync(join(root, sub, name), { throwIfNoEntry: false });
    if (st?.isFile()) out.set(`${sub}/${name}`, { mtimeMs: st.mtimeMs, size: st.size });
    else if (st?.isSymbolicLink()) out.set(`${sub}/${name}`, { mtimeMs: st.mtimeMs, size: st.size, link: true });
  }
  return out;
}

/**
 * A mirror file's bytes, never through a symbolic link (O_NOFOLLOW: a link swapped in after the
 * scan fails instead of being read). Undefined when it is gone or is a link.
 */
export async function readNoFollow(path: string): Promise<Buffer | undefined> {
  const fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => undefined);
  if (!fh) return undefined;
  try {
    return await fh.readFile();
  } catch {
    return undefined;
  } finally {
    await fh.close();
  }
}

export async function statOf(path: string): Promise<Stat | undefined> {
  try {
    const st = await lstat(path);
    if (st.isSymbolicLink()) return { mtimeMs: st.mtimeMs, size: st.size, link: true };
    return st.isFile() ? { mtimeMs: st.mtimeMs, size: st.size } : undefined;
  } catch {
    return undefined;
  }
}

export const sameStat = (a: Stat | undefined, b: Stat | undefined): boolean =>
  a !== undefined && b !== undefined && a.mtimeMs === b.mtimeMs && a.size === b.size;

/** Temp file + rename: an editor or reader never sees half a file. Returns the new stat. */
export async function writeAtomic(path: string, data: Buffer): Promise<Stat> {
  const tmp = join(dirname(path), `.${basename(path)}.rw-${process.pid}.tmp`);
  await writeFile(tmp, data);
  await rename(tmp, path);
  return (await statOf(path)) ?? { mtimeMs: 0, size: data.length };
}

export function problemsText(problems: TaskFileProblem[]): string {
  const lines = [
    "# Problems in .rewind/",
    "",
    "<!-- Written by rw. Nothing from these files was recorded and the files were not changed.",
    "     Fix each one and save: its entry disappears once the file is recorded. -->",
    "",
  ];
  // A message can quote the file's own value (or name): printable, so `cat PROBLEMS.md` cannot drive the terminal.
  for (const p of problems) lines.push(`- \`${printable(p.file)}\` line ${p.line}: ${printable(p.message)}`, `  - fix: ${printable(p.fix)}`);
  return `${lines.join("\n")}\n`;
}

/** Writes PROBLEMS.md when its content changes; removes it when there is nothing to report. */
export async function writeProblems(root: string, problems: TaskFileProblem[]): Promise<void> {
  const path = join(root, "PROBLEMS.md");
  if (problems.length === 0) {
    await unlink(path).catch(() => undefined);
    return;
  }
  const text = problemsText(problems);
  const current = await readFile(path, "utf8").catch(() => "");
  if (current !== text) await writeAtomic(path, Buffer.from(text));
}
