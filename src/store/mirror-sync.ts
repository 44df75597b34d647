import { existsSync, readdirSync } from "node:fs";
import { mkdir, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { isValidId } from "../domain/ids.ts";
import type { TaskFileProblem } from "../format/task-parse.ts";
import { ingestChanges, type Changed, type Deleted } from "./mirror-apply.ts";
import type { IngestOutcome } from "./mirror-ingest.ts";
import { isLinkedFolder, isTaskFileName, readNoFollow, sameStat, scanDir, statOf, writeProblems, type Stat } from "./mirror-files.ts";
import { forgetMirrorIndex, mirrorRoot, readMirrorIndex, readStamp, trySyncLock, writeMirrorIndex } from "./mirror-index.ts";
import { liveAgentSession, sessionIsLive } from "./mirror-agent.ts";
import { refreshMirror } from "./mirror-refresh.ts";
import { rwDir } from "./repo.ts";
import type { Actor, Store } from "./store.ts";

export interface SyncOptions {
  actor: Actor;
  /** Paths under `.rewind/` that a watcher saw change; undefined: scan everything. */
  hints?: Set<string>;
  log?: (line: string) => void;
  /** Read and hash every candidate instead of trusting unchanged stats (the daemon's first round). */
  thorough?: boolean;
  /**
   * Asked when the round finds files gone, before anything is recorded: true puts the whole round
   * off (nothing ingested, nothing restored; `deferred` in the report). The daemon says true
   * while the folder was not quiet, so a removal still going on is never read as cancellations.
   */
  holdDeletions?: () => Promise<boolean>;
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
  /** Files held because an agent session changed them: a round after the session restores them. */
  held: boolean;
  /** The round found files gone and `holdDeletions` put it off: run a full round once things are quiet. */
  deferred?: boolean;
}

/** The folders of hand-editable files; each is a subtree of the same name on the ref. */
export const MIRROR_FOLDERS = ["tasks", "initiatives"] as const;
/** Larger mirror files are refused without being read (a task file is a few kilobytes). */
export const MAX_FILE_BYTES = 1024 * 1024;
/** How long a renamed new file's old name still edits its task (an editor buffer left open). */
const RENAMED_KEPT_MS = 24 * 3600_000;
const disk0 = (root: string, p: string): boolean => existsSync(join(root, p));
const inFolder = (p: string): boolean => MIRROR_FOLDERS.some((f) => p.startsWith(`${f}/`));

/**
 * One sync round between `.rewind/` and the state ref (DESIGN §2, §5): first the human's edits
 * become events (mirror -> ref), then files the ref changed are rewritten (ref -> mirror), never
 * over a file that changed since it was read or that has a problem. Safe to run from the daemon
 * and from any command at once: a lock file serialises rounds.
 */
export async function syncMirror(store: Store, opts: SyncOptions): Promise<SyncReport> {
  const root = mirrorRoot(store.repo);
  const report: SyncReport = { commit: null, applied: [], refreshed: 0, problems: 0, ran: false, tip: "", held: false };
  if (!root) return report;
  const release = trySyncLock(store.repo, opts.log ?? ((l) => process.stderr.write(`rw: ${l}\n`)));
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
  // A folder removed or emptied as a whole (`rm -rf .rewind`, a reset) is rebuilt, not read as
  // "every task deleted": cancelling 10,000 tasks is never what that meant. Looked at only when
  // a file of the folder is missing, so a normal round does not list the folder.
  const wiped = new Map<string, boolean>();
  const isWiped = (folder: string): boolean => {
    let w = wiped.get(folder);
    if (w === undefined) {
      w = countNames(root, folder) === 0 && Object.keys(index.files).filter((p) => p.startsWith(`${folder}/`)).length >= 2;
      wiped.set(folder, w);
      if (w) log(`.rewind/${folder}/ is gone or empty: restoring it from the ref (nothing is cancelled)`);
    }
    return w;
  };
  for (const f of MIRROR_FOLDERS) await mkdir(join(root, f), { recursive: true });
  // A folder that is itself a symbolic link is neither read nor written: it could point anywhere.
  const linked = new Set(MIRROR_FOLDERS.filter((f) => isLinkedFolder(root, f)));
  for (const f of MIRROR_FOLDERS) {
    if (linked.has(f)) index.problems[`${f}/`] = { oid: "link", list: [{ file: where(`${f}/`), line: 1, message: "the folder is a symbolic link; rw does not follow it (nothing in it was read or written)", fix: `replace the link with a real folder: rm .rewind/${f} && rw daemon (or any rw command) restores it` }] };
    else delete index.problems[`${f}/`];
  }

  // Edits made while an agent session runs in the main work tree are the agent's, not the
  // human's: they are held (PROBLEMS.md), never recorded; when the session is over, held files
  // still holding the agent's bytes are set aside and restored from the ref (mirror-agent.ts).
  const agent = liveAgentSession(store.repo);
  const restoreAgent = new Map<string, string | undefined>();
  for (const [p, prob] of Object.entries(index.problems)) {
    if (prob.agent === undefined || sessionIsLive(store.repo, prob.agent)) continue;
    delete index.problems[p];
    const bytes = await readNoFollow(join(root, p));
    if (!bytes || store.writer.hash("blob", bytes) !== prob.oid) continue; // changed since: the next steps treat it as the human's
    const aside = join(rwDir(store.repo), "agent-edits", prob.agent, p);
    await mkdir(dirname(aside), { recursive: true });
    await writeFile(aside, bytes);
    log(`not recorded: .rewind/${p} was changed during agent session ${prob.agent}; restored from the ref (the agent's copy: ${aside})`);
    if (index.files[p]) restoreAgent.set(p, prob.oid);
    else await unlink(join(root, p)).catch(() => undefined); // a file the agent created: only the copy stays
    delete index.pending[p];
  }

  for (const [p, pending] of Object.entries(index.pending)) {
    if (pending.renamed_at !== undefined && Date.now() - pending.renamed_at > RENAMED_KEPT_MS && !disk0(root, p)) delete index.pending[p];
  }

  // 1. What changed on disk since the last round.
  const full = opts.hints === undefined;
  const disk = full ? scanAll(root) : new Map<string, Stat>();
  // A refused file deleted before it was ever recorded is in neither `disk` nor `files`: its
  // PROBLEMS.md entry would stay forever without looking at the problems too.
  const refused = Object.keys(index.problems).filter((p) => inFolder(p) && isTaskFileName(basename(p)));
  const candidates = new Set<string>(full ? [...disk.keys(), ...Object.keys(index.files).filter(inFolder), ...refused] : []);
  for (const p of opts.hints ?? []) {
    if (!inFolder(p) || !isTaskFileName(basename(p)) || linked.has(p.slice(0, p.indexOf("/")) as (typeof MIRROR_FOLDERS)[number])) continue;
    candidates.add(p);
    const st = await statOf(join(root, p));
    if (st) disk.set(p, st);
  }
  const changed: Changed[] = [];
  const deleted: Deleted[] = [];
  for (const p of candidates) {
    const st = disk.get(p);
    const rec = index.files[p];
    if (linked.has(p.slice(0, p.indexOf("/")) as (typeof MIRROR_FOLDERS)[number])) continue;
    if (restoreAgent.has(p)) continue; // an agent's bytes being restored from the ref: never read as an edit
    if (!st) {
      if (agent && rec) {
        restoreAgent.set(p, undefined); // deleted by the agent: restored, never a cancellation
        log(`not recorded: .rewind/${p} was deleted during agent session ${agent.session}; restored from the ref`);
        continue;
      }
      delete index.problems[p];
      if (index.pending[p]?.renamed_at === undefined) delete index.pending[p]; // a renamed file's old name stays known a while
      const id = basename(p, ".md");
      if (rec && isValidId(id) && !isWiped(p.slice(0, p.indexOf("/")))) deleted.push({ path: p, id });
      continue;
    }
    // A watcher's hint is trusted over stats: a save in the same clock tick as our last write,
    // with the same size, would otherwise look unchanged.
    if (rec && sameStat(rec, st) && !opts.hints?.has(p) && !opts.thorough) continue;
    if (st.link) {
      const oid = `link:${st.mtimeMs}`;
      if (index.problems[p]?.oid !== oid) {
        index.problems[p] = { oid, list: [{ file: where(p), line: 1, message: "the file is a symbolic link; rw does not follow links in .rewind/ (its target was not read)", fix: "replace the link with a regular file" }] };
        log(`problem ${where(p)}:1: a symbolic link, not followed`);
      }
      continue;
    }
    if (st.size > MAX_FILE_BYTES) {
      // Never read: a problem keyed by its stat, so it is reported once and not re-read each round.
      const oid = `large:${st.size}:${st.mtimeMs}`;
      if (index.problems[p]?.oid !== oid) {
        index.problems[p] = { oid, list: [{ file: where(p), line: 1, message: `the file is ${st.size} bytes, more than the limit of ${MAX_FILE_BYTES}`, fix: "task and initiative files hold one task each: move large content elsewhere and link it" }] };
        log(`problem ${where(p)}:1: the file is larger than ${MAX_FILE_BYTES} bytes`);
      }
      continue;
    }
    const bytes = await readNoFollow(join(root, p));
    if (!bytes) continue;
    const oid = store.writer.hash("blob", bytes);
    if (rec && rec.oid === oid) {
      index.files[p] = { oid, ...st };
      delete index.problems[p];
      continue;
    }
    if (index.problems[p]?.oid === oid) continue;
    if (agent) {
      index.problems[p] = { oid, agent: agent.session, list: [{ file: where(p), line: 1, message: `made during agent session ${agent.session} (pid ${agent.pid}, started ${agent.started_at}), not recorded`, fix: "an agent's edit of .rewind/ is never recorded as you: when the session ends the file is restored from the ref and the agent's copy kept under the git dir (rewind/agent-edits/); to make the change yourself, save it again after the session" }] };
      log(`held ${where(p)}: changed during agent session ${agent.session}, not recorded`);
      continue;
    }
    changed.push({ path: p, bytes, text: bytes.toString("utf8"), oid, stat: st });
  }

  // Files gone while the folder is still changing (an `rm -rf` under way): record nothing yet.
  // The index entries of the missing files are kept, so the next round finds them again.
  if (deleted.length > 0 && opts.holdDeletions && (await opts.holdDeletions())) {
    report.deferred = true;
    return;
  }

  // 2. Mirror -> ref: one transaction for the whole batch.
  const touched = new Set<string>();
  const renames = new Map<string, string>();
  if (changed.length > 0 || deleted.length > 0) {
    const outcome = await ingestChanges(store, index, changed, deleted, opts.actor, where, log);
    if (outcome) {
      report.commit = outcome.commit;
      report.applied = outcome.result.applied;
      for (const a of outcome.result.applied) {
        const target = `${dirname(a.path)}/${a.id}.md`;
        touched.add(target);
        if (a.created && a.path !== target) renames.set(a.path, target);
      }
    }
  }

  // 3. Ref -> mirror: rewrite what the tip changed, restore what was deleted.
  const refreshed = await refreshMirror(store, root, index, { folders: MIRROR_FOLDERS, linked, full, disk, wiped, changed, deleted, restoreAgent, agentLive: agent !== undefined, touched, renames }, log);
  if (refreshed) {
    report.refreshed = refreshed.refreshed;
    report.tip = refreshed.tip;
  }
  if (report.refreshed > 20) log(`refreshed ${report.refreshed} files in .rewind/`);

  // 4. PROBLEMS.md and the index.
  const problems: TaskFileProblem[] = Object.keys(index.problems).sort().flatMap((p) => index.problems[p]!.list);
  report.problems = problems.length;
  await writeProblems(root, problems);
  report.held = Object.values(index.problems).some((p) => p.agent !== undefined);
  await writeMirrorIndex(store.repo, index, countNames(root), report.held);
}

function scanAll(root: string): Map<string, Stat> {
  const out = new Map<string, Stat>();
  for (const f of MIRROR_FOLDERS) for (const [p, st] of scanDir(root, f)) out.set(p, st);
  return out;
}

/** Task-like files in one folder, or in all of them. */
function countNames(root: string, only?: string): number {
  let n = 0;
  for (const f of only ? [only] : MIRROR_FOLDERS) {
    try {
      n += readdirSync(join(root, f)).filter(isTaskFileName).length;
    } catch {
      // not there: nothing to count
    }
  }
  return n;
}

/**
 * True when nothing needs syncing: same tip as the last round, same number of task files, none
 * modified since. Costs one stat per file and no parsing: commands call it before every run.
 */
export async function mirrorUpToDate(store: Store, root: string): Promise<boolean> {
  const stamp = readStamp(store.repo);
  if (!stamp) return false;
  if (stamp.held && !liveAgentSession(store.repo)) return false; // restore what an agent session changed
  const tip = await store.cat.read(store.ref);
  if (!tip || tip.oid !== stamp.tip) return false;
  const disk = scanAll(root);
  if (disk.size !== stamp.count) return false;
  for (const st of disk.values()) if (st.mtimeMs >= stamp.mtimeMs) return false;
  return true;
}
