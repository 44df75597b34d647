import { isValidId } from "../domain/ids.ts";
import { INITIATIVE_STATUSES, PHASE_STATUSES, type InitiativeStatus, type Phase, type PhaseStatus } from "../domain/types.ts";
import { iso, readFrontmatter, TaskFileError, type TaskFileProblem } from "./task-parse.ts";
import { shown } from "./yaml-limited.ts";

/**
 * The initiative-file parser: `initiatives/<id>.md` as a human edited it, back to fields, with
 * the concept (body) kept byte-for-byte. Pure apart from the YAML reader behind task-parse.ts, so
 * it is loaded lazily, only where a hand-edited file is read (the daemon's mirror).
 */

export const INITIATIVE_FILE_KEYS = ["id", "title", "status", "phases", "created_at", "updated_at"] as const;

export interface InitiativeFileFields {
  /** Absent only in a new file: rw picks the ID. */
  id?: string;
  title: string;
  status: InitiativeStatus;
  phases: Phase[];
  created_at?: string;
  updated_at?: string;
}

export interface ParsedInitiativeFile {
  fields: InitiativeFileFields;
  body: string;
  lines: Record<string, number>;
}

const PHASE_FIX = "write one phase per line: `  - {n: 1, title: Token format, status: planned}` (status: planned, approved or done)";

/**
 * Parses and validates an initiative file. `expectedId` (from the file name) must match its `id`.
 * A new file (`isNew`: not yet an initiative) may leave out `id` and `status`: rw picks the ID and
 * a new initiative starts as a draft.
 * Throws TaskFileError listing every problem with its line and a fix; never returns a half-valid result.
 */
export function parseInitiativeFile(text: string, file: string, expectedId?: string, isNew = false): ParsedInitiativeFile {
  const { data, body, lines } = readFrontmatter(text, file);
  if (data === undefined) {
    throw new TaskFileError([{ file, line: 1, message: "an initiative file needs frontmatter", fix: "start the file with --- and id, title, status, phases, then ---" }]);
  }
  const problems: TaskFileProblem[] = [];
  const report = (key: string, message: string, fix: string): void => void problems.push({ file, line: lines[key] ?? 2, message, fix });
  const f: Partial<InitiativeFileFields> = {};
  for (const [key, value] of Object.entries(data)) {
    switch (key) {
      case "id":
        if (typeof value !== "string" || !isValidId(value)) report(key, `id ${shown(value)} is not a valid ID`, "IDs look like in-3m8d");
        else if (expectedId !== undefined && value !== expectedId) report(key, `id ${value} does not match the file name (${expectedId}.md)`, `set id: ${expectedId}, or rename the file`);
        else f.id = value;
        break;
      case "title": {
        const s = typeof value === "string" || typeof value === "number" ? String(value).trim() : "";
        if (s === "" || s.includes("\n")) report(key, "title must be one line of text", "write it as title: Auth rewrite");
        else f.title = s;
        break;
      }
      case "status":
        if (typeof value !== "string" || !(INITIATIVE_STATUSES as readonly string[]).includes(value)) {
          report(key, `unknown status ${shown(value)}`, `use one of: ${INITIATIVE_STATUSES.join(", ")}`);
        } else f.status = value as InitiativeStatus;
        break;
      case "phases": {
        const phases = parsePhases(value, (message) => report(key, message, PHASE_FIX));
        if (phases) f.phases = phases;
        break;
      }
      case "created_at": case "updated_at": {
        const t = iso(value);
        if (t === undefined) report(key, `${key} is not a date: ${shown(value)}`, "use ISO 8601, e.g. 2026-12-01T09:00:00Z (rw sets it; you may delete it)");
        else f[key] = t;
        break;
      }
      default:
        report(key, `unknown field ${shown(key)}`, `remove it, or use one of: ${INITIATIVE_FILE_KEYS.join(", ")}`);
    }
  }
  for (const key of isNew ? (["title"] as const) : (["id", "title", "status"] as const)) {
    if (data[key] === undefined) report(key, `missing ${key}`, `an initiative file has ${key}:`);
  }
  if (problems.length > 0) throw new TaskFileError(problems.sort((a, b) => a.line - b.line));
  return { fields: { phases: [], status: "draft", ...f } as InitiativeFileFields, body, lines };
}

function parsePhases(value: unknown, report: (message: string) => void): Phase[] | undefined {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) {
    report("phases must be a list");
    return undefined;
  }
  const out: Phase[] = [];
  for (const [i, item] of (value as unknown[]).entries()) {
    const p = item && typeof item === "object" && !Array.isArray(item) ? (item as Record<string, unknown>) : undefined;
    if (!p) {
      report(`phase ${i + 1} is not of the form {n, title, status}`);
      continue;
    }
    const n = p.n;
    const title = typeof p.title === "string" || typeof p.title === "number" ? String(p.title).trim() : "";
    const status = p.status ?? "planned";
    const extra = Object.keys(p).filter((k) => k !== "n" && k !== "title" && k !== "status");
    if (typeof n !== "number" || !Number.isInteger(n) || n < 1) report(`phase ${i + 1}: n must be a whole number from 1, got ${shown(n)}`);
    else if (out.some((q) => q.n === n)) report(`phase number ${n} appears twice`);
    else if (title === "") report(`phase ${n} has no title`);
    else if (typeof status !== "string" || !(PHASE_STATUSES as readonly string[]).includes(status)) report(`phase ${n}: unknown status ${shown(status)}`);
    else if (extra.length > 0) report(`phase ${n}: unknown field ${shown(extra[0])}`);
    else out.push({ n, title, status: status as PhaseStatus });
  }
  return out;
}
