import type { RwEvent, State } from "../domain/types.ts";
import { eventLine, shardOf } from "../format/event-line.ts";
import { initiativePath, renderInitiative } from "../format/initiative-render.ts";
import { renderTask } from "../format/task-render.ts";
import { renderViews } from "../views/index.ts";

/** Written once at init; constant, so it is part of render(fold(events)) too. */
export const REF_README = `# rw state

This branch is written by rw (rewind), not by hand. It holds no code: only the task backlog
and its history.

- \`tasks/<id>.md\`: one Markdown file per task (frontmatter + body).
- \`initiatives/<id>.md\`: one file per initiative (phases in its frontmatter, the concept as body).
- \`events/<YYYY-MM-DD>.jsonl\`: the append-only event log, one JSON object per line.
  It is the source of truth; every other file here is generated from it.
- \`STATE.md\`, \`BOARD.md\`: generated views.

\`git log\` on this branch is the audit trail: one commit per rw command, authored by its actor.
Change tasks with \`rw\` (or by editing \`.rewind/tasks/\` while \`rw daemon\` runs), never by
committing here directly; \`rw doctor\` checks that the files match the log.
`;

export const taskPath = (id: string): string => `tasks/${id}.md`;

/** Files a transaction changes: the tasks its events touched and the generated views. */
export function renderChanged(state: State, events: readonly RwEvent[], unblocks?: Map<string, number>): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of events) {
    if (e.task && state.tasks[e.task] && !out.has(taskPath(e.task))) out.set(taskPath(e.task), renderTask(state.tasks[e.task]!));
    const initiative = e.initiative ? state.initiatives[e.initiative] : undefined;
    if (initiative && !out.has(initiativePath(initiative.id))) out.set(initiativePath(initiative.id), renderInitiative(initiative));
  }
  for (const [path, text] of Object.entries(renderViews(state, unblocks))) out.set(path, text);
  return out;
}

/** Every file on the ref as the log says it should be (rw doctor compares the tip with this). */
export function renderAll(state: State, events: readonly RwEvent[]): Map<string, string> {
  const out = new Map<string, string>([["README.md", REF_README]]);
  for (const task of Object.values(state.tasks)) out.set(taskPath(task.id), renderTask(task));
  for (const i of Object.values(state.initiatives)) out.set(initiativePath(i.id), renderInitiative(i));
  const shards = new Map<string, string[]>();
  for (const e of events) {
    const name = `events/${shardOf(e)}`;
    const lines = shards.get(name) ?? [];
    lines.push(eventLine(e));
    shards.set(name, lines);
  }
  for (const [name, lines] of shards) out.set(name, lines.join(""));
  for (const [path, text] of Object.entries(renderViews(state))) out.set(path, text);
  return out;
}
