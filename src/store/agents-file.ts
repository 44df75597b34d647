import { lstatSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, isAbsolute } from "node:path";
import { RwError } from "../domain/errors.ts";
import { withAgentsSection, type SectionChange } from "../domain/agent-guide.ts";

export interface AgentsFileResult { file: string; change: SectionChange }

/**
 * `rw init --agents`: rw's marked section in AGENTS.md (created when missing) and in CLAUDE.md
 * when the repository has one. A file that is a link is followed only when its target is inside
 * the work tree (CLAUDE.md -> AGENTS.md is common; a link to ~/.bashrc must not be written
 * through); one target is written once. Each write is a temp file + rename with the old mode.
 */
export function updateAgentsFiles(worktree: string, body: string, names: readonly string[] = ["AGENTS.md", "CLAUDE.md"]): AgentsFileResult[] {
  const root = realpathSync(worktree);
  const plans: Array<{ file: string; target: string; text: string; change: SectionChange; mode?: number }> = [];
  const targets = new Set<string>();
  for (const [i, name] of names.entries()) {
    const path = join(worktree, name);
    const link = lstatOrUndefined(path);
    if (link === undefined && i > 0) continue; // only AGENTS.md is created
    const target = link?.isSymbolicLink() ? realTarget(path, root, name) : path;
    if (targets.has(target)) continue;
    targets.add(target);
    if (link !== undefined && !link.isSymbolicLink() && !link.isFile()) throw new RwError("invalid_input", `${name} is not a regular file: rw writes its section only into a file`);
    const current = link === undefined ? undefined : readFileSync(target, "utf8");
    const next = withAgentsSection(current, body);
    if ("error" in next) {
      throw new RwError("invalid_input", `${name}: ${next.error}; nothing was written`, { hint: `keep exactly one begin and one end marker (or remove both) in ${name}, then run rw init --agents again` });
    }
    plans.push({ file: name, target, text: next.text, change: next.change, ...(link ? { mode: statSync(target).mode & 0o777 } : {}) });
  }
  // Every file is checked before any is written: a broken second file leaves the first alone.
  for (const p of plans) if (p.change !== "unchanged") writeAtomic(p.target, p.text, p.mode);
  return plans.map((p) => ({ file: p.file, change: p.change }));
}

function lstatOrUndefined(path: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function realTarget(path: string, root: string, name: string): string {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    throw new RwError("invalid_input", `${name} is a link to nothing: rw does not create its target`, { hint: `remove the link or point it at a file in this repository` });
  }
  const rel = relative(root, real);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) {
    throw new RwError("invalid_input", `${name} links outside this work tree (${real}): rw does not write through it`, { hint: "replace the link with a file, or link to a file inside the repository" });
  }
  return real;
}

function writeAtomic(path: string, text: string, mode: number | undefined): void {
  const tmp = join(dirname(path), `.${basename(path)}.rw-${process.pid}.tmp`);
  writeFileSync(tmp, text, mode === undefined ? {} : { mode });
  renameSync(tmp, path);
}
