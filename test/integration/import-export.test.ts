import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makeRepo, type TempRepo } from "../helpers/repo.ts";

const FIX = resolve(import.meta.dirname, "../fixtures");
const repos: TempRepo[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});

async function fresh(): Promise<TempRepo> {
  const repo = makeRepo();
  repos.push(repo);
  await repo.rwOk(["init"]);
  return repo;
}

const tip = (repo: TempRepo): string => repo.git(["rev-parse", "rewind"]).trim();
type Listed = { tasks: Array<{ id: string; status: string; deps: string[]; parent?: string; initiative?: string }> };
const listAll = async (repo: TempRepo): Promise<Listed["tasks"]> => (JSON.parse(await repo.rwOk(["list", "--all", "--json"])) as Listed).tasks;

describe("rw import", () => {
  it.each([
    ["beads", join(FIX, "beads"), 7, { "bd-e5f6": "in_progress", "bd-c3d4": "done", "bd-m3n4": "blocked" }],
    ["taskmaster", join(FIX, "taskmaster/.taskmaster/tasks/tasks.json"), 10, { "2.2": "open", "4": "cancelled", "ui-redesign-2": "blocked" }],
    ["backlog.md", join(FIX, "backlog/backlog"), 4, { "task-0": "done", "task-1": "in_progress", "task-2": "open" }],
    ["prd", join(FIX, "ralph/prd.json"), 3, { "US-001": "done", "US-002": "open" }],
  ])("imports %s in one commit that rw doctor accepts", async (kind, path, count, statuses) => {
    const repo = await fresh();
    const before = tip(repo);
    const out = JSON.parse(await repo.rwOk(["import", path, "--json"], { actor: "importer" })) as { kind: string; created: string[]; commit: string };
    expect(out.kind).toBe(kind);
    expect(out.created).toHaveLength(count);
    expect(repo.git(["rev-list", "--count", `${before}..rewind`]).trim()).toBe("1");
    expect(repo.git(["log", "-1", "--format=%an %s", "rewind"]).trim()).toMatch(/^importer import \d+ tasks? from /);
    const tasks = await listAll(repo);
    for (const [id, status] of Object.entries(statuses)) expect(tasks.find((t) => t.id === id)?.status).toBe(status);
    await repo.rwOk(["doctor"]);
  });

  it("reports what it would map and drop with --dry-run, and writes nothing", async () => {
    const repo = await fresh();
    const before = tip(repo);
    const text = await repo.rwOk(["import", join(FIX, "beads/.beads/issues.jsonl"), "--dry-run"]);
    expect(text).toContain("would import 7 tasks from beads");
    expect(text).toContain("dropped: bd-p5q6: tombstone (deleted in beads) skipped");
    expect(tip(repo)).toBe(before);
  });

  it("refuses an import whose IDs exist, naming them, and writes nothing", async () => {
    const repo = await fresh();
    await repo.rwOk(["import", join(FIX, "beads")]);
    const before = tip(repo);
    const again = await repo.rw(["import", join(FIX, "beads")]);
    expect(again.code).toBe(3);
    expect(again.stderr).toContain("7 of the imported IDs already exist here");
    expect(tip(repo)).toBe(before);
  });

  it("names the file and line of a broken source", async () => {
    const repo = await fresh();
    const file = join(repo.dir, "issues.jsonl");
    writeFileSync(file, '{"id":"bd-1","title":"ok"}\n{"id": \n');
    const r = await repo.rw(["import", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("issues.jsonl line 2 is not valid JSON");
  });

  it("keeps a prd.json's stories waiting until its initiative's phase is approved", async () => {
    const repo = await fresh();
    const out = JSON.parse(await repo.rwOk(["import", join(FIX, "ralph/prd.json"), "--json"])) as { initiatives: string[] };
    const initiative = out.initiatives[0]!;
    expect((await listAll(repo)).every((t) => t.initiative === initiative)).toBe(true);
    expect(await repo.rwOk(["ready"])).toContain("nothing is ready");
    await repo.rwOk(["initiative", "approve", initiative, "--phase", "1"]);
    expect(await repo.rwOk(["ready"])).toMatch(/^US-002 /);
  });
});

describe("rw export", () => {
  it("round-trips losslessly through rw's JSON export", async () => {
    const a = await fresh();
    await a.rwOk(["import", join(FIX, "beads")]);
    await a.rwOk(["import", join(FIX, "ralph/prd.json")]);
    await a.rwOk(["note", "bd-a1b2", "split into two epics?"], { actor: "carol" });
    await a.rwOk(["claim", "bd-k1l2"], { actor: "agent-5" });
    await a.rwOk(["fail", "bd-k1l2", "--reason", "cannot reproduce"], { actor: "agent-5" });
    const first = await a.rwOk(["export", "--format", "json"]);
    const file = join(a.dir, "export.json");
    writeFileSync(file, first);
    const b = await fresh();
    await b.rwOk(["import", file]);
    const second = await b.rwOk(["export"]);
    expect(second).toBe(first);
    expect(first).toContain('"actor": "carol"');
    await b.rwOk(["doctor"]);
  });

  it("writes beads JSONL that imports back with the same statuses, deps and parents", async () => {
    const a = await fresh();
    await a.rwOk(["import", join(FIX, "taskmaster")]);
    const out = join(a.dir, "issues.jsonl");
    await a.rwOk(["export", "--format", "beads", "--out", out]);
    const b = await fresh();
    await b.rwOk(["import", out]);
    const strip = (ts: Listed["tasks"]) => ts.map((t) => ({ id: t.id, status: t.status === "cancelled" ? "done" : t.status, deps: t.deps, parent: t.parent })).sort((x, y) => (x.id < y.id ? -1 : 1));
    expect(strip(await listAll(b))).toEqual(strip(await listAll(a)));
  });

  it("refuses an unknown format", async () => {
    const a = await fresh();
    const r = await a.rw(["export", "--format", "csv"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("use one of: json, beads, prd");
  });
});
