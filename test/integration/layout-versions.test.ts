import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { eventLine } from "../../src/format/event-line.ts";
import { LAYOUT_FILE, layoutText, REF_README_V1, REF_README_V2, renderShards, taskFolders } from "../../src/store/layout.ts";
import { serializeCommit } from "../../src/store/objects.ts";
import { readAllEvents } from "../../src/store/snapshot.ts";
import { Store } from "../../src/store/store.ts";
import { syncMirror } from "../../src/store/mirror-sync.ts";
import { folderFiles, listTree, withSubtree, writeFolder, writeTreeWithChanges, type FileChanges } from "../../src/store/tree-write.ts";
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
 * Rewrites the tip as an older rw wrote it, as a plain commit on top: what an existing user's
 * repository holds. Both older layouts keep every task in a flat tasks/; layout 1 also has one
 * event file per UTC day however big, no LAYOUT and its own README; layout 2 its README.
 */
async function downgrade(dir: string, layout: 1 | 2): Promise<void> {
  const store = await Store.open({ cwd: dir, env: baseEnv(), now: () => new Date() });
  try {
    const snap = await store.snapshot();
    const { events } = await readAllEvents(store.source, snap.root);
    const changes: FileChanges = layout === 1
      ? new Map([[LAYOUT_FILE, null], ["README.md", Buffer.from(REF_README_V1)]])
      : new Map([[LAYOUT_FILE, Buffer.from(layoutText(2))], ["README.md", Buffer.from(REF_README_V2)]]);
    if (layout === 1) {
      for (const path of (await listTree(store.cat, snap.tree, store.oidBytes)).keys()) if (path.startsWith("events/")) changes.set(path, null);
      for (const [path, lines] of renderShards(events, 1)) changes.set(path, Buffer.from(lines.join("")));
      expect(events.map(eventLine).join("").length).toBeGreaterThan(300_000);
    }
    const tasks = snap.root.find((e) => e.name === "tasks")!.oid;
    const flat = await withSubtree(store.cat, store.writer, snap.tree, "tasks", await writeFolder(store.writer, await folderFiles(store.cat, tasks, store.oidBytes), () => []), store.oidBytes);
    const tree = await writeTreeWithChanges(store.cat, store.writer, flat, changes, store.oidBytes);
    const sig = { name: "old rw", email: "old@example.com", when: new Date() };
    const commit = await store.writer.write("commit", serializeCommit({ tree, parents: [snap.tip], author: sig, committer: sig, message: `as layout ${layout}\n` }));
    expect(await store.refs.cas(store.ref, commit, snap.tip, store.zeroOid)).toBe(true);
  } finally {
    store.close();
  }
}

