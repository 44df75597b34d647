import { errorText } from "../cli/output.ts";
import { RwError } from "../domain/errors.ts";
import type { ReadyItem } from "../domain/ready.ts";
import type { Task } from "../domain/types.ts";
import type { HistoryEntry } from "../store/history.ts";
import { describeEntry } from "../store/history.ts";

/**
 * Terse text for MCP answers: an agent's context is precious, so one short line per task and
 * no decoration. (A `ready` answer for 10 tasks stays near 1,000 characters, ~250 tokens.)
 */
export function cut(text: string, width: number): string {
  const chars = [...text];
  return chars.length > width ? `${chars.slice(0, width - 1).join("")}…` : text;
}

const when = (iso: string): string => iso.replace(/\.\d{3}Z$/, "Z");

export function readyLine(r: ReadyItem): string {
  const extra = [r.unblocks > 0 ? `unblocks ${r.unblocks}` : "", r.expired_claim ? `lease of ${r.expired_claim.assignee} expired` : ""].filter(Boolean).join(", ");
  return `${r.task.id} P${r.task.priority} ${cut(r.task.title, 72)}${extra ? ` (${extra})` : ""}`;
}

export function readyText(ready: ReadyItem[], limit: number): string {
  if (ready.length === 0) return "nothing is ready";
  const shown = ready.slice(0, limit);
  const head = shown.length < ready.length ? `${ready.length} ready, best ${shown.length}:` : `${ready.length} ready:`;
  return [head, ...shown.map(readyLine)].join("\n");
}

export function listLine(t: Task): string {
  return `${t.id} P${t.priority} ${t.status} ${cut(t.title, 72)}${t.assignee ? ` @${t.assignee}` : ""}`;
}

export function historyText(entries: HistoryEntry[], limit: number): string {
  const shown = entries.slice(-limit);
  const lines = shown.map((x) => `${when(x.ts)} ${x.actor} ${x.type}${x.commit ? ` ${x.commit.slice(0, 8)}` : ""} ${describeEntry(x)}`.trimEnd());
  if (shown.length < entries.length) lines.unshift(`(${entries.length - shown.length} earlier entries left out)`);
  return lines.join("\n") || "no history";
}

/** The very text the CLI prints on stderr for an error, so both surfaces say the same thing. */
export function errorAnswer(err: unknown): string {
  if (err instanceof RwError) return errorText(err.message, err.hint);
  return errorText(err instanceof Error ? err.message : String(err));
}
