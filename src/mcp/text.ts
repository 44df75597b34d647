import { RwError } from "../domain/errors.ts";
import type { ReadyItem } from "../domain/ready.ts";
import { errorText } from "../domain/text.ts";
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

/** One timestamp format for history and log answers (and `rw history` / `rw log`): seconds, UTC. */
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

/**
 * Hints in the words of the surface the agent uses: the domain's hints name CLI commands and
 * flags (`rw list --all`, `--force`); an MCP client can only call tools.
 */
const MCP_HINTS: Array<[RegExp, string | ((...m: string[]) => string)]> = [
  [/run `rw list --all` to see every task ID/, "call list with all: true to see every task ID"],
  [/run `rw initiative list` to see every initiative/, "call initiative_list to see every initiative"],
  [/`rw ready --explain` says why each task is waiting/, "call ready with explain: true to see why each task is waiting"],
  [/claim it first with `rw claim ([^`]+)`, or pass --force/, (_m, id) => `claim it first (call claim with id: "${id}"), or pass force: true`],
  [/pass --actor with the claimant's name, or --force/, "pass actor with the claimant's name, or force: true"],
  [/\(`rw dep rm`\)/, "(call dep with remove: true)"],
  [/see `rw ([a-z-]+) --help`/, (_m, verb) => `see the ${verb} tool's input schema`],
  [/--force\b/g, "force: true"],
];

export function mcpHint(hint: string): string {
  let out = hint;
  for (const [pattern, replacement] of MCP_HINTS) out = out.replace(pattern, replacement as string);
  return out;
}

/** The CLI's error text with MCP hints, so both surfaces say the same thing in their own terms. */
export function errorAnswer(err: unknown): string {
  if (err instanceof RwError) return errorText(err.message, err.hint === undefined ? undefined : mcpHint(err.hint));
  return errorText(err instanceof Error ? err.message : String(err));
}
