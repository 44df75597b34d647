import type { DecideContext, Decider } from "../domain/decide.ts";
import { RwError } from "../domain/errors.ts";
import { apply, applyCopy, RESOLUTION_TYPES } from "../domain/fold.ts";
import { cloneTouched } from "../domain/fold-plan.ts";
import { carryReadyMemo, type ReadyMemo } from "../domain/ready-memo.ts";
import { sameOrder, writeReadyPatch, writeReadyView } from "./ready-cache.ts";
import { settle } from "../domain/settle.ts";
import { recordKeys, type RwEvent, type State, type Task } from "../domain/types.ts";
import { eventLine, parseShardName, ShardPlacer } from "../format/event-line.ts";
import { fansOut, LAYOUT_FILE, LAYOUT_VERSION, layoutOf, layoutText, REF_README, renderChanged, renderShards, taskFolders } from "./layout.ts";
import { parseTree, serializeCommit } from "./objects.ts";
import { redactingDecider, storeSecrets } from "./redact-events.ts";
import { rwDir } from "./repo.ts";
import { readAllEvents, saveSnapshot, type Snapshot } from "./snapshot.ts";
import { join } from "node:path";
import { withTxLock } from "./tx-lock.ts";
import type { ShardMark } from "./state-cache.ts";
import type { Actor, Store } from "./store.ts";
import { ViewIndex, type ViewHelp } from "../views/index.ts";
import { folderFiles, withSubtree, writeFolder, writeTreeWithChanges, type FileChanges } from "./tree-write.ts";

export interface TxOutcome<R> {
  result: R;
  events: RwEvent[];
  /** The new tip, or null when the decision changed nothing. */
  commit: string | null;
  attempts: number;
}

const MAX_ATTEMPTS = 200;
/** From this many new objects a transaction writes one pack instead of loose files (objects.ts batch). */
const PACK_FROM = 256;

/** Event time: the clock, but never at or before the newest event, so log order stays (ts, id) order. */
export function eventTime(clock: Date, lastTs: string): string {
  const now = clock.getTime();
  const last = lastTs === "" ? 0 : Date.parse(lastTs);
  return new Date(Math.max(now, last + 1)).toISOString();
}

function commitMessage(summary: string, events: RwEvent[], actor: string): string {
  const trailers = events.map((e) => `Rewind-Event: ${e.id} ${e.type}`);
  return `${summary.replace(/\n/g, " ")}\n\n${trailers.join("\n")}\nRewind-Actor: ${actor}\n`;
}

/**
 * Optional steps around the compare-and-swap, for writes that must also win somewhere else
 * first (`sync.claims = "remote"`): `prepare` brings the ref up to date before each attempt;
 * `publish` offers the built commit (child of `parent`) and returns false when it lost there,
 * which counts as a lost race: decide again on a fresh tip.
 */
export interface TxHooks {
  prepare?: () => Promise<void>;
  publish?: (commit: string, parent: string) => Promise<boolean>;
}

