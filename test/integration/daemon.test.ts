import { existsSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { editorSave, waitLong, mirrorFile, readMirror, refEvents, startDaemon, tipOf, cleanUpAfterEach, type DaemonProc } from "../helpers/daemon.ts";
import { makeRepo, type TempRepo } from "../helpers/repo.ts";

let repo: TempRepo;
let daemon: DaemonProc | undefined;
cleanUpAfterEach(() => ({ daemon, repo }));

async function setup(): Promise<{ a: string; b: string }> {
  repo = makeRepo({ init: true });
  const a = await repo.rwOk(["create", "Add login endpoint", "-p", "1", "--body", "POST /login"]);
  const b = await repo.rwOk(["create", "Write docs", "--dep", a]);
  return { a, b };
}

/** Runs a daemon until the task's mirror file exists, then stops it; returns the file's path. */
async function mirrorThenStop(id: string): Promise<string> {
  const d = await startDaemon(repo);
  const file = mirrorFile(repo, `tasks/${id}.md`);
  await waitLong(() => existsSync(file));
  await d.stop();
  return file;
}

const onRef = (path: string): string => repo.git(["show", `refs/heads/rewind:${path}`]);

describe("rw daemon: mirror -> ref", { timeout: 120_000 }, () => {
  it("records a saved edit (title + status) as field-level events by the git user, and refreshes the views", async () => {
    const { a } = await setup();
    daemon = await startDaemon(repo);
    await waitLong(() => existsSync(mirrorFile(repo, `tasks/${a}.md`)), { what: "mirror file" });
    const text = readMirror(repo, `tasks/${a}.md`).replace("title: Add login endpoint", "title: Add login and logout").replace("status: open", "status: done");
    editorSave(mirrorFile(repo, `tasks/${a}.md`), text);
    await waitLong(() => onRef(`tasks/${a}.md`).includes("status: done"), { what: "the edit on the ref" });
    const events = refEvents(repo).filter((e) => e.task === a);
    const edited = events.find((e) => e.type === "task.edited")!;
    expect(edited.data).toEqual({ title: "Add login and logout", prev: { title: "Add login endpoint" } });
    expect(events.at(-1)!.type).toBe("task.completed");
    expect(edited.actor).toBe("Test User");
    expect(onRef(`tasks/${a}.md`)).toContain("title: Add login and logout");
    expect(onRef("STATE.md")).toMatch(/Recently done[\s\S]*Add login and logout/);
    await waitLong(() => readMirror(repo, "BOARD.md").match(/## Done \(1\)\n\n- \[/), { what: "BOARD.md in the mirror" });
    await daemon.waitLine(new RegExp(`committed .rewind/tasks/${a}.md: task.edited, task.completed`));
    await repo.rwOk(["doctor"]);
  });

  it("turns a new file into a task, renames it to <id>.md with completed frontmatter", async () => {
    await setup();
    daemon = await startDaemon(repo);
    writeFileSync(mirrorFile(repo, "tasks/anything.md"), "---\ntitle: Rate-limit the API\npriority: 1\n---\nBody\n  kept   as is\n");
    writeFileSync(mirrorFile(repo, "tasks/heading.md"), "# Just a heading\n\nand text\n");
    const line = await daemon.waitLine(/renamed .rewind\/tasks\/anything.md -> /);
    const id = /tasks\/([^/]+)\.md$/.exec(line)![1]!;
    await waitLong(() => !existsSync(mirrorFile(repo, "tasks/anything.md")) && existsSync(mirrorFile(repo, `tasks/${id}.md`)), { what: "the rename" });
    const file = readMirror(repo, `tasks/${id}.md`);
    expect(file).toMatch(new RegExp(`^---\\nid: ${id}\\ntitle: Rate-limit the API\\nstatus: open\\npriority: 1\\ntype: task\\ncreated_at: .+\\nupdated_at: .+\\n---\\nBody\\n  kept   as is\\n$`));
    expect(onRef(`tasks/${id}.md`)).toBe(file);
    await daemon.waitLine(/renamed .rewind\/tasks\/heading.md -> /);
    const list = JSON.parse(await repo.rwOk(["list", "--json"])) as { tasks: Array<{ title: string }> };
    expect(list.tasks.map((t) => t.title)).toContain("Just a heading");
  });

  it("cancels a task whose file is deleted and restores the file", async () => {
    const { b } = await setup();
    daemon = await startDaemon(repo);
    await waitLong(() => existsSync(mirrorFile(repo, `tasks/${b}.md`)));
    unlinkSync(mirrorFile(repo, `tasks/${b}.md`));
    await waitLong(() => existsSync(mirrorFile(repo, `tasks/${b}.md`)) && readMirror(repo, `tasks/${b}.md`).includes("status: cancelled"), { what: "restored file" });
    const cancel = refEvents(repo).find((e) => e.task === b && e.type === "task.cancelled")!;
    expect(cancel.data.reason).toBe(`.rewind/tasks/${b}.md was deleted`);
  });

  it("rebuilds a removed .rewind/ instead of cancelling every task, and keeps watching it", async () => {
    // A removal that takes a while (a big folder, a slow disk, `rm -ri`): one file, a pause
    // longer than the daemon's batching, then the rest. The daemon must wait for the removal to
    // finish: a round in between cancelled the first task and wrote the rebuilt folder into the
    // one being removed (ENOTEMPTY for the user's rm). That holds for a removal that pauses less
    // than the daemon's settle wait (750 ms, daemon.ts SETTLE_MS); on a loaded machine this
    // test's 120 ms pause can stretch past it, and then a cancellation is right: such a try
    // proves nothing, and the test makes another.
    let ids: { a: string; b: string };
    let tip: string;
    for (let attempt = 1; ; attempt++) {
      ids = await setup();
      daemon = await startDaemon(repo);
      await waitLong(() => existsSync(mirrorFile(repo, `tasks/${ids.b}.md`)));
      tip = tipOf(repo);
      const t0 = Date.now();
      unlinkSync(mirrorFile(repo, `tasks/${ids.a}.md`));
      await new Promise((r) => setTimeout(r, 120));
      rmSync(join(repo.dir, ".rewind"), { recursive: true, force: true });
      const pause = Date.now() - t0;
      if (pause < 600) break;
      expect(attempt, `the removal's pause was ${pause} ms, past the daemon's settle wait, ${attempt} times`).toBeLessThan(5);
      await daemon.stop();
      repo.cleanup();
    }
    const { a, b } = ids;
    await waitLong(() => existsSync(mirrorFile(repo, `tasks/${a}.md`)) && existsSync(mirrorFile(repo, `tasks/${b}.md`)), { what: "the rebuilt mirror" });
    await daemon.waitLine(/\.rewind\/tasks\/ is gone or empty: restoring it/);
    expect(refEvents(repo).some((e) => e.type === "task.cancelled")).toBe(false);
    expect(tipOf(repo)).toBe(tip);
    // The new folder is watched: an edit in it is recorded.
    const text = readMirror(repo, `tasks/${a}.md`).replace("priority: 1", "priority: 3");
    writeFileSync(mirrorFile(repo, `tasks/${a}.md`), text);
    await waitLong(() => onRef(`tasks/${a}.md`).includes("priority: 3"), { what: "an edit after the rebuild" });
    await repo.rwOk(["doctor"]);
  });

  it("refuses invalid files: nothing committed, file untouched, PROBLEMS.md names file, line and fix; fixing clears it", async () => {
    const { a, b } = await setup();
    daemon = await startDaemon(repo);
    await waitLong(() => existsSync(mirrorFile(repo, `tasks/${a}.md`)));
    const tip = tipOf(repo);
    const good = readMirror(repo, `tasks/${a}.md`);
    const cases: Array<[string, string, RegExp]> = [
      [good.replace("priority: 1", "priority: [1"), "line 6", /invalid YAML/], // js-yaml reports where it noticed: the next line
      [good.replace("status: open", "status: doing"), "line 4", /unknown status "doing"[\s\S]*fix: use one of: open/],
      [good.replace("type: task", "type: task\ndeps: [nope-0000]"), "line 7", /task nope-0000 not found[\s\S]*fix: create that task first/],
      [good.replace("type: task", `type: task\ndeps: [${b}]`), "line 7", /cycle[\s\S]*fix: remove one of the dependencies/],
    ];
    for (const [text, line, message] of cases) {
      writeFileSync(mirrorFile(repo, `tasks/${a}.md`), text);
      const problems = await waitLong(() => {
        const p = existsSync(mirrorFile(repo, "PROBLEMS.md")) ? readMirror(repo, "PROBLEMS.md") : "";
        return message.test(p) ? p : undefined;
      }, { what: `PROBLEMS.md matching ${String(message)}` });
      expect(problems).toContain(`\`.rewind/tasks/${a}.md\` ${line}`);
      expect(readMirror(repo, `tasks/${a}.md`)).toBe(text);
      expect(tipOf(repo)).toBe(tip);
    }
    await daemon.waitLine(new RegExp(`problem .rewind/tasks/${a}.md:\\d+: unknown status "doing" \\(fix: `));
    writeFileSync(mirrorFile(repo, `tasks/${a}.md`), good.replace("priority: 1", "priority: 0"));
    await waitLong(() => !existsSync(mirrorFile(repo, "PROBLEMS.md")), { what: "PROBLEMS.md cleared" });
    await waitLong(() => onRef(`tasks/${a}.md`).includes("priority: 0"));
    await repo.rwOk(["doctor"]);
  });
});

describe("rw daemon: ref -> mirror", { timeout: 120_000 }, () => {
  it("shows a claim made in another worktree in the mirror file and in STATE.md", async () => {
    const { a } = await setup();
    daemon = await startDaemon(repo);
    const wt = join(repo.dir, "..", `${repo.dir.split("/").pop()!}-wt`);
    repo.git(["worktree", "add", "-q", wt, "-b", "feature"]);
    try {
      await repo.rwOk(["claim", a], { actor: "agent-7", cwd: wt });
      await waitLong(() => readMirror(repo, `tasks/${a}.md`).includes("assignee: agent-7"), { what: "assignee in the mirror" });
      await waitLong(() => /In progress[\s\S]*agent-7[\s\S]*Ready next/.test(readMirror(repo, "STATE.md")), { what: "STATE.md in progress" });
      await daemon.waitLine(new RegExp(`refreshed .rewind/tasks/${a}.md`));
    } finally {
      repo.git(["worktree", "remove", "--force", wt]);
    }
  });

  it("keeps both sides when a human edits while an agent writes; the later write of a field wins, the other stays in data.prev", async () => {
    const { a } = await setup();
    const file = await mirrorThenStop(a);
    const before = readFileSync(file, "utf8");
    // The agent retitles and claims on the ref; then the human, still on the old file, retitles and reprioritises.
    await repo.rwOk(["edit", a, "--title", "Agent title"], { actor: "agent-1" });
    await repo.rwOk(["claim", a], { actor: "agent-1" });
    writeFileSync(file, before.replace("title: Add login endpoint", "title: Human title").replace("priority: 1", "priority: 0"));
    daemon = await startDaemon(repo);
    await waitLong(() => onRef(`tasks/${a}.md`).includes("title: Human title"), { what: "the human's edit on the ref" });
    const task = onRef(`tasks/${a}.md`);
    expect(task).toContain("priority: 0");
    expect(task).toContain("assignee: agent-1");
    expect(task).toContain("status: in_progress");
    const edit = refEvents(repo).filter((e) => e.type === "task.edited").at(-1)!;
    expect(edit.data).toEqual({ title: "Human title", priority: 0, prev: { title: "Agent title", priority: 1 } });
    await waitLong(() => readMirror(repo, `tasks/${a}.md`).includes("assignee: agent-1"));
  });

  it("expires leases so the task is ready again", async () => {
    const { a } = await setup();
    await repo.rwOk(["claim", a, "--lease", "1s"], { actor: "agent-1" });
    daemon = await startDaemon(repo);
    await daemon.waitLine(new RegExp(`expired lease ${a} \\(agent-1`));
    expect(refEvents(repo).some((e) => e.type === "task.lease_expired" && e.task === a)).toBe(true);
    expect(await repo.rwOk(["ready"])).toContain(a);
  });
});

describe("rw daemon: one per repository", { timeout: 120_000 }, () => {
  it("refuses a second daemon naming the first's PID; takes over a stale lock; status and stop", async () => {
    await setup();
    writeFileSync(join(repo.dir, ".git", "rewind", "daemon.lock"), JSON.stringify({ pid: 999_999, start: "1", started_at: "2020-01-01T00:00:00.000Z", cwd: repo.dir }));
    daemon = await startDaemon(repo);
    const second = await repo.rw(["daemon"]);
    expect(second.code).toBe(3);
    expect(second.stderr).toContain(`already running for this repository (pid ${daemon.child.pid!}`);
    expect(await repo.rwOk(["daemon", "status"])).toContain(`running: pid ${daemon.child.pid!}`);
    expect(await repo.rwOk(["daemon", "stop"])).toContain(`stopped the daemon (pid ${daemon.child.pid!})`);
    await daemon.stop();
    daemon = undefined;
    // "not running" exits 3 (the exit-code table: the state refuses), so scripts can test it.
    const status = await repo.rw(["daemon", "status"]);
    expect([status.code, status.stdout.trim()]).toEqual([3, "not running"]);
  });

  it("--detach runs in the background with a log under the git common dir", async () => {
    const { a } = await setup();
    const out = await repo.rwOk(["daemon", "--detach"]);
    expect(out).toMatch(/daemon started \(pid \d+\); log: .*\.git\/rewind\/daemon\.log/);
    try {
      await waitLong(() => existsSync(mirrorFile(repo, `tasks/${a}.md`)));
      expect(JSON.parse(await repo.rwOk(["daemon", "status", "--json"]))).toMatchObject({ v: 1, running: true });
    } finally {
      await repo.rwOk(["daemon", "stop"]);
    }
    expect(readFileSync(join(repo.dir, ".git", "rewind", "daemon.log"), "utf8")).toMatch(/daemon started[\s\S]*daemon stopped/);
  });
});

describe("commands without a daemon", { timeout: 120_000 }, () => {
  it("sync the mirror first: an edited file is recorded before the command runs", async () => {
    const { a } = await setup();
    const file = await mirrorThenStop(a);
    writeFileSync(file, readFileSync(file, "utf8").replace("priority: 1", "priority: 4"));
    expect(await repo.rwOk(["show", a])).toContain("priority: 4");
    // and the command's own change reaches the mirror at the next command
    await repo.rwOk(["claim", a], { actor: "agent-2" });
    await repo.rwOk(["list"]);
    expect(readFileSync(file, "utf8")).toContain("assignee: agent-2");
    await repo.rwOk(["doctor"]);
  });

  it.each([
    ["with the index", false],
    ["after mirror.json was deleted", true],
  ])("a save from an older copy (%s) records only the human's change, never undoing a claim", async (_name, dropIndex) => {
    const { a } = await setup();
    const file = await mirrorThenStop(a);
    const old = readFileSync(file, "utf8");
    await repo.rwOk(["claim", a], { actor: "agent-2" });
    await repo.rwOk(["list"]);
    expect(readFileSync(file, "utf8")).toContain("status: in_progress");
    if (dropIndex) unlinkSync(join(repo.dir, ".git", "rewind", "mirror.json"));
    // The editor still holds the copy from before the claim; the human changes the title.
    writeFileSync(file, old.replace("title: Add login endpoint", "title: Add the login endpoint"));
    const shown = await repo.rwOk(["show", a]);
    expect(shown).toContain("title: Add the login endpoint");
    expect(shown).toContain("status: in_progress");
    expect(shown).toContain("assignee: agent-2");
    const edit = refEvents(repo).filter((e) => e.task === a).at(-1)!;
    expect(edit).toMatchObject({ type: "task.edited", data: { title: "Add the login endpoint", prev: { title: "Add login endpoint" } } });
    await repo.rwOk(["list"]);
    expect(readFileSync(file, "utf8")).toContain("assignee: agent-2");
    await repo.rwOk(["doctor"]);
  });
});
