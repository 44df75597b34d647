import type { ImportNote, ImportPlan, ImportTask } from "../domain/decide-import.ts";
import { RwError } from "../domain/errors.ts";
import type { Status } from "../domain/types.ts";
import { countUnknown, droppedFields, isObject, iso, labelOf, labelsOf, parseJson, str, tally } from "./common.ts";

/**
 * The fields `gh issue list --json …` documents (cli.github.com/manual/gh_issue_list, "JSON
 * Fields") that rw reads; the others (reactionGroups, projectCards, url, id…) are counted as
 * not imported.
 */
const KNOWN = new Set(["number", "title", "body", "state", "stateReason", "labels", "assignees", "milestone", "author", "createdAt", "updatedAt", "closedAt", "closed", "comments", "id", "url"]);

/** `priority: high`, `P1`, `priority/critical`… as labels teams use for priority. */
const PRIORITY_WORDS: Record<string, number> = { critical: 0, urgent: 0, highest: 0, high: 1, medium: 2, normal: 2, low: 3, lowest: 4 };
const TYPE_LABELS: Record<string, string> = { bug: "bug", enhancement: "feature", feature: "feature", chore: "chore", documentation: "docs", docs: "docs" };

function priorityLabel(name: string): number | undefined {
  const m = /^(?:priority[\s:/_-]*)?p([0-4])$/i.exec(name.trim()) ?? /^priority[\s:/_-]*([0-4])$/i.exec(name.trim());
  if (m) return Number(m[1]);
  const w = /^priority[\s:/_-]*([a-z]+)$/i.exec(name.trim());
  return w ? PRIORITY_WORDS[w[1]!.toLowerCase()] : undefined;
}

/**
 * Issues this one waits for, from its body: "blocked by #12", "depends on #3, #4", and
 * task-list lines (`- [ ] #12`, a tracking issue waits for the issues it lists). Only `#N` of
 * the same repository; `owner/repo#N` is someone else's issue.
 */
export function referencedDeps(body: string): number[] {
  const out = new Set<number>();
  for (const m of body.matchAll(/\b(?:blocked\s+by|depends\s+on|depends\s+upon|waiting\s+on|waits\s+for|requires)\s*:?\s*((?:#\d+(?:\s*(?:,|and|&)\s*)?)+)/gi)) {
    for (const n of m[1]!.matchAll(/#(\d+)/g)) out.add(Number(n[1]));
  }
  for (const m of body.matchAll(/^\s*[-*+]\s+\[[ xX]\]\s+#(\d+)\b/gm)) out.add(Number(m[1]));
  return [...out];
}

const login = (v: unknown): string | undefined => (isObject(v) ? str(v.login) : undefined);

/**
 * Maps `gh issue list --state all --json number,title,body,state,stateReason,labels,assignees,
 * milestone,author,createdAt,closedAt,comments` (a JSON array): `#12` becomes task `gh-12`;
 * OPEN -> open, CLOSED -> done (NOT_PLANNED -> cancelled); labels stay labels, and priority
 * labels (P1, `priority: high`) and bug/enhancement set priority and type; the milestone is a
 * label; comments are notes; "blocked by #N" and task-list references are dependencies.
 */
export function planGitHub(text: string, file: string): ImportPlan {
  const root = parseJson(text, file);
  if (!Array.isArray(root)) throw new RwError("invalid_input", `${file} is not a \`gh issue list --json\` array`, { hint: "create it with `gh issue list --state all --limit 10000 --json number,title,body,state,stateReason,labels,assignees,milestone,author,createdAt,closedAt,comments > issues.json`" });
  const notes: ImportNote[] = [];
  const tasks: ImportTask[] = [];
  const states: string[] = [];
  const unknownFields = new Map<string, number>();
  root.forEach((raw, i) => {
    if (!isObject(raw) || typeof raw.number !== "number" || !str(raw.title)) {
      notes.push({ kind: "skipped", item: `issue ${i + 1}`, text: "no number or title", problem: true });
      return;
    }
    if (isObject(raw.pullRequest) || raw.isPullRequest === true) {
      notes.push({ kind: "skipped", item: `#${raw.number}`, text: "a pull request, not an issue" });
      return;
    }
    countUnknown(raw, KNOWN, unknownFields);
    const id = `gh-${raw.number}`;
    const state = (str(raw.state) ?? "OPEN").toUpperCase();
    const reason = (str(raw.stateReason) ?? "").toUpperCase();
    const status: Status = state === "CLOSED" ? (reason === "NOT_PLANNED" ? "cancelled" : "done") : "open";
    states.push(`${state}${state === "CLOSED" && reason ? `/${reason}` : ""} -> ${status}`);
    const origin: Record<string, unknown> = {};
    const names = (Array.isArray(raw.labels) ? raw.labels : []).map((l) => (isObject(l) ? str(l.name) : str(l))).filter((n): n is string => n !== undefined);
    let priority: number | undefined;
    let type = "task";
    const rest: string[] = [];
    for (const n of names) {
      const p = priorityLabel(n);
      if (p !== undefined && priority === undefined) priority = p;
      else if (TYPE_LABELS[n.toLowerCase()] && type === "task") type = TYPE_LABELS[n.toLowerCase()]!;
      else rest.push(n);
    }
    const labels = labelsOf(rest, id, notes, origin);
    const milestone = isObject(raw.milestone) ? str(raw.milestone.title) : undefined;
    if (milestone) labels.push(labelOf(`milestone-${milestone}`));
    const body = typeof raw.body === "string" ? raw.body.replace(/\r\n/g, "\n") : "";
    const t: ImportTask = {
      id, title: str(raw.title)!, status, priority: priority ?? 2, type, labels,
      deps: referencedDeps(body).filter((n) => n !== raw.number).map((n) => `gh-${n}`), body: body.trim() === "" ? "" : `${body.trimEnd()}\n`,
    };
    const assignees = (Array.isArray(raw.assignees) ? raw.assignees : []).map(login).filter((a): a is string => a !== undefined);
    if (assignees[0] && status !== "open") t.assignee = assignees[0];
    const unclaimed = t.assignee ? assignees.slice(1) : assignees;
    if (unclaimed.length > 0) notes.push({ kind: "unassigned", item: id, text: `assignee ${unclaimed.join(", ")} not claimed (rw assigns by claiming)` });
    const created = iso(raw.createdAt);
    if (created) t.created_at = created;
    const closed = iso(raw.closedAt);
    if (closed && status !== "open") t.closed_at = closed;
    if (status === "cancelled") t.reason = "closed as not planned on GitHub";
    const comments = Array.isArray(raw.comments) ? raw.comments.filter(isObject) : [];
    t.notes = comments.map((c) => ({ actor: login(c.author) ?? "github", text: str(c.body) ?? "", ...(iso(c.createdAt) ? { ts: iso(c.createdAt)! } : {}) }));
    if (Object.keys(origin).length > 0) t.origin = origin;
    tasks.push(t);
  });
  droppedFields(unknownFields, "GitHub", notes);
  return {
    source: "github", tasks, notes, items: root.length,
    mapped: [`states: ${tally(states).join(", ") || "none"}`, "#N -> gh-N, labels -> labels (P0-P4 / priority: high -> priority; bug/enhancement -> type), milestone -> label, comments -> notes, \"blocked by #N\" and task-list items -> deps"],
  };
}