export async function commitTransaction<R>(store: Store, rawDecide: Decider<R>, actor: Actor, hooks: TxHooks = {}): Promise<TxOutcome<R>> {
  const decide = redactingDecider(rawDecide, storeSecrets(store)); // no secret reaches the ref, whoever wrote the event
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    // A transaction can now run start to end without waiting on any I/O (tip, objects and ref all
    // in-process): yield once, so a stream of writes does not starve the process's other events.
    await new Promise((r) => setImmediate(r));
    await hooks.prepare?.();
    // Queue behind other writers of this repository (advisory): fewer commits built only to lose.
    const outcome = await withTxLock(rwDir(store.repo), async (): Promise<TxOutcome<R> | undefined> => {
      const { snap, owned } = await store.writable();
      if (!snap) {
        await store.snapshot(); // throws "not initialised"
        return undefined;
      }
      const now = eventTime(store.ctx.now(), snap.state.last_ts);
      const ctx: DecideContext = {
        actor: actor.name,
        now,
        nextEventId: () => store.nextEventId(now),
        randomBytes: (n) => store.randomBytes(n),
        config: store.decideConfig(),
        readyMemo: store.readyMemo,
      };
      // settle: the command's events plus what follows from them (phase and initiative completion).
      // Nobody else holds the state in memory: fold into it (forgotten on failure) rather than copy it.
      const touched = new Map<string, Task | undefined>();
      const eventCount = snap.state.event_count;
      let moved = false;
      try {
        const fold = owned ? inPlace(touched) : (st: State, evs: readonly RwEvent[]): State => applyCopy(st, evs);
        const { decision, state } = settle(decide, snap.state, ctx, fold);
        if (decision.events.length === 0) return { result: decision.result, events: [], commit: null, attempts: attempt };
        if (!owned) for (const e of decision.events) if (e.task && !touched.has(e.task)) touched.set(e.task, snap.state.tasks[e.task]);
        // Ranking work carried over to the new state (ready-memo.ts), so STATE.md's ready list reuses it.
        const changed = [...touched].map(([id, t]) => [t, state.tasks[id]] as const);
        const index = carryViewIndex(store, state, changed, decision.events);
        const memo = carryReadyMemo(store.readyMemo, changed, decision.events.some((e) => !e.task), { state, graph: index });
        const { changes, shards, base } = await buildChanges(store, snap, state, decision.events, { readyMemo: memo, index });
        const when = new Date(now);
        const sig = { name: actor.name, email: actor.email, when };
        // A big transaction (an import) writes its objects as one pack rather than a file each.
        const { tree, commit } = await store.writer.batch(PACK_FROM, async () => {
          const tree = await writeTreeWithChanges(store.cat, store.writer, base, changes, store.oidBytes);
          const commit = await store.writer.write("commit", serializeCommit({
            tree, parents: [snap.tip], author: sig, committer: sig, message: commitMessage(decision.summary, decision.events, actor.name),
          }));
          return { tree, commit };
        });
        const published = hooks.publish ? await hooks.publish(commit, snap.tip) : undefined;
        if (published !== false) moved = await store.refs.cas(store.ref, commit, snap.tip, store.zeroOid, { ...sig, message: `rw: ${decision.summary}` });
        if (moved) {
          const root = store.writer.cached(tree) ?? (await store.cat.read(tree))!.data;
          const journal = snap.journal ? { ...snap.journal, events: owned ? snap.journal.events : [...snap.journal.events] } : undefined;
          journal?.events.push(...decision.events);
          const next: Snapshot = { tip: commit, tree, state, shards, root: parseTree(root, store.oidBytes), journal };
          store.remember(next, memo, index);
          await saveSnapshot(store.source, next, { index, readyMemo: memo }).catch(() => undefined);
          if (store.readyViewChain && memo.order) saveReadyView(store, commit, state, memo, index, [...touched.keys(), ...store.readyViewChanged]);
          store.readyViewChain = false; // once: a long-lived store keeps the order in memory
          store.maintenance.afterCommit();
        }
        // Once published the write counts even if a local writer moved the ref meanwhile: the next
        // sync merges the two, and deciding again here would claim twice.
        if (moved || published === true) return { result: decision.result, events: decision.events, commit, attempts: attempt };
      } finally {
        // Folded in place but not committed: that state is no longer the state at any tip, so it
        // stays detached (the next read reloads); unchanged, it goes back to being the memo.
        if (!moved && owned && snap.state.event_count === eventCount) store.release(snap);
      }
      return undefined;
    }, { refLock: join(store.repo.commonDir, `${store.ref}.lock`) });
    if (outcome) return outcome;
    await backoff(attempt);
  }
  throw new RwError("conflict", `gave up after ${MAX_ATTEMPTS} attempts: other writers kept moving ${store.ref}`, {
    hint: "retry; if it persists, check for a stale lock file next to the ref in the git directory",
  });
}

/**
 * The ready view of the new tip, for the next one-shot reader or writer (a cache: never fails the
 * write): a patch of the view this store started from while the order is that view's, else whole.
 */
