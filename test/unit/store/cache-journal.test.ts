import { appendFileSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { fold } from "../../../src/domain/fold.ts";
import { emptyState, type RwEvent } from "../../../src/domain/types.ts";
import { CACHE_VERSION, readCache, writeCache, type CacheFile, type ShardMark } from "../../../src/store/state-cache.ts";

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const REF = "refs/heads/rewind";
const journalFile = (): string => join(dir, "cache", `refs_heads_rewind.v${CACHE_VERSION}.journal.jsonl`);

function created(n: number): RwEvent {
  return {
    id: `01TEST${String(n).padStart(20, "0")}`, ts: new Date(Date.UTC(2026, 10, 1, 9, 0, n)).toISOString(), type: "task.created", actor: "t", task: `rw-${n}`,
    data: { title: `task ${n}`, priority: 2, type: "task", labels: [], deps: [], body: "" },
  } as unknown as RwEvent;
}

const tip = (n: number): string => n.toString(16).padStart(40, "0");
const marks = (n: number): Record<string, ShardMark> => ({ "2026-11-01.jsonl": { oid: tip(1000 + n), lines: n, last_id: created(n).id } });
const stateAt = (n: number) => fold(Array.from({ length: n }, (_, i) => created(i + 1)), emptyState());

/** A chain of `n` commits after a base at commit 0, saved the way Store.transact saves each one. */
async function chain(n: number): Promise<CacheFile> {
  let cache: CacheFile = { v: CACHE_VERSION, ref: REF, tip: tip(0), shards: marks(0), state: stateAt(0) };
  cache.journal = await writeCache(dir, cache); // the base
  for (let i = 1; i <= n; i++) {
    const events = [...cache.journal!.events, created(i)];
    cache = { v: CACHE_VERSION, ref: REF, tip: tip(i), shards: marks(i), state: stateAt(i), journal: { ...cache.journal!, events } };
    cache.journal = await writeCache(dir, cache);
  }
  return cache;
}

const read = () => readCache(dir, REF, (evs, st) => ({ state: fold(evs, st), derived: () => ({}) }));

describe("the index journal", () => {
  it("grows by one line per commit and reads back the state, tip and shard marks of the last one", async () => {
    dir = mkdtempSync(join(tmpdir(), "rw-journal-"));
    await chain(5);
    expect(readFileSync(journalFile(), "utf8").trimEnd().split("\n")).toHaveLength(6); // header + 5 steps
    const got = await read();
    expect(got?.tip).toBe(tip(5));
    expect(got?.shards).toEqual(marks(5));
    expect(got?.state).toEqual(stateAt(5));
  });

  it("skips what does not chain: a duplicate step, a step of another history, a torn line, bad JSON", async () => {
    dir = mkdtempSync(join(tmpdir(), "rw-journal-"));
    await chain(3);
    const lines = readFileSync(journalFile(), "utf8").trimEnd().split("\n");
    appendFileSync(journalFile(), `${lines[3]}\n`); // step 2 -> 3 again (two processes saving the same step)
    appendFileSync(journalFile(), `${JSON.stringify({ parent: tip(1), tip: tip(99), shards: marks(99), events: [created(99)] })}\n`); // forked at 1
    appendFileSync(journalFile(), "{not json\n");
    expect((await read())?.tip).toBe(tip(3));
    appendFileSync(journalFile(), JSON.stringify({ parent: tip(3), tip: tip(4), shards: marks(4), events: [created(4)] }).slice(0, 40)); // torn: no newline
    const got = await read();
    expect(got?.tip).toBe(tip(3));
    expect(got?.state).toEqual(stateAt(3));
  });

  it("is ignored when it names another base, and rewritten whole when another process changed it", async () => {
    dir = mkdtempSync(join(tmpdir(), "rw-journal-"));
    const at3 = await chain(3);
    const text = readFileSync(journalFile(), "utf8");
    // Another process replaced it (by rename, as every writer does) with the journal of another base.
    writeFileSync(`${journalFile()}.tmp`, text.replace(tip(0), tip(7)));
    renameSync(`${journalFile()}.tmp`, journalFile());
    const alone = await read();
    expect(alone?.tip, "the base alone: brought forward from the shards by the caller").toBe(tip(0));
    // This process still thinks the file is as it left it: the size differs, so it writes a new file.
    const next: CacheFile = { v: CACHE_VERSION, ref: REF, tip: tip(4), shards: marks(4), state: stateAt(4), journal: { ...at3.journal!, events: [...at3.journal!.events, created(4)] } };
    await writeCache(dir, next);
    const got = await read();
    expect(got?.tip).toBe(tip(4));
    expect(got?.state).toEqual(stateAt(4));
  });

  it("starts a new base past the journal's bound", async () => {
    dir = mkdtempSync(join(tmpdir(), "rw-journal-"));
    const last = await chain(205);
    expect(last.journal!.base).not.toBe(tip(0));
    const got = await read();
    expect(got?.tip).toBe(tip(205));
    expect(got?.state).toEqual(stateAt(205));
    expect(readFileSync(journalFile(), "utf8").trimEnd().split("\n").length).toBeLessThan(10);
  });
});

describe("a damaged index base", () => {
  it("stops with a clear error on the task that does not decode, removes the base, and reads as missing next time", async () => {
    dir = mkdtempSync(join(tmpdir(), "rw-cache-"));
    const n = 3;
    const cache: CacheFile = { v: CACHE_VERSION, ref: REF, tip: tip(n), shards: marks(n), state: stateAt(n) };
    await writeCache(dir, cache);
    const file = join(dir, "cache", `refs_heads_rewind.v${CACHE_VERSION}.base`);
    // Same length, broken contents: task 2's tuple no longer parses (only lengths are checked on read).
    const buf = readFileSync(file);
    const at = buf.indexOf('"rw-2"', buf.indexOf(10)); // in the tuples, not the header's ID list
    buf.write("{", at);
    writeFileSync(file, buf);
    const got = await read();
    expect(got?.state.tasks["rw-1"]?.title).toBe("task 1"); // the others still decode
    expect(() => got?.state.tasks["rw-2"]).toThrow(/index was damaged on disk .*it has been removed/);
    expect(await read()).toBeUndefined(); // rebuilt from the ref by the next command
  });
});
