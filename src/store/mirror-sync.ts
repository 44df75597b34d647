import { readdirSync } from "node:fs";
import { mkdir, readFile, unlink } from "node:fs/promises";
import { basename, join } from "node:path";
import type { DecideContext } from "../domain/decide.ts";
import { newTaskId } from "../domain/decide-task.ts";
import { isValidId } from "../domain/ids.ts";
import type { ParsedTaskFile, TaskFileProblem } from "../format/task-parse.ts";
import type { FileInput, IngestOutcome } from "./mirror-ingest.ts";
import { isTaskFileName, sameStat, scanDir, statOf, writeAtomic, writeProblems, type Stat } from "./mirror-files.ts";
import { forgetMirrorIndex, mirrorRoot, readMirrorIndex, readStamp, trySyncLock, writeMirrorIndex, type MirrorIndex } from "./mirror-index.ts";
import { parseCommitTree, parseTree } from "./objects.ts";
import type { Actor, Store } from "./store.ts";

export interface SyncOptions {
  actor: Actor;
  /** Paths under `.rewind/` that a watcher saw change; undefined: scan everything. */
  hints?: Set<string>;
  log?: (line: string) => void;
  /** Read and hash every candidate instead of trusting unchanged stats (the daemon's first round). */
  thorough?: boolean;
}

export interface SyncReport {
  commit: string | null;
  applied: IngestOutcome["applied"];
  refreshed: number;
  problems: number;
  /** False when another process was syncing (it does the work). */
  ran: boolean;
  /** The tip the mirror now reflects. */
  tip: string;
}

const VIEWS = ["STATE.md", "BOARD.md"];

interface Changed { path: string; bytes: Buffer; text: string; oid: string; stat: Stat }

/**
 * One sync round between `.rewind/` and the state ref (DESIGN §2, §5): first the human's edits
 * become events (mirror -> ref), then files the ref changed are rewritten (ref -> mirror), never
 * over a file that changed since it was read or that has a problem. Safe to run from the daemon
 * and from any command at once: a lock file serialises rounds.
 */
export async function syncMirror(store: Store, opts: SyncOptions): Promise<SyncReport> {
  const root = mirrorRoot(store.repo);
  const report: SyncReport = { commit: null, applied: [], refreshed: 0, problems: 0, ran: false, tip: "" };
  if (!root) return report;
  const release = trySyncLock(store.repo);
  if (!release) return report;
  try {
    report.ran = true;
    await round(store, root, opts, report);
  } catch (err) {
    forgetMirrorIndex(); // the in-memory copy may hold half of this round's changes
    throw err;
  } finally {
    release();
  }
  return report;
}

