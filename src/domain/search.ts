import { byPriority } from "./order.ts";
import { isClosed, type State, type Task, recordValues } from "./types.ts";

export interface SearchHit {
  task: Task;
  /** Where the text was found first: title, body or note. */
  field: "title" | "body" | "note";
  /** A short piece of the matching text around the first term. */
  snippet: string;
}

/**
 * `rw search` and the MCP `search` tool: every word of `query` (case-insensitive, plain text, no
 * patterns, so no input can make it slow) must occur in the task's title, body or notes. Title
 * matches rank first, then backlog order. Closed tasks only with `all`.
 */
export function searchTasks(state: State, query: string, opts: { all?: boolean } = {}): SearchHit[] {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (terms.length === 0) return [];
  const hits: SearchHit[] = [];
  for (const task of recordValues(state.tasks)) {
    if (!opts.all && isClosed(task.status)) continue;
    const title = task.title.toLowerCase();
    const body = task.body.toLowerCase();
    const notes = task.notes.map((n) => n.text).join("\n");
    const notesLower = notes.toLowerCase();
    if (!terms.every((w) => title.includes(w) || body.includes(w) || notesLower.includes(w))) continue;
    const first = terms[0]!;
    const field = terms.every((w) => title.includes(w)) ? "title" : body.includes(first) ? "body" : title.includes(first) ? "title" : "note";
    const source = field === "title" ? task.title : field === "body" ? task.body : notes;
    hits.push({ task, field, snippet: snippetAround(source, first) });
  }
  return hits.sort((a, b) => Number(b.field === "title") - Number(a.field === "title") || byPriority(a.task, b.task));
}

function snippetAround(text: string, term: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  const at = flat.toLowerCase().indexOf(term);
  if (at < 0) return flat.slice(0, 80);
  const start = Math.max(0, at - 30);
  const end = Math.min(flat.length, at + term.length + 50);
  return `${start > 0 ? "…" : ""}${flat.slice(start, end)}${end < flat.length ? "…" : ""}`;
}
