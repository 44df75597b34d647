import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makeRepo, runRw, type TempRepo } from "../helpers/repo.ts";
import { expectDoctorOk, rwFails, rwJson } from "../helpers/rw.ts";

let repo: TempRepo;
const extraDirs: string[] = [];
afterEach(() => {
  repo?.cleanup();
  for (const d of extraDirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("rw in different kinds of repositories", () => {
  it("rw init creates the orphan ref and .rewind/, and running it again changes nothing", async () => {
    repo = makeRepo();
    const first = await repo.rw(["init"]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^created refs\/heads\/rewind \(orphan branch with README\.md\) at [0-9a-f]{10}\nwrote \.rewind\/config\.toml\nwrote \.rewind\/\.gitignore\n/);
    const tip = repo.git(["rev-parse", "refs/heads/rewind"]).trim();
    expect(repo.git(["rev-list", "--parents", "rewind"]).trim()).toBe(tip); // orphan: no parent
    expect(repo.git(["ls-tree", "--name-only", "rewind"]).trim()).toBe("BOARD.md\nLAYOUT\nREADME.md\nSTATE.md");
    const config = readFileSync(join(repo.dir, ".rewind", "config.toml"), "utf8");
    expect(config).toContain("version = 1");
    expect(config).toMatch(/# lease = "30m"/);
    expect(readFileSync(join(repo.dir, ".rewind", ".gitignore"), "utf8")).toContain("tasks/");
    const again = await rwJson<{ ref_created: boolean; tip: string; files_written: string[]; files_kept: string[] }>(repo, ["init"]);
    expect(again).toEqual({ v: 1, ref: "refs/heads/rewind", ref_created: false, tip, files_written: [], files_kept: [".rewind/config.toml", ".rewind/.gitignore"] });
    expect(readFileSync(join(repo.dir, ".rewind", "config.toml"), "utf8")).toBe(config);
    expect(repo.git(["rev-parse", "rewind"]).trim()).toBe(tip);
    // The user's branch and index are untouched.
    expect(repo.git(["rev-parse", "--abbrev-ref", "HEAD"]).trim()).toBe("main");
    expect(repo.git(["log", "--format=%s", "main"]).trim()).toBe("initial");
    await expectDoctorOk(repo);
  });

  it("outside a git repository: a clear error, exit 1", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rw-nogit-"));
    extraDirs.push(dir);
    for (const args of [["init"], ["ready"], ["create", "x"]]) {
      const r = await runRw(args, { cwd: dir, env: { GIT_CEILING_DIRECTORIES: tmpdir() } });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`rw: not a git repository: ${dir}`);
      expect(r.stderr).toContain("hint: run rw inside a git repository, or `git init` one first");
    }
    expect(existsSync(join(dir, ".rewind"))).toBe(false);
  });

  it("before rw init: reading commands say to run rw init", async () => {
    repo = makeRepo();
    await rwFails(repo, ["ready"], 1, /rw is not initialised in this repository \(no refs\/heads\/rewind\)/);
    await rwFails(repo, ["create", "x"], 1, /hint: run `rw init`/);
  });

  it("works in a fresh git init with no commits, leaving HEAD unborn", async () => {
    repo = makeRepo({ commit: false });
    await repo.rwOk(["init"]);
    const id = await repo.rwOk(["create", "First task"]);
    await repo.rwOk(["claim", id], { actor: "a" });
    await repo.rwOk(["done", id], { actor: "a" });
    expect(repo.git(["show", `rewind:tasks/${id}.md`])).toContain("status: done");
    expect(() => repo.git(["rev-parse", "--verify", "-q", "HEAD"])).toThrow();
    expect(repo.git(["status", "--porcelain", "--untracked-files=no"]).trim()).toBe("");
    await expectDoctorOk(repo);
  });

  it("a linked worktree sees and writes the same state", async () => {
    repo = makeRepo();
    await repo.rwOk(["init"]);
    const id = await repo.rwOk(["create", "Shared task"]);
    const wt = mkdtempSync(join(tmpdir(), "rw-wt-"));
    extraDirs.push(wt);
    repo.git(["worktree", "add", "-q", "-b", "feature", join(wt, "tree")]);
    const tree = join(wt, "tree");
    const inWt = await rwJson<{ tasks: Array<{ id: string }> }>(repo, ["ready"], { cwd: tree });
    expect(inWt.tasks.map((t) => t.id)).toEqual([id]);
    await repo.rwOk(["claim", id], { actor: "wt-agent", cwd: tree });
    const created = await repo.rwOk(["create", "Made in the worktree"], { cwd: tree });
    const fromMain = await rwJson<{ task: { status: string; assignee: string } }>(repo, ["show", id]);
    expect(fromMain.task).toMatchObject({ status: "in_progress", assignee: "wt-agent" });
    expect((await rwJson<{ tasks: Array<{ id: string }> }>(repo, ["list"])).tasks.map((t) => t.id)).toContain(created);
    await rwFails(repo, ["claim", id], 3, /held by wt-agent/, { actor: "main-agent" });
    // One ref in the common git dir; no second ref or .rewind/ in the worktree.
    expect(existsSync(join(tree, ".rewind"))).toBe(false);
    expect(repo.git(["rev-parse", "rewind"], tree)).toBe(repo.git(["rev-parse", "rewind"]));
    expect(repo.git(["rev-parse", "--abbrev-ref", "HEAD"], tree).trim()).toBe("feature");
    await expectDoctorOk(repo, tree);
    await expectDoctorOk(repo);
  });

  it("the actor: --actor over RW_ACTOR over git user.name, and it authors the commit", async () => {
    repo = makeRepo();
    await repo.rwOk(["init"]);
    await repo.rwOk(["create", "by git user"]);
    await repo.rwOk(["create", "by env"], { actor: "env-agent" });
    await repo.rwOk(["create", "by flag", "--actor", "flag-agent"], { actor: "env-agent" });
    const log = repo.git(["log", "--format=%an|%ae|%cn|%s", "rewind"]).trim().split("\n");
    expect(log.slice(0, 3)).toEqual([
      expect.stringMatching(/^flag-agent\|flag-agent@rw\.invalid\|flag-agent\|create \S+: by flag$/) as string,
      expect.stringMatching(/^env-agent\|env-agent@rw\.invalid\|env-agent\|create \S+: by env$/) as string,
      expect.stringMatching(/^Test User\|test@example\.com\|Test User\|create \S+: by git user$/) as string,
    ]);
    expect(repo.git(["log", "--format=%s", "--author=env-agent", "rewind"]).trim()).toMatch(/by env$/);
    const events = repo.git(["show", "rewind:events/" + repo.git(["ls-tree", "--name-only", "rewind:events"]).trim()]).trim().split("\n").map((l) => JSON.parse(l) as { actor: string });
    expect(events.map((e) => e.actor)).toEqual(["Test User", "env-agent", "flag-agent"]);
    repo.git(["config", "--unset", "user.name"]);
    await rwFails(repo, ["create", "nobody"], 2, /no actor: rw does not know who is acting/, { env: { GIT_CONFIG_GLOBAL: "/dev/null" } });
    await rwFails(repo, ["create", "bad", "--actor", "Eve <eve@x>"], 2, /invalid actor name/);
    await expectDoctorOk(repo);
  });

  it("git log rewind is the audit trail: one commit per command, summary, trailers; git show gives the task", async () => {
    repo = makeRepo();
    await repo.rwOk(["init"]);
    const id = await repo.rwOk(["create", "Add login endpoint", "-p", "1"], { actor: "pm" });
    const claim = await rwJson<{ events: Array<{ id: string; type: string }> }>(repo, ["claim", id], { actor: "agent-2" });
    await repo.rwOk(["note", id, "halfway"], { actor: "agent-2" });
    await repo.rwOk(["done", id], { actor: "agent-2" });
    await rwFails(repo, ["done", id], 3, /already done/, { actor: "agent-2" }); // refused: no commit
    const count = Number(repo.git(["rev-list", "--count", "rewind"]).trim());
    expect(count).toBe(5); // init + 4 commands
    const subjects = repo.git(["log", "--reverse", "--format=%s", "rewind"]).trim().split("\n");
    expect(subjects).toEqual(["init rw state", `create ${id}: Add login endpoint`, `claim ${id}: Add login endpoint`, `note ${id}: Add login endpoint`, `done ${id}: Add login endpoint`]);
    const claimMsg = repo.git(["log", "-1", "--skip=2", "--format=%B", "rewind"]);
    expect(claimMsg).toBe(`claim ${id}: Add login endpoint\n\nRewind-Event: ${claim.events[0]!.id} task.claimed\nRewind-Actor: agent-2\n\n`);
    const trailers = repo.git(["log", "-1", "--skip=2", "--format=%(trailers:key=Rewind-Event,valueonly)%(trailers:key=Rewind-Actor,valueonly)", "rewind"]).trim();
    expect(trailers).toBe(`${claim.events[0]!.id} task.claimed\nagent-2`);
    // Commit time is the event time.
    const evTs = (await rwJson<{ events: Array<{ ts: string; type: string }> }>(repo, ["history", id])).events.find((e) => e.type === "task.claimed")!.ts;
    expect(Date.parse(repo.git(["log", "-1", "--skip=2", "--format=%aI", "rewind"]).trim())).toBe(Math.floor(Date.parse(evTs) / 1000) * 1000);
    expect(repo.git(["log", "--format=%s", "rewind", "--", `tasks/${id}.md`]).trim().split("\n")).toHaveLength(4);
    const file = repo.git(["show", `rewind:tasks/${id}.md`]);
    expect(file).toMatch(new RegExp(`^---\\nid: ${id}\\ntitle: Add login endpoint\\nstatus: done\\npriority: 1\\ntype: task\\nassignee: agent-2\\ncreated_at: \\S+\\nupdated_at: \\S+\\n---\\n$`));
    const history = await repo.rwOk(["history", id]);
    expect(history.split("\n").map((l) => l.split(/\s+/).slice(1, 3).join(" "))).toEqual(["pm task.created", "agent-2 task.claimed", "agent-2 task.noted", "agent-2 task.completed"]);
    await expectDoctorOk(repo);
  });
});
