import type { RwEvent, State } from "../domain/types.ts";
import { eventLine, SHARD_BOUND, ShardPlacer } from "../format/event-line.ts";
import { initiativePath, renderInitiative } from "../format/initiative-render.ts";
import { renderTask } from "../format/task-render.ts";
import { renderViews } from "../views/index.ts";

/** Layout 1's README (repositories made before shard rolling): kept byte for byte so they stay valid. */
export const REF_README_V1 = `# rw state

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

/** Written once at init (and by the first write to a layout 1 repository); part of render(fold(events)). */
export const REF_README = `# rw state

This branch is written by rw (rewind), not by hand. It holds no code: only the task backlog
and its history.

- \`tasks/<id>.md\`: one Markdown file per task (frontmatter + body).
- \`initiatives/<id>.md\`: one file per initiative (phases in its frontmatter, the concept as body).
- \`events/<YYYY-MM-DD>.jsonl\`: the append-only event log, one JSON object per line, by UTC day.
  A day's file that reaches ${SHARD_BOUND / 1024} KiB continues in \`<YYYY-MM-DD>_0001.jsonl\`, \`_0002\`, ...
  It is the source of truth; every other file here is generated from it.
- \`STATE.md\`, \`BOARD.md\`: generated views.
- \`LAYOUT\`: the version of this layout.

\`git log\` on this branch is the audit trail: one commit per rw command, authored by its actor.
Change tasks with \`rw\` (or by editing \`.rewind/tasks/\` while \`rw daemon\` runs), never by
committing here directly; \`rw doctor\` checks that the files match the log.
`;

/** The layout rw writes. 1: one event file per day, no LAYOUT file. 2: day files roll at SHARD_BOUND. */
export type LayoutVersion = 1 | 2;
export const LAYOUT_VERSION: LayoutVersion = 2;
export const LAYOUT_FILE = "LAYOUT";
export const layoutText = (v: LayoutVersion): string => `rw state layout ${v}\n`;

/**
 * The layout of a tree from its root entries: LAYOUT's blob, compared by object ID (no read).
 * `undefined`: a LAYOUT this rw does not know (written by a newer rw).
 */
export function layoutOf(root: ReadonlyArray<{ name: string; oid: string }>, hashBlob: (data: Buffer) => string): LayoutVersion | undefined {
  const entry = root.find((e) => e.name === LAYOUT_FILE);
  if (!entry) return 1;
  return entry.oid === hashBlob(Buffer.from(layoutText(2))) ? 2 : undefined;
}

/** The event files of a log in `layout`, path -> lines (events in log order). */
export function renderShards(events: readonly RwEvent[], layout: LayoutVersion): Map<string, string[]> {
  const placer = new ShardPlacer(layout);
  const shards = new Map<string, string[]>();
  for (const e of events) {
    const line = eventLine(e);
    const name = `events/${placer.place(e, line)}`;
    const lines = shards.get(name);
    if (lines) lines.push(line);
    else shards.set(name, [line]);
  }
  return shards;
}

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
export function renderAll(state: State, events: readonly RwEvent[], layout: LayoutVersion = LAYOUT_VERSION): Map<string, string> {
  const out = new Map<string, string>([["README.md", layout === 1 ? REF_README_V1 : REF_README]]);
  if (layout !== 1) out.set(LAYOUT_FILE, layoutText(layout));
  for (const task of Object.values(state.tasks)) out.set(taskPath(task.id), renderTask(task));
  for (const i of Object.values(state.initiatives)) out.set(initiativePath(i.id), renderInitiative(i));
  for (const [name, lines] of renderShards(events, layout)) out.set(name, lines.join(""));
  for (const [path, text] of Object.entries(renderViews(state))) out.set(path, text);
  return out;
}