describe("event shard layout versions", () => {
  it("rolls a big day into bounded files that doctor accepts, in log order", async () => {
    repo = makeRepo();
    await repo.rwOk(["init"]);
    expect(repo.git(["show", `rewind:${LAYOUT_FILE}`])).toBe("rw state layout 3\n");
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

  it("reads a layout 1 repository as it is, and its first write moves it to the current layout", async () => {
    repo = makeRepo();
    await repo.rwOk(["init"]);
    const ids = await seedTasks(repo.dir, 600, (i) => `Old task ${i} ${bigBody(i).slice(0, 450)}`);
    await downgrade(repo.dir, 1);
    const day = new Date().toISOString().slice(0, 10);
    expect(eventFiles(repo)).toEqual([`events/${day}.jsonl`]);
    const before = JSON.parse(await repo.rwOk(["list", "--all", "--json"])) as unknown;
    // Old repositories stay valid and readable; reads never rewrite them.
    await expectDoctorOk(repo);
    const tip = repo.git(["rev-parse", "rewind"]).trim();
    expect(JSON.parse(await repo.rwOk(["list", "--all", "--json"]))).toEqual(before);
    expect(repo.git(["rev-parse", "rewind"]).trim()).toBe(tip);

    await repo.rwOk(["claim", ids[5]!], { actor: "agent-1" });
    expect(repo.git(["show", `rewind:${LAYOUT_FILE}`])).toBe("rw state layout 3\n");
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

  it("fans tasks/ out past 500 tasks: a claim rewrites a few small folders, and every reader finds the files", async () => {
    repo = makeRepo();
    await repo.rwOk(["init"]);
    const first = await seedTasks(repo.dir, 400);
    const flat = repo.git(["ls-tree", "--name-only", "rewind", "tasks/"]).trim().split("\n");
    expect(flat).toHaveLength(400);
    expect(flat).toContain(`tasks/${first[0]}.md`);
    const ids = [...first, ...(await seedTasks(repo.dir, 200, (i) => `Later task ${i}`))];
    const files = repo.git(["ls-tree", "-r", "--name-only", "rewind", "tasks/"]).trim().split("\n");
    expect(files).toHaveLength(600);
    const fanned = (id: string): string => `tasks/${taskFolders(id).join("/")}/${id}.md`;
    expect(new Set(files)).toEqual(new Set(ids.map(fanned)));
    for (const f of files) expect(f).toMatch(/^tasks\/[a-z0-9_]\/[a-z0-9_]\/[^/]+\.md$/);

    const id = ids[7]!;
    await repo.rwOk(["claim", id], { actor: "agent-1" });
    expect(repo.git(["diff-tree", "-r", "--name-only", "rewind~1", "rewind", "--", "tasks/"]).trim()).toBe(fanned(id));
    // What the claim rewrote under tasks/: folders of at most 36 entries, not a listing of 600 files.
    const [a, b] = taskFolders(id);
    expect(Number(repo.git(["cat-file", "-s", "rewind:tasks"]))).toBeLessThan(36 * 32);
    expect(Number(repo.git(["cat-file", "-s", `rewind:tasks/${a}`]))).toBeLessThan(36 * 32);
    expect(Number(repo.git(["cat-file", "-s", `rewind:tasks/${a}/${b}`]))).toBeLessThan(20 * 64);

    const shown = await repo.rwOk(["show", id]);
    expect(shown.startsWith(repo.git(["show", `rewind:${fanned(id)}`]).trimEnd())).toBe(true);
    // History spans both forms: created while tasks/ was flat, claimed after it fanned out.
    const history = JSON.parse(await repo.rwOk(["history", id, "--json"])) as { entries?: Array<{ type: string; commit?: string }> } | Array<{ type: string; commit?: string }>;
    const entries = Array.isArray(history) ? history : history.entries ?? [];
    expect(entries.filter((e) => e.commit).map((e) => e.type)).toEqual(expect.arrayContaining(["task.created", "task.claimed"]));
    // git alone finds it in both places: created, moved by the write that passed 500 tasks, claimed.
    expect(repo.git(["log", "--format=%s", "rewind", "--", `*/${id}.md`]).trim().split("\n")).toHaveLength(3);

    // The mirror stays flat: .rewind/tasks/<id>.md, the same bytes as the ref's file.
    const store = await Store.open({ cwd: repo.dir, env: baseEnv(), now: () => new Date() });
    try {
      await syncMirror(store, { actor: { name: "human", email: "human@example.com" }, log: () => undefined });
    } finally {
      store.close();
    }
    const mirrored = readdirSync(join(repo.dir, ".rewind", "tasks"));
    expect(mirrored).toHaveLength(600);
    expect(readFileSync(join(repo.dir, ".rewind", "tasks", `${id}.md`), "utf8")).toBe(repo.git(["show", `rewind:${fanned(id)}`]));
    await expectDoctorOk(repo);
  }, 180_000);

  it("reads a layout 2 repository with a flat tasks/ of 600 as it is; its first write fans it out, keeping every blob", async () => {
    repo = makeRepo();
    await repo.rwOk(["init"]);
    const ids = await seedTasks(repo.dir, 600);
    await downgrade(repo.dir, 2);
    expect(repo.git(["ls-tree", "--name-only", "rewind", "tasks/"]).trim().split("\n")).toContain(`tasks/${ids[3]}.md`);
    await expectDoctorOk(repo);
    const tip = repo.git(["rev-parse", "rewind"]).trim();
    const before = JSON.parse(await repo.rwOk(["show", ids[3]!, "--json"])) as unknown;
    expect(repo.git(["rev-parse", "rewind"]).trim()).toBe(tip);
    const blob = repo.git(["rev-parse", `rewind:tasks/${ids[3]}.md`]).trim();

    await repo.rwOk(["note", ids[4]!, "the first write on layout 3"]);
    expect(repo.git(["show", `rewind:${LAYOUT_FILE}`])).toBe("rw state layout 3\n");
    expect(repo.git(["show", "rewind:README.md"])).toContain("tasks/<a>/<b>/<id>.md");
    expect(repo.git(["rev-parse", `rewind:tasks/${taskFolders(ids[3]!).join("/")}/${ids[3]}.md`]).trim()).toBe(blob);
    expect(repo.git(["ls-tree", "-r", "--name-only", "rewind", "tasks/"]).trim().split("\n")).toHaveLength(600);
    expect(JSON.parse(await repo.rwOk(["show", ids[3]!, "--json"]))).toEqual(before);
    await expectDoctorOk(repo);
  }, 180_000);
});
