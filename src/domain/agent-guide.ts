import type { ReadyItem } from "./ready.ts";
import { printable } from "./text.ts";

/** The markers of the section `rw init --agents` keeps in AGENTS.md / CLAUDE.md. */
export const AGENTS_BEGIN = "<!-- rw:agents begin -->";
export const AGENTS_END = "<!-- rw:agents end -->";

const minutes = (ms: number): string => (ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : `${Math.round(ms / 60_000)}m`);

/**
 * The agent-facing instructions for a repository that uses rw: the loop and the commands, in
 * words an agent follows. The same text is `rw prime`'s head and the section `rw init --agents`
 * writes, so the two never drift apart.
 */
export function agentGuide(opts: { ref: string; leaseMs: number }): string {
  return [
    "## Working with rw (the task tracker of this repository)",
    "",
    `Tasks live in rw (state on \`${opts.ref}\`, never on your code branch). Work one task at a time:`,
    "",
    "1. `rw ready` lists what is ready, best first (`rw ready --explain` says why others wait).",
    "2. `rw claim ID` takes one atomically (or `rw claim --next` takes the best one): exactly one",
    `   claimer wins; if you lose, pick another. The claim lasts ${minutes(opts.leaseMs)}; \`rw heartbeat ID\` renews it.`,
    "3. `rw show ID` has the task: its body, acceptance criteria, dependencies and notes.",
    "4. Do the work. Record what others need to know with `rw note ID \"...\"`; file follow-up work",
    "   with `rw create \"Title\" --dep ID` instead of doing it unasked.",
    "5. Finish with `rw done ID --summary \"what changed\"`; if you cannot, `rw fail ID --reason \"why\"`",
    "   (it goes back to the queue) or `rw release ID` (give it back untouched). Then start again at 1.",
    "",
    "Set `RW_ACTOR` to your name (or pass `--actor`): it authors your changes. Every reading command",
    "takes `--json`. Do not edit `.rewind/` by hand. Also useful: `rw search TEXT`, `rw blocked`,",
    "`rw dep tree ID`, `rw history ID`, `rw status`. `rw prime` prints this with the current ready",
    "tasks; an MCP client gets the same loop from `rw mcp` (tools ready, claim, heartbeat, show, note,",
    "done, fail, release).",
  ].join("\n");
}

/** `rw prime`: the guide plus the tasks ready right now. */
export function primeText(guide: string, ready: ReadyItem[], total: number): string {
  const lines = [guide, "", `## Ready now (${total})`, ""];
  if (ready.length === 0) lines.push("Nothing is ready. `rw ready --explain` says why; `rw blocked` shows what is stuck.");
  for (const r of ready) lines.push(`- ${r.task.id} P${r.task.priority} ${printable(r.task.title)}${r.unblocks > 0 ? ` (unblocks ${r.unblocks})` : ""}`);
  if (ready.length < total) lines.push(`- … and ${total - ready.length} more (\`rw ready\`)`);
  return `${lines.join("\n")}\n`;
}

export type SectionChange = "created" | "appended" | "updated" | "unchanged";

/**
 * The file's text with rw's marked section set to `body`: replaced between the markers when
 * they are there, else appended. Every byte outside the markers stays as it was. Line endings
 * follow the file's own. Refuses (returns an error text) when the markers are broken.
 */
export function withAgentsSection(current: string | undefined, body: string): { text: string; change: SectionChange } | { error: string } {
  const eol = current !== undefined && current.includes("\r\n") ? "\r\n" : "\n";
  const block = [AGENTS_BEGIN, "<!-- Written by `rw init --agents`; run it again to update. Edits inside these markers are replaced. -->", ...body.split("\n"), AGENTS_END].join(eol);
  if (current === undefined || current === "") return { text: `${block}${eol}`, change: "created" };
  const begins = occurrences(current, AGENTS_BEGIN);
  const ends = occurrences(current, AGENTS_END);
  if (begins.length === 0 && ends.length === 0) {
    const sep = current.endsWith(`${eol}${eol}`) ? "" : current.endsWith(eol) ? eol : `${eol}${eol}`;
    return { text: `${current}${sep}${block}${eol}`, change: "appended" };
  }
  if (begins.length !== 1 || ends.length !== 1 || ends[0]! < begins[0]!) {
    return { error: `its rw section markers are broken (${begins.length} "${AGENTS_BEGIN}", ${ends.length} "${AGENTS_END}")` };
  }
  const text = `${current.slice(0, begins[0])}${block}${current.slice(ends[0]! + AGENTS_END.length)}`;
  return { text, change: text === current ? "unchanged" : "updated" };
}

function occurrences(text: string, needle: string): number[] {
  const out: number[] = [];
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) out.push(i);
  return out;
}
