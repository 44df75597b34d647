import { RwError } from "../domain/errors.ts";
import { isValidId } from "../domain/ids.ts";
import { STATUSES, type Status, type Task } from "../domain/types.ts";
import { readYaml, shown, YamlReadError } from "./yaml-limited.ts";

/**
 * The task-file parser (DESIGN §4): hand-written Markdown with YAML frontmatter back to fields,
 * and the body kept byte-for-byte. YAML goes through yaml-limited.ts (gray-matter, with alias and
 * size limits); this module is only
 * loaded by the daemon, the mirror sync (when a file actually changed) and importers, so callers
 * on hot paths import it dynamically.
 */

/** Every frontmatter key a task file may carry, in the order renderTask writes them. */
export const TASK_FILE_KEYS = [
  "id", "title", "status", "priority", "type", "labels", "deps", "parent", "initiative", "phase", "assignee",
  "lease_until", "defer_until", "blocked_reason", "retries", "gates", "created_at", "updated_at",
] as const;

/** A task file's frontmatter as parsed: rw's task fields (all optional in a file) plus `retries`. */
export type TaskFields = Partial<Pick<Task,
  "id" | "title" | "status" | "priority" | "type" | "labels" | "deps" | "parent" | "initiative" | "phase" | "assignee" |
  "lease_until" | "defer_until" | "blocked_reason" | "gates" | "created_at" | "updated_at"
>> & { retries?: number };

export interface ParsedTaskFile {
  fields: TaskFields;
  /** Everything after the closing `---` line, exactly as in the file. */
  body: string;
  /** 1-based line of each key in the file, for messages. */
  lines: Partial<Record<string, number>>;
  hasFrontmatter: boolean;
}

/** One thing wrong with a file: where, what, and what to do about it. */
export interface TaskFileProblem { file: string; line: number; message: string; fix: string }

export class TaskFileError extends RwError {
  constructor(readonly problems: TaskFileProblem[]) {
    const first = problems[0]!;
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? "s" : ""})` : "";
    super("invalid_input", `${first.file}:${first.line}: ${first.message}${more}`, { hint: first.fix, data: { problems } });
  }
}

const DELIM = /^---[ \t]*\r?$/;

/** Splits the file into frontmatter lines and the verbatim body; undefined frontmatter when there is none. */
function split(text: string): { yaml: string[] | undefined; body: string; unclosed: boolean } {
  const src = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const firstEnd = src.indexOf("\n");
  const firstLine = firstEnd < 0 ? src : src.slice(0, firstEnd);
  if (!DELIM.test(firstLine)) return { yaml: undefined, body: src, unclosed: false };
  const yaml: string[] = [];
  let pos = firstEnd < 0 ? src.length : firstEnd + 1;
  while (pos < src.length) {
    const nl = src.indexOf("\n", pos);
    const line = nl < 0 ? src.slice(pos) : src.slice(pos, nl);
    const next = nl < 0 ? src.length : nl + 1;
    if (DELIM.test(line)) return { yaml, body: src.slice(next), unclosed: false };
    yaml.push(line.endsWith("\r") ? line.slice(0, -1) : line);
    pos = next;
  }
  return { yaml, body: "", unclosed: true };
}

/** A file without frontmatter: its first `# heading` is the title, the rest is the body. */
function headingTitle(body: string): { title: string | undefined; body: string } {
  const m = /^(?:[ \t]*\r?\n)*#[ \t]+(.+?)[ \t#]*\r?(?:\n|$)/.exec(body);
  if (!m) return { title: undefined, body };
  return { title: m[1]!.trim(), body: body.slice(m[0].length) };
}

/** A file's frontmatter as YAML data (undefined when it has none), its verbatim body and each key's line. */
export interface Frontmatter {
  data: Record<string, unknown> | undefined;
  body: string;
  /** 1-based line of each top-level key in the file, for messages. */
  lines: Record<string, number>;
}

/**
 * Splits a Markdown file into its YAML frontmatter (parsed) and its body (byte-for-byte).
 * Shared by task and initiative files so gray-matter stays behind this one module.
 * Throws TaskFileError (file, line, fix) on unclosed or invalid YAML.
 */
export function readFrontmatter(text: string, file: string): Frontmatter {
  const { yaml, body, unclosed } = split(text);
  if (yaml === undefined) return { data: undefined, body, lines: {} };
  if (unclosed) {
    throw new TaskFileError([{ file, line: 1, message: "the frontmatter is not closed", fix: "add a line with just --- after the last field" }]);
  }
  let data: unknown;
  try {
    data = readYaml(yaml.join("\n"));
  } catch (err) {
    if (!(err instanceof YamlReadError)) throw err;
    // Line 1 of the file is the `---`: the block's line 0 is the file's line 2.
    const message = err.kind === "syntax" ? `invalid YAML: ${err.message}` : err.message;
    throw new TaskFileError([{ file, line: err.line + 2, message, fix: err.fix }]);
  }
  const lines: Record<string, number> = {};
  yaml.forEach((l, i) => {
    const m = /^([A-Za-z_][\w-]*)\s*:/.exec(l);
    if (m && lines[m[1]!] === undefined) lines[m[1]!] = i + 2;
  });
  lines.body ??= yaml.length + 3; // after the opening ---, the block and the closing ---: a problem in the body points there
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new TaskFileError([{ file, line: 2, message: "the frontmatter is not a list of fields", fix: "write one `key: value` per line between the --- lines" }]);
  }
  return { data: data as Record<string, unknown>, body, lines };
}

/**
 * Parses a task file. Throws TaskFileError listing every problem (file, line, fix); never
 * returns a half-valid result.
 */