async function round(store: Store, root: string, opts: SyncOptions, report: SyncReport): Promise<void> {
  const log = opts.log ?? (() => undefined);
  const where = (p: string): string => `.rewind/${p}`;
  const index = await readMirrorIndex(store.repo, store.ref);
  await mkdir(join(root, "tasks"), { recursive: true });

  // 1. What changed on disk since the last round.
  const full = opts.hints === undefined;
  const disk = full ? scanDir(root, "tasks") : new Map<string, Stat>();
  const candidates = new Set<string>(full ? [...disk.keys(), ...Object.keys(index.files).filter((p) => p.startsWith("tasks/"))] : []);
  for (const p of opts.hints ?? []) {
    if (!p.startsWith("tasks/") || !isTaskFileName(basename(p))) continue;
    candidates.add(p);
    const st = await statOf(join(root, p));
    if (st) disk.set(p, st);
  }
  const changed: Changed[] = [];
  const deleted: Array<{ path: string; id: string }> = [];
  for (const p of candidates) {
    const st = disk.get(p);
    const rec = index.files[p];
    if (!st) {
      delete index.problems[p];
      delete index.pending[p];
      const id = basename(p, ".md");
      if (rec && isValidId(id)) deleted.push({ path: p, id });
      continue;
    }
    // A watcher's hint is trusted over stats: a save in the same clock tick as our last write,
    // with the same size, would otherwise look unchanged.
    if (rec && sameStat(rec, st) && !opts.hints?.has(p) && !opts.thorough) continue;
    const bytes = await readFile(join(root, p)).catch(() => undefined);
    if (!bytes) continue;
    const oid = store.writer.hash("blob", bytes);
    if (rec && rec.oid === oid) {
      index.files[p] = { oid, ...st };
      delete index.problems[p];
      continue;
    }
    if (index.problems[p]?.oid === oid) continue;
    changed.push({ path: p, bytes, text: bytes.toString("utf8"), oid, stat: st });
  }

  // 2. Mirror -> ref: one transaction for the whole batch.
  const touched = new Set<string>();
  const renames = new Map<string, string>();
  if (changed.length > 0 || deleted.length > 0) {
    const outcome = await ingest(store, index, changed, deleted, opts.actor, where, log);
    if (outcome) {
      report.commit = outcome.commit;
      report.applied = outcome.result.applied;
      for (const a of outcome.result.applied) {
        touched.add(`tasks/${a.id}.md`);
        if (a.created && a.path !== `tasks/${a.id}.md`) renames.set(a.path, a.id);
      }
    }
  }

  // 3. Ref -> mirror: rewrite what the tip changed, restore what was deleted.
  const tipObj = await store.cat.read(store.ref);
  if (tipObj) {
    const rootTree = parseTree((await store.cat.read(parseCommitTree(tipObj.data)))!.data, store.oidBytes);
    const tasksTree = rootTree.find((e) => e.name === "tasks" && e.mode === "40000")?.oid ?? "";
    const missing = full ? Object.keys(index.files).some((p) => p.startsWith("tasks/") && !disk.has(p)) : false;
    if (tasksTree !== index.tasksTree || touched.size > 0 || deleted.length > 0 || missing || index.tip === "") {
      const entries = tasksTree ? parseTree((await store.cat.read(tasksTree))!.data, store.oidBytes) : [];
      const todo: Array<{ p: string; oid: string; expected: string | undefined }> = [];
      for (const e of entries) {
        const p = `tasks/${e.name}`;
        const rec = index.files[p];
        const restore = deleted.some((d) => d.path === p) || (full && rec !== undefined && !disk.has(p));
        if (rec && rec.oid === e.oid && !touched.has(p) && !restore) continue;
        if (index.problems[p]) continue; // the human's bytes stay until they fix them
        todo.push({ p, oid: e.oid, expected: changed.find((c) => c.path === p)?.oid ?? rec?.oid });
      }
      // In chunks, concurrently: cat-file answers a queue of requests in one pipe, so the first
      // mirror of 10,000 tasks is not 10,000 round trips.
      for (let i = 0; i < todo.length; i += 64) {
        await Promise.all(todo.slice(i, i + 64).map(async ({ p, oid, expected }) => {
          // Overwrite only the bytes we know (what we ingested, or what we last wrote): anything
          // else was saved since we looked, and the next round takes it.
          if (!(await unchangedOnDisk(store, join(root, p), expected))) return;
          await writeBlob(store, root, index, p, oid);
          report.refreshed++;
          if (report.refreshed <= 20) log(`refreshed ${where(p)}`);
        }));
      }
      index.tasksTree = tasksTree;
    }
    for (const [from, id] of renames) {
      const seen = changed.find((c) => c.path === from)?.oid;
      if (await unchangedOnDisk(store, join(root, from), seen)) {
        await unlink(join(root, from)).catch(() => undefined);
        delete index.files[from];
        delete index.pending[from];
        log(`renamed ${where(from)} -> ${where(`tasks/${id}.md`)}`);
      }
    }
    for (const name of VIEWS) {
      const e = rootTree.find((x) => x.name === name);
      if (e && index.files[name]?.oid !== e.oid) await writeBlob(store, root, index, name, e.oid);
    }
    index.tip = tipObj.oid;
    report.tip = tipObj.oid;
  }
  if (report.refreshed > 20) log(`refreshed ${report.refreshed} files in .rewind/`);

  // 4. PROBLEMS.md and the index.
  const problems: TaskFileProblem[] = Object.keys(index.problems).sort().flatMap((p) => index.problems[p]!.list);
  report.problems = problems.length;
  await writeProblems(root, problems);
  await writeMirrorIndex(store.repo, index, scanNames(root));
}

function scanNames(root: string): number {
  try {
    return readdirSync(join(root, "tasks")).filter(isTaskFileName).length;
  } catch {
    return 0;
  }
}

/**
 * True when nothing needs syncing: same tip as the last round, same number of task files, none
 * modified since. Costs one stat per file and no parsing: commands call it before every run.
 */
