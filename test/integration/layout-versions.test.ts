import { afterEach, describe, expect, it } from "vitest";
import { eventLine } from "../../src/format/event-line.ts";
import { LAYOUT_FILE, REF_README_V1, renderShards } from "../../src/store/layout.ts";
import { serializeCommit } from "../../src/store/objects.ts";
import { readAllEvents } from "../../src/store/snapshot.ts";
import { Store } from "../../src/store/store.ts";
import { listTree, writeTreeWithChanges, type FileChanges } from "../../src/store/tree-write.ts";
import { seedTasks } from "../helpers/race.ts";
import { baseEnv, makeRepo, type TempRepo } from "../helpers/repo.ts";
import { expectDoctorOk } from "../helpers/rw.ts";

let repo: TempRepo;
afterEach(() => repo?.cleanup());

const bigBody = (i: number): string => `Task ${i}: ${"a long paragraph of context for the agent. ".repeat(24)}\n`;

/** Event file names on the tip, in tree order. */
function eventFiles(r: TempRepo): string[] {
  return r.git(["ls-tree", "--name-only", "rewind", "events/"]).trim().split("\n").filter(Boolean);
}

/**
 * Rewrites the tip as rw wrote it before layout 2 (one file per UTC day however big, no
 * LAYOUT, the old README), as a plain commit on top: what an existing user's repository holds.
 */
async function downgradeToLayout1(dir: string): Promise<void> {
  const store = await Store.open({ cwd: dir, env: baseEnv(), now: () => new Date() });
  try {
    const snap = await store.snapshot();
    const { events } = await readAllEvents(store.source, snap.root);
    const changes: FileChanges = new Map([[LAYOUT_FILE, null], ["README.md", Buffer.from(REF_README_V1)]]);
    for (const path of (await listTree(store.cat, snap.tree, store.oidBytes)).keys()) if (path.startsWith("events/")) changes.set(path, null);
    for (const [path, lines] of renderShards(events, 1)) changes.set(path, Buffer.from(lines.join("")));
    expect(events.map(eventLine).join("").length).toBeGreaterThan(300_000);
    const tree = await writeTreeWithChanges(store.cat, store.writer, snap.tree, changes, store.oidBytes);
    const sig = { name: "old rw", email: "old@example.com", when: new Date() };
    const commit = await store.writer.write("commit", serializeCommit({ tree, parents: [snap.tip], author: sig, committer: sig, message: "as layout 1\n" }));
    expect(await store.refs.cas(store.ref, commit, snap.tip, store.zeroOid)).toBe(true);
  } finally {
    store.close();
  }
}

describe("event shard layout versions", () => {
  it("rolls a big day into bounded files that doctor accepts, in log order", async () => {
    repo = makeRepo();
    await repo.rwOk(["init"]);
    expect(repo.git(["show", `rewind:${LAYOUT_FILE}`])).toBe("rw state layout 2\n");
    const ids = await seedTasks(repo.dir, 600, (i) => `Task ${i} ${bigBody(i).slice(0, 450)}`);
    const id = await repo.rwOk(["create", "After the big import", "--body", bigBody(1)]);
    await repo.rwOk(["claim", id], { actor: "agent-1" });
    const files = eventFiles(repo);
    const day = new Date().toISOString().slice(0, 10);
    // 600 task.created events on one day (~0.6 KB each; titles stay under the 500-character limit) fill more than one bounded file.
    expect(files.length, files.join(", ")).toBeGreaterThan(1);
    expect(files[0]).toBe(`events/${day}.jsonl`);
    expect(files[1]).toBe(`events/${day}_0001.jsonl`);
    for (const f of files) expect(Number(repo.git(["cat-file", "-s", `rewind:${f}`]))).toBeLessThan(256 * 1024 + 4096);
    // The claim appended to the newest file only.
    const newest = repo.git(["show", `rewind:${files[files.length - 1]}`]).trim().split("\n");
    expect((JSON.parse(newest[newest.length - 1]!) as { type: string }).type).toBe("task.claimed");
    expect(repo.git(["diff", "--name-only", "rewind~1", "rewind", "--", "events/"]).trim()).toBe(files[files.length - 1]);
    const shown = JSON.parse(await repo.rwOk(["show", ids[0]!, "--json"])) as { task: { id: string } };
    expect(shown.task.id).toBe(ids[0]);
    await expectDoctorOk(repo);
  }, 120_000);

  it("reads a layout 1 repository as it is, and its first write moves it to layout 2", async () => {
    repo = makeRepo();
    await repo.rwOk(["init"]);
    const ids = await seedTasks(repo.dir, 600, (i) => `Old task ${i} ${bigBody(i).slice(0, 450)}`);
    await downgradeToLayout1(repo.dir);
    const day = new Date().toISOString().slice(0, 10);
    expect(eventFiles(repo)).toEqual([`events/${day}.jsonl`]);
    const before = JSON.parse(await repo.rwOk(["list", "--all", "--json"])) as unknown;
    // Old repositories stay valid and readable; reads never rewrite them.
    await expectDoctorOk(repo);
    const tip = repo.git(["rev-parse", "rewind"]).trim();
    expect(JSON.parse(await repo.rwOk(["list", "--all", "--json"]))).toEqual(before);
    expect(repo.git(["rev-parse", "rewind"]).trim()).toBe(tip);

    await repo.rwOk(["claim", ids[5]!], { actor: "agent-1" });
    expect(repo.git(["show", `rewind:${LAYOUT_FILE}`])).toBe("rw state layout 2\n");
    expect(repo.git(["show", "rewind:README.md"])).toContain("_0001.jsonl");
    const files = eventFiles(repo);
    expect(files.length).toBeGreaterThan(1);
    expect(files[1]).toBe(`events/${day}_0001.jsonl`);
    const after = JSON.parse(await repo.rwOk(["show", ids[5]!, "--json"])) as { task: { status: string; assignee: string } };
    expect(after.task).toMatchObject({ status: "in_progress", assignee: "agent-1" });
    await expectDoctorOk(repo);
    // And the next write is a plain append to the newest file.
    await repo.rwOk(["note", ids[6]!, "after the move"]);
    expect(repo.git(["diff", "--name-only", "rewind~1", "rewind", "--", "events/"]).trim()).toBe(files[files.length - 1]);
    await expectDoctorOk(repo);
  }, 120_000);
});
