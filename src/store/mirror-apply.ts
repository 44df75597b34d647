import { basename } from "node:path";
import type { DecideContext, Decider } from "../domain/decide.ts";
import { newInitiativeId } from "../domain/decide-initiative.ts";
import { newTaskId } from "../domain/decide-task.ts";
import { applyCopy } from "../domain/fold.ts";
import { printable } from "../domain/text.ts";
import type { TaskFileProblem } from "../format/task-parse.ts";
import type { InitiativeFileChange } from "./mirror-ingest-initiative.ts";
import type { FileInput, IngestOutcome } from "./mirror-ingest.ts";
import { recordedVersion } from "./mirror-base.ts";
import { writeMirrorIndex, type MirrorIndex } from "./mirror-index.ts";
import type { Stat } from "./mirror-files.ts";
import type { Actor, Store } from "./store.ts";

/** A mirror file whose bytes differ from what rw last synced. */
export interface Changed { path: string; bytes: Buffer; text: string; oid: string; stat: Stat }
export interface Deleted { path: string; id: string }

const isInitiative = (path: string): boolean => path.startsWith("initiatives/");

/**
 * Mirror -> ref for one round: parses the changed files (gray-matter loads only now), diffs each
 * against its base, and records the whole batch in one transaction, initiatives first so a new
 * task can name a new initiative saved with it. A file that cannot be recorded becomes a
 * problem in the index; the others still commit.
 */
export async function ingestChanges(store: Store, index: MirrorIndex, changed: Changed[], deleted: Deleted[], actor: Actor, where: (p: string) => string, log: (l: string) => void) {
  const [{ parseTaskFile, TaskFileError }, { parseInitiativeFile }, { decideIngest }, { decideInitiativeIngest }] = await Promise.all([
    import("../format/task-parse.ts"), import("../format/initiative-parse.ts"), import("./mirror-ingest.ts"), import("./mirror-ingest-initiative.ts"),
  ]);
  const snap = await store.snapshot();
  const tasks: FileInput[] = [];
  const initiatives: InitiativeFileChange[] = [];
  let journal = false;
  for (const c of changed) {
    const name = basename(c.path, ".md");
    const kind = isInitiative(c.path) ? "initiative" : "task";
    const known = kind === "initiative" ? snap.state.initiatives[name] : snap.state.tasks[name];
    const parse = (text: string) => (kind === "initiative" ? parseInitiativeFile(text, where(c.path), known ? name : undefined, !known) : parseTaskFile(text, where(c.path)));
    let parsed;
    try {
      parsed = parse(c.text);
    } catch (err) {
      if (!(err instanceof TaskFileError)) throw err;
      recordProblems(index, c.path, c.oid, err.problems, log);
      continue;
    }
    const input: { path: string; name: string; parsed: typeof parsed; base?: typeof parsed; pendingId?: string } = { path: c.path, name, parsed };
    const rec = index.files[c.path];
    const base = rec ? await store.cat.read(rec.oid) : undefined;
    if (base) {
      try {
        input.base = parse(base.data.toString("utf8"));
      } catch {
        // an unreadable base: compare with the tip instead
      }
    }
    // Saved from an older copy than the base (its updated_at says which): diff against that one.
    const from = parsed.fields.updated_at;
    if (known && from !== undefined && from !== known.updated_at && input.base?.fields.updated_at !== from) {
      const older = await recordedVersion(store, c.path, from, (text) => parse(text).fields.updated_at);
      if (older) input.base = parse(older.toString("utf8"));
    }
    if (!known) {
      const pending = index.pending[c.path];
      const id = pending?.id ?? parsed.fields.id ?? (kind === "initiative" ? newInitiativeId(snap.state, idContext(store)) : newTaskId(snap.state, idContext(store)));
      input.pendingId = id;
      if (!pending || pending.oid !== c.oid) {
        index.pending[c.path] = { ...pending, oid: c.oid, id };
        journal = true;
      }
      // The old name of a file rw renamed, saved again from an editor: an edit of that task,
      // diffed against what the task was created from (so an unchanged buffer changes nothing).
      if (pending?.base !== undefined && kind === "task") {
        const created = await store.cat.read(pending.base);
        if (created) {
          try {
            input.base = parse(created.data.toString("utf8"));
          } catch {
            // unreadable: compare with the tip
          }
        }
      }
    }
    if (kind === "initiative") initiatives.push(input as InitiativeFileChange);
    else tasks.push(input as FileInput);
  }
  // The chosen IDs are on disk before the commit: a crash between the two cannot create anything twice.
  if (journal) await writeMirrorIndex(store.repo, index);
  if (tasks.length === 0 && initiatives.length === 0 && deleted.length === 0) return undefined;
  const both: Decider<IngestOutcome> = (state, ctx) => {
    const a = decideInitiativeIngest(initiatives, deleted.filter((d) => isInitiative(d.path)), where)(state, ctx);
    const b = decideIngest(tasks, deleted.filter((d) => !isInitiative(d.path)), where)(a.events.length > 0 ? applyCopy(state, a.events) : state, ctx);
    const summary = a.result.applied.length === 0 ? b.summary : b.result.applied.length === 0 ? a.summary : `mirror: ${a.result.applied.length + b.result.applied.length} files`;
    return { events: [...a.events, ...b.events], summary, result: { applied: [...a.result.applied, ...b.result.applied], problems: { ...a.result.problems, ...b.result.problems } } };
  };
  const tx = await store.transact(both, actor);
  for (const input of [...initiatives, ...tasks]) {
    const list = tx.result.problems[input.path];
    if (list) recordProblems(index, input.path, changed.find((c) => c.path === input.path)!.oid, list, log);
    else if (index.problems[input.path]) {
      delete index.problems[input.path];
      log(`fixed ${where(input.path)}`);
    }
  }
  for (const a of tx.result.applied) {
    const c = changed.find((x) => x.path === a.path);
    if (c) {
      // What was just recorded is the new base for this file: a later save is diffed against
      // it, even when the file cannot be rewritten at once because it changed again. A created
      // file's bytes are kept too: a re-save of its old name is diffed against them.
      await store.writer.write("blob", c.bytes);
      if (!a.created) index.files[a.path] = { oid: c.oid, ...c.stat };
    }
    if (a.types.length > 0) log(`committed ${where(a.path)}${a.created ? ` as ${a.id}` : ""}: ${a.types.join(", ")}`);
  }
  return tx;
}

function recordProblems(index: MirrorIndex, path: string, oid: string, list: TaskFileProblem[], log: (l: string) => void): void {
  const known = index.problems[path];
  index.problems[path] = { oid, list };
  if (known && JSON.stringify(known.list) === JSON.stringify(list)) return;
  for (const p of list) log(printable(`problem ${p.file}:${p.line}: ${p.message} (fix: ${p.fix})`));
}

/** Just enough of a DecideContext to choose an ID outside a transaction. */
function idContext(store: Store): DecideContext {
  return { actor: "", now: "", nextEventId: () => "", randomBytes: (n) => store.randomBytes(n), config: store.decideConfig() };
}
