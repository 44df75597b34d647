import type { RwEvent, State } from "../domain/types.ts";
import { eventLine, SHARD_BOUND, ShardPlacer } from "../format/event-line.ts";
import { initiativePath, renderInitiative } from "../format/initiative-render.ts";
import { renderTask } from "../format/task-render.ts";
import { renderViews, type ViewHelp } from "../views/index.ts";
import { recordValues } from "../domain/types.ts";

/**
 * Above this many tasks, layout 3 keeps task files in `tasks/<a>/<b>/<id>.md`. A flat tasks/
 * tree is rewritten whole by every commit (10,000 entries: ~380 KB); fanned out, a commit
 * rewrites three small trees. Small backlogs keep the plain `tasks/<id>.md` everyone knows.
 * Task records are never removed, so the form only ever changes once, by the write that passes it.
 */
export const FANOUT_AT = 500;

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

/** Layout 2's README (shards roll, tasks/ always flat): kept byte for byte so those repositories stay valid. */
export const REF_README_V2 = `# rw state

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

/** Written once at init (and by the first write to an older layout); part of render(fold(events)). */
export const REF_README = `# rw state

This branch is written by rw (rewind), not by hand. It holds no code: only the task backlog
and its history.

- \`tasks/<id>.md\`: one Markdown file per task (frontmatter + body). A backlog of more than
  ${FANOUT_AT} tasks keeps them in \`tasks/<a>/<b>/<id>.md\` instead, where \`<a><b>\` are the first
  two characters of the ID after its last \`-\` (\`tasks/7/k/rw-7k2f.md\`): one write then rewrites
  a few small folders, not a listing of every task. \`git log rewind -- '*/rw-7k2f.md'\` finds
  a task's file in either place.
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

/**
 * The layout rw writes. 1: one event file per day, no LAYOUT file. 2: day files roll at
 * SHARD_BOUND. 3: as 2, and tasks/ fans out into two levels of folders past FANOUT_AT tasks.
 */
export type LayoutVersion = 1 | 2 | 3;
export const LAYOUT_VERSION: LayoutVersion = 3;
export const LAYOUT_FILE = "LAYOUT";
export const layoutText = (v: LayoutVersion): string => `rw state layout ${v}\n`;

/**
 * The layout of a tree from its root entries: LAYOUT's blob, compared by object ID (no read).
 * `undefined`: a LAYOUT this rw does not know (written by a newer rw).
 */
export function layoutOf(root: ReadonlyArray<{ name: string; oid: string }>, hashBlob: (data: Buffer) => string): LayoutVersion | undefined {
  const entry = root.find((e) => e.name === LAYOUT_FILE);
  if (!entry) return 1;
  for (const v of [3, 2] as const) if (entry.oid === hashBlob(Buffer.from(layoutText(v)))) return v;
  return undefined;
}

/** Whether a tree of `layout` holding `taskCount` tasks keeps them fanned out. */
export const fansOut = (layout: LayoutVersion, taskCount: number): boolean => layout >= 3 && taskCount > FANOUT_AT;

/**
 * The two folder names of a task in the fanned-out form: the first two characters of the ID
 * after its last "-" (the random part of rw's IDs, so folders fill evenly), lower-cased,
 * anything but a-z0-9 as "_" (IDs may hold "." and "_"; a folder must not be "." or differ
 * from another only by case).
 */
export function taskFolders(id: string): [string, string] {
  const dash = id.lastIndexOf("-");
  const tail = (dash >= 0 && dash < id.length - 1 ? id.slice(dash + 1) : id).toLowerCase();
  const at = (i: number): string => (i < tail.length && /[a-z0-9]/.test(tail[i]!) ? tail[i]! : "_");
  return [at(0), at(1)];
}

/** The event files of a log in `layout`, path -> lines (events in log order). */
export function renderShards(events: readonly RwEvent[], layout: LayoutVersion): Map<string, string[]> {
  const placer = new ShardPlacer(layout === 1 ? 1 : 2);
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

/** A task's file on the ref: `tasks/<id>.md`, or `tasks/<a>/<b>/<id>.md` in the fanned-out form. */
export function taskPath(id: string, fanned: boolean): string {
  if (!fanned) return `tasks/${id}.md`;
  const [a, b] = taskFolders(id);
  return `tasks/${a}/${b}/${id}.md`;
}

/** Files a transaction changes: the tasks its events touched and the generated views. */
export function renderChanged(state: State, events: readonly RwEvent[], fanned: boolean, help: ViewHelp = {}): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of events) {
    const path = e.task ? taskPath(e.task, fanned) : "";
    if (e.task && state.tasks[e.task] && !out.has(path)) out.set(path, renderTask(state.tasks[e.task]!));
    const initiative = e.initiative ? state.initiatives[e.initiative] : undefined;
    if (initiative && !out.has(initiativePath(initiative.id))) out.set(initiativePath(initiative.id), renderInitiative(initiative));
  }
  for (const [path, text] of Object.entries(renderViews(state, help))) out.set(path, text);
  return out;
}

/** Every file on the ref as the log says it should be (rw doctor compares the tip with this). */
export function renderAll(state: State, events: readonly RwEvent[], layout: LayoutVersion = LAYOUT_VERSION): Map<string, string> {
  const out = new Map<string, string>([["README.md", layout === 1 ? REF_README_V1 : layout === 2 ? REF_README_V2 : REF_README]]);
  if (layout !== 1) out.set(LAYOUT_FILE, layoutText(layout));
  const tasks = recordValues(state.tasks);
  const fanned = fansOut(layout, tasks.length);
  for (const task of tasks) out.set(taskPath(task.id, fanned), renderTask(task));
  for (const i of Object.values(state.initiatives)) out.set(initiativePath(i.id), renderInitiative(i));
  for (const [name, lines] of renderShards(events, layout)) out.set(name, lines.join(""));
  for (const [path, text] of Object.entries(renderViews(state))) out.set(path, text);
  return out;
}