function saveReadyView(store: Store, tip: string, state: State, memo: ReadyMemo, index: ViewIndex, changed: Iterable<string>): void {
  try {
    const view = store.readyView;
    store.readyView = undefined;
    store.readyViewChanged.clear();
    const review = index.members("review");
    if (view && sameOrder(view.order, memo.order)) writeReadyPatch(rwDir(store.repo), store.ref, view, tip, state, changed, memo.counts, review);
    else writeReadyView(rwDir(store.repo), store.ref, tip, state, memo.order!, memo.counts, review);
  } catch {
    // a read-only or full cache directory only makes the next command rank again
  }
}

/** Lost a race: back off with jitter, then the caller re-reads the tip and decides again from scratch. */
function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(200, 4 * 2 ** Math.min(attempt, 6));
  return new Promise((r) => setTimeout(r, Math.random() * ceiling));
}

/** An in-place fold that notes each touched task as it was before (cloneTouched keeps that object intact). */
function inPlace(touched: Map<string, Task | undefined>): (state: State, events: readonly RwEvent[]) => State {
  return (state, events) => {
    const copied = new Set<string>();
    for (const e of events) {
      if (e.task && !touched.has(e.task)) touched.set(e.task, state.tasks[e.task]);
      cloneTouched(state, e, copied);
      apply(state, e);
    }
    return state;
  };
}

/**
 * The view index for the state after this transaction: the store's, updated with the tasks the
 * events changed, else (none yet, or a sync resolution that rewrites other tasks) built afresh.
 * Taken from the store: updated in place, it no longer matches the tip until the commit lands.
 */
function carryViewIndex(store: Store, state: State, changed: ReadonlyArray<readonly [Task | undefined, Task | undefined]>, events: RwEvent[]): ViewIndex {
  const index = store.viewIndex;
  store.viewIndex = undefined;
  if (!index || events.some((e) => RESOLUTION_TYPES.has(e.type))) return ViewIndex.build(state);
  index.update(changed);
  return index;
}

interface Built { changes: FileChanges; shards: Record<string, ShardMark>; base: string }

async function buildChanges(store: Store, snap: Snapshot, state: State, events: RwEvent[], help: ViewHelp): Promise<Built> {
  const layout = layoutOf(snap.root, (data) => store.writer.hash("blob", data));
  if (layout === undefined) {
    throw new RwError("corrupt", `${store.ref} uses a state layout this rw does not know (its ${LAYOUT_FILE} file)`, {
      hint: "it was written by a newer rw: upgrade rw to write here (reading works)",
    });
  }
  // The form this commit writes. Once fanned out a tree stays so (tasks are never removed), which
  // spares counting 10,000 keys per commit; for-in over a big record map enumerates all of them.
  const isFanned = await tasksFannedOut(store, snap);
  const fanned = layout === LAYOUT_VERSION && isFanned ? true : fansOut(LAYOUT_VERSION, recordKeys(state.tasks).length);
  const changes: FileChanges = new Map();
  for (const [path, text] of renderChanged(state, events, fanned, help)) changes.set(path, Buffer.from(text));
  const base = fanned === isFanned ? snap.tree : await shapeTasks(store, snap, fanned);
  if (layout !== LAYOUT_VERSION) {
    // The first write to an older layout moves it to this one (reads never do: the ref only moves by a write).
    changes.set(LAYOUT_FILE, Buffer.from(layoutText(LAYOUT_VERSION)));
    changes.set("README.md", Buffer.from(REF_README));
  }
  if (layout === 1) return { ...(await migrateShards(store, snap, events, changes)), base };
  return { ...(await appendEvents(store, snap, events, changes)), base };
}

/** Whether the tip's tasks/ is in the fanned-out form: its first entry is a folder (mode 40000). */
async function tasksFannedOut(store: Store, snap: Snapshot): Promise<boolean> {
  const entry = snap.root.find((e) => e.name === "tasks" && e.mode === "40000");
  if (!entry) return false;
  const raw = store.writer.cached(entry.oid) ?? (await store.cat.read(entry.oid))?.data;
  return raw !== undefined && raw.length > 0 && raw[0] === 0x34;
}