export async function mirrorUpToDate(store: Store, root: string): Promise<boolean> {
  const stamp = readStamp(store.repo);
  if (!stamp) return false;
  const tip = await store.cat.read(store.ref);
  if (!tip || tip.oid !== stamp.tip) return false;
  const disk = scanDir(root, "tasks");
  if (disk.size !== stamp.count) return false;
  for (const st of disk.values()) if (st.mtimeMs >= stamp.mtimeMs) return false;
  return true;
}

/** True when the file is absent or holds exactly the blob `expected`. */
async function unchangedOnDisk(store: Store, path: string, expected: string | undefined): Promise<boolean> {
  const bytes = await readFile(path).catch(() => undefined);
  if (!bytes) return true;
  return expected !== undefined && store.writer.hash("blob", bytes) === expected;
}

async function writeBlob(store: Store, root: string, index: MirrorIndex, path: string, oid: string): Promise<void> {
  const blob = await store.cat.read(oid);
  if (!blob) return;
  const st = await writeAtomic(join(root, path), blob.data);
  index.files[path] = { oid, ...st };
}

async function ingest(store: Store, index: MirrorIndex, changed: Changed[], deleted: Array<{ path: string; id: string }>, actor: Actor, where: (p: string) => string, log: (l: string) => void) {
  // gray-matter and the ingest logic load only when a file really changed.
  const [{ parseTaskFile, TaskFileError }, { decideIngest }] = await Promise.all([import("../format/task-parse.ts"), import("./mirror-ingest.ts")]);
  const snap = await store.snapshot();
  const inputs: FileInput[] = [];
  const parse = (text: string, p: string): ParsedTaskFile => parseTaskFile(text, where(p));
  let journal = false;
  for (const c of changed) {
    let parsed: ParsedTaskFile;
    try {
      parsed = parse(c.text, c.path);
    } catch (err) {
      if (!(err instanceof TaskFileError)) throw err;
      recordProblems(index, c.path, c.oid, err.problems, log);
      continue;
    }
    const name = basename(c.path, ".md");
    const input: FileInput = { path: c.path, name, parsed };
    const rec = index.files[c.path];
    if (rec) {
      const base = await store.cat.read(rec.oid);
      if (base) {
        try {
          input.base = parse(base.data.toString("utf8"), c.path);
        } catch {
          // an unreadable base: compare with the tip instead
        }
      }
    }
    if (!snap.state.tasks[name]) {
      const pending = index.pending[c.path];
      const id = pending?.id ?? parsed.fields.id ?? newTaskId(snap.state, idContext(store));
      input.pendingId = id;
      if (!pending || pending.oid !== c.oid) {
        index.pending[c.path] = { oid: c.oid, id };
        journal = true;
      }
    }
    inputs.push(input);
  }
  // The chosen IDs are on disk before the commit: a crash between the two cannot create a task twice.
  if (journal) await writeMirrorIndex(store.repo, index);
  if (inputs.length === 0 && deleted.length === 0) return undefined;
  const tx = await store.transact(decideIngest(inputs, deleted, where), actor);
  for (const input of inputs) {
    const list = tx.result.problems[input.path];
    if (list) recordProblems(index, input.path, changed.find((c) => c.path === input.path)!.oid, list, log);
    else if (index.problems[input.path]) {
      delete index.problems[input.path];
      log(`fixed ${where(input.path)}`);
    }
  }
  for (const a of tx.result.applied) {
    const c = changed.find((x) => x.path === a.path);
    if (c && !a.created) {
      // What was just recorded is the new base for this file: a later save is diffed against
      // it, even when the file cannot be rewritten at once because it changed again.
      await store.writer.write("blob", c.bytes);
      index.files[a.path] = { oid: c.oid, ...c.stat };
    }
    if (a.types.length > 0) log(`committed ${where(a.path)}${a.created ? ` as ${a.id}` : ""}: ${a.types.join(", ")}`);
  }
  return tx;
}

function recordProblems(index: MirrorIndex, path: string, oid: string, list: TaskFileProblem[], log: (l: string) => void): void {
  const known = index.problems[path];
  index.problems[path] = { oid, list };
  if (known && JSON.stringify(known.list) === JSON.stringify(list)) return;
  for (const p of list) log(`problem ${p.file}:${p.line}: ${p.message} (fix: ${p.fix})`);
}

/** Just enough of a DecideContext to choose an ID outside a transaction. */
function idContext(store: Store): DecideContext {
  return { actor: "", now: "", nextEventId: () => "", randomBytes: (n) => store.randomBytes(n), config: store.decideConfig() };
}
