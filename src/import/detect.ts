import { readdir, readFile, stat } from "node:fs/promises";
import { basename, join, relative } from "node:path";
import type { ImportPlan } from "../domain/decide-import.ts";
import { RwError } from "../domain/errors.ts";
import { planBacklogMd, type BacklogFile } from "./backlog-md.ts";
import { planBeads } from "./beads.ts";
import { planPrd } from "./prd.ts";
import { planRwJson } from "./rw-json.ts";
import { planTaskMaster } from "./taskmaster.ts";

export type SourceKind = "beads" | "taskmaster" | "backlog.md" | "prd" | "rw";

/** A located source: which tool wrote it and where its files are. */
export interface Source { kind: SourceKind; path: string }

async function kindOf(path: string): Promise<"file" | "dir" | undefined> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? "dir" : "file";
  } catch {
    return undefined;
  }
}

/**
 * Finds what to import at `path`: a file (by name, then by content) or a directory holding one
 * of the known layouts (`.beads/issues.jsonl`, `.taskmaster/tasks/tasks.json`, `backlog/`,
 * `prd.json`).
 */
export async function detectSource(path: string): Promise<Source> {
  const kind = await kindOf(path);
  if (kind === undefined) throw new RwError("not_found", `${path} does not exist`, { hint: "give a file (issues.jsonl, tasks.json, prd.json, an rw export) or a directory" });
  if (kind === "dir") {
    if ((await kindOf(join(path, "tasks"))) === "dir" && (basename(path) === "backlog" || (await kindOf(join(path, "config.yml"))) === "file")) return { kind: "backlog.md", path };
    const candidates: Array<[string, SourceKind]> = [
      [".beads/issues.jsonl", "beads"], [".taskmaster/tasks/tasks.json", "taskmaster"], ["tasks/tasks.json", "taskmaster"], ["backlog", "backlog.md"], ["prd.json", "prd"],
    ];
    for (const [rel, k] of candidates) {
      const p = join(path, rel);
      if ((await kindOf(p)) !== undefined && (k !== "backlog.md" || (await kindOf(join(p, "tasks"))) === "dir")) return { kind: k, path: p };
    }
    throw new RwError("invalid_input", `found nothing to import in ${path}`, { hint: "looked for .beads/issues.jsonl, .taskmaster/tasks/tasks.json, backlog/tasks/ and prd.json" });
  }
  const name = basename(path);
  if (name.endsWith(".jsonl")) return { kind: "beads", path };
  const text = await readFile(path, "utf8");
  if (/"kind"\s*:\s*"rw-export"/.test(text)) return { kind: "rw", path };
  if (/"userStories"\s*:/.test(text)) return { kind: "prd", path };
  if (name === "tasks.json" || /"tasks"\s*:/.test(text)) return { kind: "taskmaster", path };
  throw new RwError("invalid_input", `cannot tell which tool wrote ${path}`, { hint: "rw imports beads issues.jsonl, Task Master tasks.json, ralph-tui prd.json, Backlog.md backlog/ and rw's own JSON export" });
}

/** Reads a source and maps it with the pure planner for its tool. */
export async function planSource(src: Source): Promise<ImportPlan> {
  switch (src.kind) {
    case "beads":
      return planBeads(await readFile(src.path, "utf8"), src.path);
    case "taskmaster":
      return planTaskMaster(await readFile(src.path, "utf8"), src.path);
    case "rw":
      return planRwJson(await readFile(src.path, "utf8"), src.path);
    case "backlog.md":
      return planBacklogMd(await readTree(src.path));
    case "prd": {
      return planPrd(await readFile(src.path, "utf8"), src.path);
    }
  }
}

async function readTree(root: string): Promise<BacklogFile[]> {
  const out: BacklogFile[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) await walk(p);
      else if (entry.name.endsWith(".md")) out.push({ path: relative(root, p).split("\\").join("/"), text: await readFile(p, "utf8") });
    }
  };
  await walk(root);
  return out;
}