/**
 * The tree to build this commit on: the tip's, or (once, when the backlog passes FANOUT_AT, or
 * an older layout's first write) the same tree with tasks/ re-shaped into the form `fanned`
 * asks for. Existing blobs are re-filed by their object IDs; nothing is re-rendered.
 */
async function shapeTasks(store: Store, snap: Snapshot, fanned: boolean): Promise<string> {
  const entry = snap.root.find((e) => e.name === "tasks" && e.mode === "40000");
  if (!entry) return snap.tree;
  const files = await folderFiles(store.cat, entry.oid, store.oidBytes);
  const place = (name: string): string[] => (fanned && name.endsWith(".md") ? taskFolders(name.slice(0, -3)) : []);
  const tasks = await writeFolder(store.writer, files, place);
  return withSubtree(store.cat, store.writer, snap.tree, "tasks", tasks, store.oidBytes);
}

/** Appends the events to each day's newest file (layouts 2 and 3), rolling to a new file at the bound. */
async function appendEvents(store: Store, snap: Snapshot, events: RwEvent[], changes: FileChanges): Promise<{ changes: FileChanges; shards: Record<string, ShardMark> }> {
  // Each day's newest file and its length (read once, below): where the next line goes.
  const newest = new Map<string, { index: number; name: string }>();
  for (const name of Object.keys(snap.shards)) {
    const parsed = parseShardName(name);
    if (parsed && parsed.index >= (newest.get(parsed.day)?.index ?? -1)) newest.set(parsed.day, { index: parsed.index, name });
  }
  const existing = new Map<string, Buffer>();
  const read = async (name: string): Promise<Buffer> => {
    const mark = snap.shards[name];
    return mark ? (store.writer.cached(mark.oid) ?? (await store.cat.read(mark.oid))?.data ?? Buffer.alloc(0)) : Buffer.alloc(0);
  };
  for (const day of new Set(events.map((e) => e.ts.slice(0, 10)))) {
    const last = newest.get(day);
    if (last) existing.set(last.name, await read(last.name));
  }
  const placer = new ShardPlacer(2, (day) => {
    const last = newest.get(day);
    return last ? { index: last.index, bytes: existing.get(last.name)!.length } : undefined;
  });
  const byShard = new Map<string, string[]>();
  for (const e of events) {
    const line = eventLine(e);
    const name = placer.place(e, line);
    const lines = byShard.get(name);
    if (lines) lines.push(line);
    else byShard.set(name, [line]);
  }
  const shards = { ...snap.shards };
  for (const [name, lines] of byShard) {
    const mark = snap.shards[name];
    const content = Buffer.concat([existing.get(name) ?? (await read(name)), Buffer.from(lines.join(""))]);
    changes.set(`events/${name}`, content);
    shards[name] = { oid: store.writer.hash("blob", content), lines: (mark?.lines ?? 0) + lines.length, last_id: (JSON.parse(lines[lines.length - 1]!) as RwEvent).id };
  }
  return { changes, shards };
}

/**
 * The first write to a layout 1 repository re-renders every day's file (days under the bound
 * keep the very same blob; a bigger day is split once).
 */
async function migrateShards(store: Store, snap: Snapshot, events: RwEvent[], changes: FileChanges): Promise<{ changes: FileChanges; shards: Record<string, ShardMark> }> {
  const old = await readAllEvents(store.source, snap.root);
  for (const name of Object.keys(old.shards)) changes.set(`events/${name}`, null);
  const shards: Record<string, ShardMark> = {};
  for (const [path, lines] of renderShards([...old.events, ...events], LAYOUT_VERSION)) {
    const content = Buffer.from(lines.join(""));
    changes.set(path, content);
    shards[path.slice("events/".length)] = { oid: store.writer.hash("blob", content), lines: lines.length, last_id: (JSON.parse(lines[lines.length - 1]!) as RwEvent).id };
  }
  return { changes, shards };
}
