import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { RW_BIN, baseEnv, makeRepo, type TempRepo } from "../helpers/repo.ts";
import { expectDoctorOk, rwFails, rwJson } from "../helpers/rw.ts";

let repo: TempRepo;
afterEach(() => repo?.cleanup());

interface TaskJson { id: string; title: string; status: string; priority: number; type: string; labels: string[]; deps: string[]; body: string; assignee?: string; parent?: string; notes: Array<{ actor: string; text: string }> }

describe("task commands on a real repository", () => {
  it("create with every option, then show and list (text and --json)", async () => {
    repo = makeRepo({ init: true, config: '[ids]\nprefix = "rw"\n' });
    const dep = await repo.rwOk(["create", "Design the API"]);
    expect(dep).toMatch(/^rw-[0-9a-z]{4}$/);
    writeFileSync(join(repo.dir, "f.md"), "POST /login returns a token.\n\n## Acceptance criteria\n- [ ] 200 on success\n");
    const created = await rwJson<{ id: string; commit: string; events: Array<{ type: string; task: string }> }>(repo, [
      "create", "Add login endpoint", "-p", "1", "--type", "feature", "--label", "api", "--label", "auth,web", "--dep", dep, "--parent", dep,
      "--gate", "npm test -- auth", "--body-file", "f.md",
    ]);
    const id = created.id;
    expect(created.events).toEqual([{ id: expect.any(String) as string, type: "task.created", task: id }]);
    expect(created.commit).toBe(repo.git(["rev-parse", "rewind"]).trim());

    const shown = await rwJson<{ task: TaskJson; ready: boolean; reasons: string[] }>(repo, ["show", id]);
    expect(shown.task).toMatchObject({ id, title: "Add login endpoint", status: "open", priority: 1, type: "feature", labels: ["api", "auth", "web"], deps: [dep], parent: dep, body: "POST /login returns a token.\n\n## Acceptance criteria\n- [ ] 200 on success\n" });
    expect(shown.ready).toBe(false);
    expect(shown.reasons).toEqual([`waits on ${dep} (open)`]);

    const text = await repo.rwOk(["show", id]);
    expect(text).toContain(`id: ${id}\ntitle: Add login endpoint\nstatus: open\npriority: 1\ntype: feature\nlabels: [api, auth, web]\ndeps: [${dep}]\nparent: ${dep}\n`);
    expect(text).toContain("## Acceptance criteria\n- [ ] 200 on success");
    expect(text).toContain(`ready: no (waits on ${dep} (open))`);
    // The file on the ref is exactly what show printed first.
    expect(text.startsWith(repo.git(["show", `rewind:tasks/${id}.md`]).trimEnd())).toBe(true);

    const listed = await rwJson<{ count: number; tasks: Array<Omit<TaskJson, "body" | "notes">> }>(repo, ["list"]);
    expect(listed.count).toBe(2);
    expect(listed.tasks.map((t) => t.id)).toEqual([id, dep]); // by priority
    expect(listed.tasks[0]).not.toHaveProperty("body");
    expect((await rwJson<{ count: number }>(repo, ["list", "--label", "auth"])).count).toBe(1);
    expect((await rwJson<{ count: number }>(repo, ["list", "--label", "auth", "--label", "nope"])).count).toBe(0);
    expect(await repo.rwOk(["list", "--label", "nope"])).toBe("no tasks match");
    await rwFails(repo, ["list", "--status", "doing"], 2, /unknown status "doing"/);
    await expectDoctorOk(repo);
  });

  it("takes the body from --body-file -, from a shell pipe and from --body", async () => {
    repo = makeRepo({ init: true });
    const viaDash = await repo.rwOk(["create", "dash", "--body-file", "-"], { input: "from stdin\n" });
    const viaBody = await repo.rwOk(["create", "inline", "--body", "# Inline"]);
    const sh = spawnSync("sh", ["-c", `printf '## Acceptance criteria\\n- [ ] piped\\n' | "${process.execPath}" "${RW_BIN}" create "piped"`], { cwd: repo.dir, env: baseEnv(), encoding: "utf8" });
    expect(sh.status, sh.stderr).toBe(0);
    const viaPipe = sh.stdout.trim();
    const body = async (id: string): Promise<string> => (await rwJson<{ task: TaskJson }>(repo, ["show", id])).task.body;
    expect(await body(viaDash)).toBe("from stdin\n");
    expect(await body(viaBody)).toBe("# Inline\n");
    expect(await body(viaPipe)).toBe("## Acceptance criteria\n- [ ] piped\n");
    expect(repo.git(["show", `rewind:tasks/${viaPipe}.md`])).toMatch(/\n---\n## Acceptance criteria\n- \[ \] piped\n$/);
    await rwFails(repo, ["create", "x", "--body-file", "missing.md"], 2, /cannot read --body-file missing\.md: ENOENT/);
    await rwFails(repo, ["create", "x", "--body", "a", "--body-file", "f"], 2, /--body or --body-file, not both/);
    await expectDoctorOk(repo);
  });

  it("edit changes only the named fields; history shows them with previous values", async () => {
    repo = makeRepo({ init: true });
    const id = await repo.rwOk(["create", "Old title", "--label", "a"]);
    const other = await repo.rwOk(["create", "Parent"]);
    const edited = await rwJson<{ id: string; changed: number }>(repo, ["edit", id, "--title", "New title", "-p", "0", "--add-label", "b", "--remove-label", "a", "--parent", other, "--body", "New body"], { actor: "editor" });
    expect(edited).toMatchObject({ id, changed: 1 });
    const t = (await rwJson<{ task: TaskJson }>(repo, ["show", id])).task;
    expect(t).toMatchObject({ title: "New title", priority: 0, labels: ["b"], parent: other, body: "New body\n", type: "task" });
    expect(await repo.rwOk(["edit", id, "--title", "New title"])).toBe(`${id}: nothing changed`);
    await rwFails(repo, ["edit", id], 2, /nothing to change/);
    await rwFails(repo, ["edit", id, "-p", "9"], 2, /priority must be a whole number from 0/);
    await rwFails(repo, ["edit", id, "-p", "high"], 2, /--priority must be a whole number/);
    await rwFails(repo, ["edit", id, "--status", "doing"], 2, /unknown status "doing"/);
    await rwFails(repo, ["edit", "rw-nope", "--title", "x"], 4, /task rw-nope not found/);
    const history = await repo.rwOk(["history", id]);
    expect(history).toMatch(/task\.created/);
    expect(history).toMatch(/editor\s+task\.edited\s+[0-9a-f]{8}\s+title: "Old title" -> New title, priority: 2 -> 0/);
    const hjson = await rwJson<{ id: string; events: Array<{ type: string; actor: string; data: Record<string, unknown> }> }>(repo, ["history", id]);
    expect(hjson.events.map((e) => e.type)).toEqual(["task.created", "task.edited"]);
    expect(hjson.events[1]!.data.prev).toMatchObject({ title: "Old title", priority: 2, labels: ["a"] });
    await expectDoctorOk(repo);
  });

  it("dep add/rm: a cycle and a missing task are refused and change nothing", async () => {
    repo = makeRepo({ init: true });
    const a = await repo.rwOk(["create", "A"]);
    const b = await repo.rwOk(["create", "B", "--dep", a]);
    const c = await repo.rwOk(["create", "C"]);
    expect(await repo.rwOk(["dep", "add", c, b])).toBe(`${c} now depends on: ${b}`);
    const tip = repo.git(["rev-parse", "rewind"]);
    const cyc = await rwFails(repo, ["dep", "add", a, c], 2, `that dependency would make a cycle: ${a} -> ${c} -> ${b} -> ${a}`);
    expect(cyc.stderr).toContain("hint: remove one of the dependencies");
    await rwFails(repo, ["dep", "add", a, a], 2, /cannot depend on itself/);
    await rwFails(repo, ["dep", "add", a, "rw-zzzz"], 4, /task rw-zzzz not found/);
    await rwFails(repo, ["create", "D", "--dep", "rw-zzzz"], 4, /task rw-zzzz not found/);
    await rwFails(repo, ["dep", "add", a, "../../etc/passwd"], 2, /invalid dependency ID "..\/..\/etc\/passwd"/);
    const err = await rwJson<{ error: { code: string; data: { cycle: string[] } } }>(repo, ["dep", "add", a, c], { code: 2 });
    expect(err.error.code).toBe("cycle");
    expect(err.error.data.cycle).toEqual([a, c, b, a]);
    expect(repo.git(["rev-parse", "rewind"]), "refusals commit nothing").toBe(tip);
    expect(await repo.rwOk(["dep", "rm", c, b])).toBe(`${c} now depends on: nothing`);
    await rwFails(repo, ["dep", "rm", c, b], 2, `${c} does not depend on ${b}`);
    await rwFails(repo, ["dep", "frob", a, b], 2, /unknown sub-command|needs a sub-command/);
    await expectDoctorOk(repo);
  });

  it("note, block, unblock, cancel, reopen", async () => {
    repo = makeRepo({ init: true });
    const id = await repo.rwOk(["create", "Ship it"]);
    expect(await repo.rwOk(["note", id, "token expiry is 15 minutes"], { actor: "ann" })).toBe(`noted on ${id}`);
    await rwFails(repo, ["block", id], 2, /--reason must not be empty/);
    expect(await rwJson(repo, ["block", id, "--reason", "waiting for keys"])).toMatchObject({ id, status: "blocked" });
    expect(repo.git(["show", `rewind:tasks/${id}.md`])).toContain('blocked_reason: "waiting for keys"');
    await rwFails(repo, ["claim", id], 3, /blocked: waiting for keys/);
    await rwFails(repo, ["block", id, "--reason", "again"], 3, /cannot block .*: it is blocked/);
    expect(await repo.rwOk(["unblock", id])).toBe(`${id} is now open`);
    expect(await repo.rwOk(["cancel", id, "--reason", "superseded"])).toBe(`${id} is now cancelled`);
    expect((await rwJson<{ count: number }>(repo, ["list"])).count).toBe(0);
    expect((await rwJson<{ count: number }>(repo, ["list", "--all"])).count).toBe(1);
    await rwFails(repo, ["cancel", id], 3, /already cancelled/);
    expect(await repo.rwOk(["reopen", id])).toBe(`${id} is now open`);
    await rwFails(repo, ["reopen", id], 3, /it is open, not done or cancelled/);
    const shown = await rwJson<{ task: TaskJson }>(repo, ["show", id]);
    expect(shown.task.notes).toEqual([{ ts: expect.any(String) as string, actor: "ann", text: "token expiry is 15 minutes" }]);
    expect(await repo.rwOk(["show", id])).toMatch(/Notes:\n {2}\S+ {2}ann: token expiry is 15 minutes/);
    const types = (await rwJson<{ events: Array<{ type: string }> }>(repo, ["history", id])).events.map((e) => e.type);
    expect(types).toEqual(["task.created", "task.noted", "task.blocked", "task.unblocked", "task.cancelled", "task.reopened"]);
    await expectDoctorOk(repo);
  });

  it("exit codes: unknown ID 4, bad option 2, invalid ID 2, unknown command 2, JSON errors carry v:1", async () => {
    repo = makeRepo({ init: true });
    await rwFails(repo, ["show", "rw-nope"], 4, /task rw-nope not found/);
    const nf = await rwJson<{ error: { code: string; message: string; hint: string } }>(repo, ["show", "rw-nope"], { code: 4 });
    expect(nf.error).toMatchObject({ code: "not_found", message: "task rw-nope not found" });
    await rwFails(repo, ["show", "../x"], 2, /invalid task ID "..\/x"/);
    await rwFails(repo, ["list", "--bogus"], 2, /unknown option --bogus for rw list/);
    await rwFails(repo, ["create"], 2, /title|Missing required/i);
    await rwFails(repo, ["frobnicate"], 2, /unknown command "frobnicate"/);
    await rwFails(repo, ["create", "x", "--id", "a/b"], 2, /invalid task ID "a\/b"/);
    await rwFails(repo, ["ready", "--limit", "lots"], 2, /--limit must be a whole number/);
    const help = await repo.rwOk(["create", "--help"]);
    expect(help).toContain("Examples:");
    expect(await repo.rwOk(["--help"])).toContain("Exit codes: 0 ok, 1 error, 2 usage or invalid input, 3 refused by the state (not claimable, lost a race), 4 not found.");
    await expectDoctorOk(repo);
  });
});
