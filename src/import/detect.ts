import { readdir, readFile, stat } from "node:fs/promises";
import { basename, join, relative } from "node:path";
import type { ImportPlan } from "../domain/decide-import.ts";
import { RwError } from "../domain/errors.ts";
import { planBacklogMd, type BacklogFile } from "./backlog-md.ts";
import { planBeads } from "./beads.ts";
import { planGitHub } from "./github.ts";
import { planPrd } from "./prd.ts";
import { planRwJson } from "./rw-json.ts";
import { planTaskMaster } from "./taskmaster.ts";

export type SourceKind = "beads" | "taskmaster" | "backlog.md" | "prd" | "gh" | "rw";

/** `--from` names (and the aliases people type) to source kinds. */
export const FROM_NAMES: Record<string, SourceKind> = {
  beads: "beads", taskmaster: "taskmaster", "task-master": "taskmaster", backlog: "backlog.md", "backlog.md": "backlog.md",
  prd: "prd", ralph: "prd", gh: "gh", github: "gh", rw: "rw", json: "rw",
};

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

/** `--from` as a source kind, or a usage error that lists the names. */
export function fromName(name: string): SourceKind {
  const kind = FROM_NAMES[name.toLowerCase()];
  if (kind) return kind;
  const near = Object.keys(FROM_NAMES).find((k) => k.startsWith(name.toLowerCase().slice(0, 2)));
  throw new RwError("usage", `unknown source ${JSON.stringify(name)} for --from${near ? ` (did you mean ${near}?)` : ""}`, { hint: "use one of: beads, taskmaster, backlog, prd, gh, rw" });
}

/** Every known layout in a directory. */
async function layouts(path: string): Promise<Source[]> {
  const found: Source[] = [];
  if ((await kindOf(join(path, "tasks"))) === "dir" && (basename(path) === "backlog" || (await kindOf(join(path, "config.yml"))) === "file")) found.push({ kind: "backlog.md", path });
  const candidates: Array<[string, SourceKind]> = [
    [".beads/issues.jsonl", "beads"], [".taskmaster/tasks/tasks.json", "taskmaster"], ["tasks/tasks.json", "taskmaster"], ["backlog", "backlog.md"], ["prd.json", "prd"],
    ["scripts/ralph/prd.json", "prd"],
  ];
  for (const [rel, k] of candidates) {
    const p = join(path, rel);
    if (found.some((s) => s.kind === k)) continue;
    if ((await kindOf(p)) !== undefined && (k !== "backlog.md" || (await kindOf(join(p, "tasks"))) === "dir")) found.push({ kind: k, path: p });
  }
  return found;
}

/**
 * Finds what to import at `path`: a file (by `from`, else by name and content) or a directory
 * holding one of the known layouts (`.beads/issues.jsonl`, `.taskmaster/tasks/tasks.json`,
 * `backlog/`, `prd.json`). A directory with several needs `from`: rw does not guess.
 */
export async function detectSource(path: string, from?: SourceKind): Promise<Source> {
  const kind = await kindOf(path);
  if (kind === undefined) throw new RwError("not_found", `${path} does not exist`, { hint: "give a file (issues.jsonl, tasks.json, prd.json, gh issues JSON, an rw export) or a directory" });
  if (kind === "dir") {
    const found = await layouts(path);
    const list = found.map((s) => `${s.kind === "backlog.md" ? "backlog" : s.kind} (${relative(path, s.path) || "."})`).join(", ");
    if (from !== undefined) {
      const pick = found.find((s) => s.kind === from);
      if (pick) return pick;
      throw new RwError("invalid_input", `no ${from} source in ${path}${found.length > 0 ? `; found ${list}` : ""}`, { hint: "give the file itself, or another --from" });
    }
    if (found.length === 1) return found[0]!;
    if (found.length > 1) {
      throw new RwError("usage", `${path} holds several sources: ${list}`, { hint: `choose one with --from ${found.map((s) => (s.kind === "backlog.md" ? "backlog" : s.kind)).join("|")}`, data: { found: found.map((s) => s.kind) } });
    }
    throw new RwError("invalid_input", `found nothing to import in ${path}`, { hint: "looked for .beads/issues.jsonl, .taskmaster/tasks/tasks.json, backlog/tasks/ and prd.json; for GitHub issues give the `gh issue list --json` file" });
  }
  if (from !== undefined) return { kind: from, path };
  const name = basename(path);
  if (name.endsWith(".jsonl")) return { kind: "beads", path };
  const text = await readFile(path, "utf8");
  if (/"kind"\s*:\s*"rw-export"/.test(text)) return { kind: "rw", path };
  if (/"userStories"\s*:/.test(text)) return { kind: "prd", path };
  if (/^\s*\[/.test(text) && /"number"\s*:/.test(text) && /"title"\s*:/.test(text)) return { kind: "gh", path };
  if (/^\s*\[\s*\]\s*$/.test(text)) return { kind: "gh", path };
  if (name === "tasks.json" || /"tasks"\s*:/.test(text)) return { kind: "taskmaster", path };
  throw new RwError("invalid_input", `cannot tell which tool wrote ${path}`, { hint: "pass --from beads|taskmaster|backlog|prd|gh|rw" });
}

/** Reads a source and maps it with the pure planner for its tool. */
export async function planSource(src: Source): Promise<ImportPlan> {
  if (src.kind === "backlog.md") {
    if ((await kindOf(src.path)) !== "dir") throw new RwError("invalid_input", `${src.path} is not a directory`, { hint: "give Backlog.md's backlog/ directory" });
    const config = await readFile(join(src.path, "config.yml"), "utf8").catch(() => undefined);
    return planBacklogMd(await readTree(src.path), config);
  }
  if ((await kindOf(src.path)) !== "file") throw new RwError("invalid_input", `${src.path} is not a file`, { hint: "give the file itself, or its directory without --from" });
  const text = await readFile(src.path, "utf8");
  switch (src.kind) {
    case "beads":
      return planBeads(text, src.path);
    case "taskmaster":
      return planTaskMaster(text, src.path);
    case "rw":
      return planRwJson(text, src.path);
    case "prd":
      return planPrd(text, src.path);
    case "gh":
      return planGitHub(text, src.path);
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