export function parseTaskFile(text: string, file: string): ParsedTaskFile {
  const { data, body, lines } = readFrontmatter(text, file);
  if (data === undefined) {
    const h = headingTitle(body);
    return { fields: h.title === undefined ? {} : { title: h.title }, body: h.body, lines: { title: 1 }, hasFrontmatter: false };
  }
  const problems: TaskFileProblem[] = [];
  const fields = validate(data, (key, message, fix) => problems.push({ file, line: lines[key] ?? 2, message, fix }));
  if (problems.length > 0) throw new TaskFileError(problems.sort((a, b) => a.line - b.line));
  return { fields, body, lines, hasFrontmatter: true };
}

type Report = (key: string, message: string, fix: string) => void;

const ID_FIX = "IDs are 1-64 characters of A-Z a-z 0-9 . _ - and start with a letter or digit";

function text(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

export function iso(v: unknown): string | undefined {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.toISOString();
  if (typeof v === "string" && /^\d{4}-\d\d-\d\d/.test(v) && !Number.isNaN(Date.parse(v))) return new Date(Date.parse(v)).toISOString();
  return undefined;
}

function stringList(v: unknown, splitCommas: boolean): string[] | undefined {
  if (v === null || v === undefined) return [];
  if (typeof v === "string") return splitCommas ? v.split(",").map((s) => s.trim()).filter(Boolean) : [v];
  if (!Array.isArray(v)) return undefined;
  const out: string[] = [];
  for (const item of v) {
    const s = text(item);
    if (s === undefined) return undefined;
    out.push(s);
  }
  return out;
}

function wholeNumber(v: unknown, min: number, max: number): number | undefined {
  return typeof v === "number" && Number.isInteger(v) && v >= min && v <= max ? v : undefined;
}

function validate(data: Record<string, unknown>, report: Report): TaskFields {
  const f: TaskFields = {};
  for (const [key, value] of Object.entries(data)) {
    if (value === null || value === undefined || value === "") continue; // an empty field is an absent field
    switch (key) {
      case "id": case "parent": case "initiative": {
        const s = text(value);
        if (s === undefined || !isValidId(s)) report(key, `${key} ${shown(value)} is not a valid ID`, ID_FIX);
        else f[key] = s;
        break;
      }
      case "title": case "assignee": case "blocked_reason": {
        const s = text(value)?.trim();
        if (s === undefined || s === "") report(key, `${key} must be text`, `write it as ${key}: some text`);
        else f[key] = s;
        break;
      }
      case "type": {
        const s = text(value);
        if (s === undefined || !/^[a-z][a-z0-9_-]{0,31}$/.test(s)) report(key, `invalid type ${shown(value)}`, "use a lowercase word such as task, feature, bug, chore, docs");
        else f.type = s;
        break;
      }
      case "status": {
        const s = text(value);
        if (s === undefined || !(STATUSES as readonly string[]).includes(s)) report(key, `unknown status ${shown(value)}`, `use one of: ${STATUSES.join(", ")}`);
        else f.status = s as Status;
        break;
      }
      case "priority": {
        const n = wholeNumber(value, 0, 4);
        if (n === undefined) report(key, `priority must be a whole number from 0 to 4, got ${shown(value)}`, "0 is critical, 2 the default, 4 the lowest");
        else f.priority = n;
        break;
      }
      case "phase": case "retries": {
        const n = wholeNumber(value, 0, 1_000_000);
        if (n === undefined) report(key, `${key} must be a whole number, got ${shown(value)}`, `write it as ${key}: 1`);
        else f[key] = n;
        break;
      }
      case "labels": case "deps": case "gates": {
        const list = stringList(value, key !== "gates");
        if (list === undefined) report(key, `${key} must be a list of text`, `write it as ${key}: [a, b]`);
        else if (key === "deps" && list.some((d) => !isValidId(d))) report(key, `deps contains an invalid ID: ${shown(list.find((d) => !isValidId(d)))}`, ID_FIX);
        else if (list.length > 0) f[key] = list;
        break;
      }
      case "lease_until": case "defer_until": case "created_at": case "updated_at": {
        const t = iso(value);
        if (t === undefined) report(key, `${key} is not a date: ${shown(value)}`, "use ISO 8601, e.g. 2026-12-01 or 2026-12-01T09:00:00Z");
        else f[key] = t;
        break;
      }
      default:
        report(key, `unknown field ${shown(key)}`, `remove it, or use one of: ${TASK_FILE_KEYS.join(", ")}`);
    }
  }
  return f;
}

/**
 * The task a complete file describes (one rw wrote, or a human completed). Derived-only data
 * (notes, claim start) is not in files, so it is empty here.
 */
export function taskFromFile(parsed: ParsedTaskFile, file: string): Task {
  const f = parsed.fields;
  const missing = (["id", "title", "status", "created_at", "updated_at"] as const).filter((k) => f[k] === undefined);
  if (missing.length > 0) {
    throw new TaskFileError([{ file, line: 1, message: `missing ${missing.join(", ")}`, fix: "a complete task file has id, title, status, created_at and updated_at" }]);
  }
  const task: Task = {
    id: f.id!, title: f.title!, status: f.status!, priority: f.priority ?? 2, type: f.type ?? "task",
    labels: f.labels ?? [], deps: f.deps ?? [], gates: f.gates ?? [], created_at: f.created_at!, updated_at: f.updated_at!,
    body: parsed.body, retry_count: f.retries ?? 0, notes: [],
  };
  for (const k of ["parent", "initiative", "assignee", "lease_until", "defer_until", "blocked_reason"] as const) {
    if (f[k] !== undefined) task[k] = f[k];
  }
  if (f.phase !== undefined) task.phase = f.phase;
  return task;
}
