import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { RepoPaths } from "./repo.ts";
import { mirrorRoot } from "./mirror-index.ts";

export interface WaitingProblems {
  /** How many entries PROBLEMS.md lists (one per file and problem). */
  count: number;
  /** The file, relative to the main work tree. */
  file: string;
}

/**
 * What PROBLEMS.md in the working mirror says is waiting: mirror files rw could not record.
 * Reading commands mention it so an edit that went nowhere does not go unnoticed. A missing
 * file (the usual case) costs one failed open.
 */
export function waitingProblems(repo: RepoPaths): WaitingProblems | undefined {
  const root = mirrorRoot(repo);
  if (root === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(join(root, "PROBLEMS.md"), "utf8");
  } catch {
    return undefined;
  }
  const count = text.split("\n").filter((l) => l.startsWith("- `")).length;
  return count === 0 ? undefined : { count, file: ".rewind/PROBLEMS.md" };
}

/** The one line `rw list` / `rw ready` print on stderr about it. */
export function problemsLine(p: WaitingProblems): string {
  return `rw: ${p.count} problem${p.count === 1 ? "" : "s"} in ${p.file}: those mirror edits were not recorded (fix the files and save)`;
}
