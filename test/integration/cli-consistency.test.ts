import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makeRepo, type TempRepo } from "../helpers/repo.ts";
import { rwFails, rwJson } from "../helpers/rw.ts";

// Issue 16's CLI consistency items, through the built rw: list filters and sorts, `-a`,
// relative --defer, count/total, dep tree, PROBLEMS.md mentioned, no invented blocked_reason.
let repo: TempRepo | undefined;
afterEach(() => {
  repo?.cleanup();
  repo = undefined;
});

interface ListJson { count: number; total: number; tasks: Array<{ id: string; priority: number; parent?: string }>; problems?: number }

describe("list, ready and friends say the same thing the same way", { timeout: 240_000 }, () => {
  it("rw list --priority, --parent, --limit, --sort; -a is --all; count is what was returned", async () => {
    repo = makeRepo();
    const r = repo;
    await r.rwOk(["init"]);
    const epic = await r.rwOk(["create", "Epic", "-p", "1"]);
    const c1 = await r.rwOk(["create", "Child one", "-p", "3", "--parent", epic]);
    const c2 = await r.rwOk(["create", "Child two", "-p", "0", "--parent", epic]);
    const loose = await r.rwOk(["create", "Loose", "-p", "2"]);
    await r.rwOk(["claim", loose], { actor: "agent-1" });
    await r.rwOk(["done", loose], { actor: "agent-1" });

    const urgent = await rwJson<ListJson>(r, ["list", "--priority", "0-1"]);
    expect(urgent.tasks.map((t) => t.id)).toEqual([c2, epic]);
    const children = await rwJson<ListJson>(r, ["list", "--parent", epic.split("-")[1]!]);
    expect(children.tasks.map((t) => t.id)).toEqual([c2, c1]);
    const oldest = await rwJson<ListJson>(r, ["list", "--sort", "age", "--limit", "2"]);
    expect(oldest).toMatchObject({ count: 2, total: 3 });
    expect(oldest.tasks.map((t) => t.id)).toEqual([epic, c1]);
    await r.rwOk(["edit", c1, "--title", "Child one, renamed"]);
    expect((await rwJson<ListJson>(r, ["list", "--sort", "updated", "-n", "1"])).tasks[0]!.id).toBe(c1);
    expect(await r.rwOk(["list", "--limit", "1"])).toMatch(/… and 2 more$/);

    // -a is --all in every command that has it; the assignee/actor filters are long-only.
    expect((await rwJson<ListJson>(r, ["list", "-a"])).total).toBe(4);
    expect((await rwJson<ListJson>(r, ["search", "Loose", "-a"])).total).toBe(1);
    await rwFails(r, ["list", "-a", "agent-1"], 2, "takes no arguments");
    expect((await rwJson<ListJson>(r, ["list", "--all", "--assignee", "agent-1"])).tasks.map((t) => t.id)).toEqual([loose]);

    await rwFails(r, ["list", "--priority", "5"], 2, "--priority must be 0-4 or a range like 0-1");
    await rwFails(r, ["list", "--sort", "agee"], 2, 'unknown sort "agee"; did you mean age?');
    await rwFails(r, ["list", "--limit", "0"], 2, "--limit must be at least 1");
    await rwFails(r, ["list", "--parent", "nope-zzzz"], 4, "task nope-zzzz not found");

    // The log and decisions: count is what was returned, total what matched.
    const log = await rwJson<{ count: number; total: number; events: unknown[] }>(r, ["log", "-n", "2"]);
    expect(log.count).toBe(2);
    expect(log.events).toHaveLength(2);
    expect(log.total).toBeGreaterThan(5);
    await r.rwOk(["decide", "Use JWT"]);
    await r.rwOk(["decide", "Cap at 50"]);
    expect(await rwJson(r, ["decisions", "-n", "1"])).toMatchObject({ count: 1, total: 2 });

    // ready: filters, count/total, and --explain in ready order (the order claim --next takes).
    const ready = await rwJson<ListJson>(r, ["ready", "--limit", "1"]);
    expect(ready).toMatchObject({ count: 1, total: 3, tasks: [{ id: c2 }] });
    expect((await rwJson<ListJson>(r, ["ready", "--parent", epic])).tasks.map((t) => t.id)).toEqual([c2, c1]);
    const explained = await rwJson<{ count: number; total: number; tasks: Array<{ id: string; ready: boolean }> }>(r, ["ready", "--explain"]);
    const readyOrder = (await rwJson<ListJson>(r, ["ready"])).tasks.map((t) => t.id);
    expect(explained.tasks.filter((t) => t.ready).map((t) => t.id)).toEqual(readyOrder);
    expect(explained).toMatchObject({ count: 3, total: 3 });
  });

  it("--defer takes a duration like --since; history and log print one timestamp format", async () => {
    repo = makeRepo();
    const r = repo;
    await r.rwOk(["init"]);
    const before = Date.now();
    const later = await r.rwOk(["create", "Later", "--defer", "3d"]);
    const shown = await rwJson<{ task: { defer_until: string } }>(r, ["show", later]);
    const deferred = Date.parse(shown.task.defer_until) - before;
    expect(deferred).toBeGreaterThanOrEqual(3 * 86_400_000 - 1000);
    expect(deferred).toBeLessThan(3 * 86_400_000 + 120_000);
    expect(await r.rwOk(["ready"])).toContain("nothing is ready");
    await r.rwOk(["edit", later, "--defer", "12h"]);
    const edited = await rwJson<{ task: { defer_until: string } }>(r, ["show", later]);
    expect(Date.parse(edited.task.defer_until) - Date.now()).toBeLessThan(12 * 3_600_000 + 1000);
    await r.rwOk(["edit", later, "--defer", ""]);
    expect(await r.rwOk(["ready"])).toContain(later);
    await rwFails(r, ["create", "Bad", "--defer", "3x"], 2, /defer_until is not a date|invalid --defer/);

    const stamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z {2}/;
    const history = (await r.rwOk(["history", later])).split("\n");
    const log = (await r.rwOk(["log", "--task", later])).split("\n");
    for (const line of [...history, ...log]) expect(line).toMatch(stamp);
  });

  it("rw dep tree shows both directions; cycles and missing tasks never loop", async () => {
    repo = makeRepo();
    const r = repo;
    await r.rwOk(["init"]);
    const db = await r.rwOk(["create", "Set up the database"]);
    const api = await r.rwOk(["create", "Build the API", "--dep", db]);
    const ui = await r.rwOk(["create", "Build the UI", "--dep", api]);
    const docs = await r.rwOk(["create", "Write docs", "--dep", api, "--dep", db]);
    await r.rwOk(["claim", db], { actor: "agent-1" });
    await r.rwOk(["done", db], { actor: "agent-1" });
    const text = await r.rwOk(["dep", "tree", api]);
    expect(text.split("\n")).toEqual([
      `${api}  Build the API  (open)`,
      "waits on:",
      `  └─ ${db}  Set up the database  (done)`,
      "waited on by:",
      `  ├─ ${ui}  Build the UI  (open)`,
      `  └─ ${docs}  Write docs  (open)`,
    ]);
    const json = await rwJson<{ task: { id: string }; waits_on: unknown[]; waited_on_by: Array<{ id: string; children: unknown[] }> }>(r, ["dep", "tree", db]);
    expect(json.task.id).toBe(db);
    expect(json.waits_on).toEqual([]);
    // docs waits on db directly and through api: shown twice, expanded once.
    expect(json.waited_on_by.map((n) => n.id)).toEqual([api, docs]);
    expect(await r.rwOk(["dep", "tree", db, "--up", "--depth", "1"])).not.toContain(ui);
    await rwFails(r, ["dep", "tree", "nope-zzzz"], 4, "task nope-zzzz not found");
  });

  it("mirror: a status set by hand invents no blocked_reason; list and ready mention PROBLEMS.md", async () => {
    repo = makeRepo();
    const r = repo;
    await r.rwOk(["init"]);
    const id = await r.rwOk(["create", "Hand edited"]);
    mkdirSync(join(r.dir, ".rewind/tasks")); // the mirror is on while its folder exists
    await r.rwOk(["list"]);
    const file = join(r.dir, `.rewind/tasks/${id}.md`);
    writeFileSync(file, readFileSync(file, "utf8").replace("status: open", "status: blocked"));
    const shown = await rwJson<{ task: { status: string; blocked_reason?: string } }>(r, ["show", id]);
    expect(shown.task.status).toBe("blocked");
    expect(shown.task.blocked_reason).toBeUndefined();
    expect(r.git(["show", `rewind:tasks/${id}.md`])).not.toContain("blocked_reason");
    expect(await r.rwOk(["blocked"])).toContain("blocked: no reason given");

    writeFileSync(join(r.dir, ".rewind/tasks/broken.md"), "---\ntitle: [unclosed\n---\n");
    const listed = await r.rw(["list"]);
    expect(listed.code).toBe(0);
    expect(listed.stderr).toContain("rw: 1 problem in .rewind/PROBLEMS.md");
    const json = await r.rw(["ready", "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ v: 1, problems: 1 });
    expect(json.stderr).toContain(".rewind/PROBLEMS.md");
  });
});
