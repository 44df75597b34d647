import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cleanUpAfterEach, editorSave, mirrorFile, readMirror, refEvents, startDaemon, waitLong, type DaemonProc } from "../helpers/daemon.ts";
import { makeRepo, type TempRepo } from "../helpers/repo.ts";

/**
 * Guards around the mirror and the locks, through the built `rw`: stale locks are judged by
 * owner PID + process start time and taken over at once (and said so); edits made inside an
 * agent session are never recorded as the human; a clone's init keeps the state's prefix; an
 * editor re-saving a renamed new file edits that task.
 */

let repo: TempRepo | undefined;
let daemon: DaemonProc | undefined;
cleanUpAfterEach(() => ({ daemon, repo }));

const rwDir = (r: TempRepo): string => join(r.dir, ".git", "rewind");

/** A PID that is certainly dead: a child that ran and exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(r.stdout);
}

async function withMirror(): Promise<{ r: TempRepo; id: string }> {
  repo = makeRepo();
  const r = repo;
  await r.rwOk(["init"]);
  const id = await r.rwOk(["create", "Existing task"]);
  mkdirSync(join(r.dir, ".rewind/tasks"), { recursive: true });
  await r.rwOk(["list"]);
  return { r, id };
}

interface LockCase { name: string; plant(r: TempRepo): void; run: string[]; stderr: RegExp }

const LOCKS: LockCase[] = [
  {
    name: "mirror.lock held by a reused PID (alive, another process now)",
    plant: (r) => writeFileSync(join(rwDir(r), "mirror.lock"), `${process.pid} 1`),
    run: ["list"], stderr: /took over a stale mirror\.lock/,
  },
  { name: "tx.lock left by a killed writer", plant: (r) => writeFileSync(join(rwDir(r), "tx.lock"), `${deadPid()} 12345\n`), run: ["create", "After the crash"], stderr: /took over a stale tx\.lock \(pid \d+ is gone/ },
  {
    name: "refs/heads/rewind.lock left by a killed git",
    plant: (r) => {
      const lock = join(r.dir, ".git/refs/heads/rewind.lock");
      writeFileSync(lock, "");
      const old = new Date(Date.now() - 60_000);
      utimesSync(lock, old, old);
    },
    run: ["create", "After git died"], stderr: /removed a stale git lock .*rewind\.lock/,
  },
];

describe("stale locks are taken over at once and reported", { timeout: 120_000 }, () => {
  it.each(LOCKS)("$name", async (c) => {
    const { r, id } = await withMirror();
    // An edit waiting in the mirror: with the sync lock wrongly judged live it would never be recorded.
    const file = mirrorFile(r, `tasks/${id}.md`);
    writeFileSync(file, readFileSync(file, "utf8").replace("title: Existing task", "title: Edited while locked"));
    c.plant(r);
    const out = await r.rw(c.run);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toMatch(c.stderr);
    expect((JSON.parse(await r.rwOk(["show", id, "--json"])) as { task: { title: string; status: string } }).task.title).toBe("Edited while locked");
  });

  it("daemon.lock.takeover/ left by a killed starter: status says not running, and a start succeeds", async () => {
    const { r } = await withMirror();
    writeFileSync(join(rwDir(r), "daemon.lock"), JSON.stringify({ pid: deadPid(), start: "1", started_at: "2026-01-01T00:00:00Z", cwd: r.dir }));
    mkdirSync(join(rwDir(r), "daemon.lock.takeover"));
    writeFileSync(join(rwDir(r), "daemon.lock.takeover", "owner"), `${deadPid()} 1`);
    const status = await r.rw(["daemon", "status"]);
    expect([status.code, status.stdout]).toEqual([3, expect.stringMatching(/not running/)]); // 3: nothing runs (the exit-code table)
    daemon = await startDaemon(r);
    expect(daemon.output()).toMatch(/took over the lock of a daemon that is gone/);
    expect(await r.rwOk(["daemon", "status"])).toMatch(/^running: pid/);
  });
});

describe("edits from inside an agent session are not recorded as the human", { timeout: 180_000 }, () => {
  it("a command run with RW_AGENT_SESSION does not ingest mirror edits and says why", async () => {
    const { r, id } = await withMirror();
    const file = mirrorFile(r, `tasks/${id}.md`);
    writeFileSync(file, readFileSync(file, "utf8").replace("status: open", "status: cancelled"));
    const inside = await r.rw(["list"], { env: { RW_AGENT_SESSION: "as-test" } });
    expect(inside.code).toBe(0);
    expect(inside.stderr).toMatch(/not recorded: this command runs inside an agent session \(RW_AGENT_SESSION=as-test\)/);
    expect((JSON.parse(await r.rwOk(["show", id, "--json"], { env: { RW_AGENT_SESSION: "as-test" } })) as { task: { title: string; status: string } }).task.status).toBe("open");
    const daemonInside = await r.rw(["daemon"], { env: { RW_AGENT_SESSION: "as-test" } });
    expect(daemonInside.code).not.toBe(0);
    expect(daemonInside.stderr).toMatch(/cannot run inside an agent session/);
  });

  it("rw agent run in the main work tree: the agent's mirror edits are held, then restored; nothing is committed as the human", async () => {
    const { r, id } = await withMirror();
    daemon = await startDaemon(r);
    const forge = `const fs=require('fs');const p='.rewind/tasks/${id}.md';fs.writeFileSync(p,fs.readFileSync(p,'utf8').replace('status: open','status: cancelled'));fs.writeFileSync('.rewind/tasks/forged.md','---\\ntitle: Forged by the agent\\n---\\n')`;
    const script = { turns: [{ tool_calls: [{ name: "run_command", input: { command: `node -e "${forge}"` } }] }, { tool_calls: [{ name: "finish", input: { summary: "done" } }] }] };
    writeFileSync(join(r.dir, "script.json"), JSON.stringify(script));
    writeFileSync(join(r.dir, ".rewind/config.toml"), `${readFileSync(join(r.dir, ".rewind/config.toml"), "utf8")}\n[roles.worker]\nprovider = "fake"\nscript = "script.json"\n[tools]\nallow_commands = ["node"]\n`);
    const before = refEvents(r).length;
    const run = await r.rw(["agent", "run", "--task", id], { actor: "agent-1" });
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.stdout).toContain("✓ run_command node");
    await daemon.waitLine(/not recorded: \.rewind\/tasks\/forged\.md was changed during agent session/);
    await daemon.waitLine(new RegExp(`not recorded: \\.rewind/tasks/${id}\\.md was changed during agent session`));
    await waitLong(() => readMirror(r, `tasks/${id}.md`).includes("status: open") && !existsSync(mirrorFile(r, "tasks/forged.md")), { what: "the mirror restored" });
    const after = refEvents(r).slice(before);
    expect(after.filter((e) => e.actor === "Test User")).toEqual([]);
    expect(after.map((e) => e.type)).not.toContain("task.cancelled");
    expect(after.map((e) => e.type)).not.toContain("task.created");
    expect((JSON.parse(await r.rwOk(["show", id, "--json"])) as { task: { title: string; status: string } }).task.status).toBe("open");
    const kept = join(rwDir(r), "agent-edits");
    const sessions = readdirSync(kept);
    expect(readFileSync(join(kept, sessions[0]!, "tasks/forged.md"), "utf8")).toContain("Forged by the agent");
  });
});

describe("rw init in a clone and renamed new files", { timeout: 120_000 }, () => {
  it("a clone's init keeps the prefix of the state it picked up and says to commit config.toml", async () => {
    repo = makeRepo();
    const origin = repo;
    await origin.rwOk(["init"]);
    writeFileSync(join(origin.dir, ".rewind/config.toml"), readFileSync(join(origin.dir, ".rewind/config.toml"), "utf8").replace(/^#?\s*prefix = .*$/m, 'prefix = "slu"'));
    const first = await origin.rwOk(["create", "From the origin"]);
    expect(first).toMatch(/^slu-/);
    const cloneDir = `${origin.dir}-bl`;
    origin.git(["clone", "-q", origin.dir, cloneDir]);
    const clone = makeRepo({ commit: false });
    try {
      const init = await clone.rw(["init"], { cwd: cloneDir });
      expect(init.code, init.stderr).toBe(0);
      expect(init.stdout).toMatch(/picked up refs\/heads\/rewind/);
      expect(init.stdout).toMatch(/commit \.rewind\/config\.toml/);
      expect(readFileSync(join(cloneDir, ".rewind/config.toml"), "utf8")).toMatch(/^prefix = "slu"$/m);
      const made = await clone.rwOk(["create", "From the clone"], { cwd: cloneDir });
      expect(made).toMatch(/^slu-/);
    } finally {
      clone.cleanup();
      spawnSync("rm", ["-rf", cloneDir]);
    }
  });

  it("saving the still-open editor buffer of a renamed new file edits that task, no second task", async () => {
    const { r } = await withMirror();
    daemon = await startDaemon(r);
    const buffer = "---\ntitle: New locale\npriority: 1\n---\nAdd de-CH.\n";
    writeFileSync(mirrorFile(r, "tasks/new-locale.md"), buffer);
    const line = await daemon.waitLine(/renamed .rewind\/tasks\/new-locale.md -> /);
    const newId = /tasks\/([^/]+)\.md$/.exec(line)![1]!;
    await waitLong(() => !existsSync(mirrorFile(r, "tasks/new-locale.md")), { what: "the rename" });
    // The editor saves its buffer again under the old name: same content…
    editorSave(mirrorFile(r, "tasks/new-locale.md"), buffer);
    await waitLong(() => !existsSync(mirrorFile(r, "tasks/new-locale.md")), { what: "the re-saved old name folded into the task" });
    // …then with a changed title.
    editorSave(mirrorFile(r, "tasks/new-locale.md"), buffer.replace("New locale", "New locale de-CH"));
    await waitLong(async () => (JSON.parse(await r.rwOk(["show", newId, "--json"])) as { task: { title: string; status: string } }).task.title === "New locale de-CH", { what: "the title edit on the task" });
    const tasks = (JSON.parse(await r.rwOk(["list", "--json", "--all"])) as { tasks: Array<{ title: string }> }).tasks;
    expect(tasks.filter((t) => t.title.startsWith("New locale"))).toHaveLength(1);
  });
});
