import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
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
    ["gh", join(FIX, "github/issues.json"), 4, { "gh-1": "done", "gh-2": "open", "gh-3": "cancelled", "gh-4": "open" }],
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
    expect(text).toContain("would import 7 tasks of 8 items from beads");
    expect(text).toContain("tombstone (1):\n  bd-p5q6: deleted in beads (tombstone); not imported");
    expect(text.trim().split("\n").pop()).toMatch(/^counts: imported 7, .*tombstone 1/);
    expect(tip(repo)).toBe(before);
  });

  it("refuses an import whose IDs exist (exit 1, naming them) and writes nothing; --rename-on-clash imports them under new IDs", async () => {
    const repo = await fresh();
    await repo.rwOk(["import", join(FIX, "beads")]);
    const before = tip(repo);
    const again = await repo.rw(["import", join(FIX, "beads")]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("7 of the imported IDs already exist here: bd-a1b2, bd-c3d4");
    expect(again.stderr).toContain("--rename-on-clash");
    expect(tip(repo)).toBe(before);
    const renamed = JSON.parse(await repo.rwOk(["import", join(FIX, "beads"), "--rename-on-clash", "--json"])) as { created: string[]; counts: Record<string, number> };
    expect(renamed.created).toContain("bd-e5f6-2");
    expect(renamed.counts.renamed).toBe(7);
    const tasks = await listAll(repo);
    expect(tasks.find((t) => t.id === "bd-e5f6-2")).toMatchObject({ deps: ["bd-c3d4-2"], parent: "bd-a1b2-2" });
  });

  it("skips a broken line of a source, names it, and imports the rest; --strict refuses instead", async () => {
    const repo = await fresh();
    const file = join(repo.dir, "issues.jsonl");
    writeFileSync(file, '{"id":"bd-1","title":"ok"}\n{"id": \n');
    const strict = await repo.rw(["import", file, "--strict"]);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toContain("issues.jsonl line 2 (not valid JSON");
    const r = await repo.rwOk(["import", file]);
    expect(r).toContain("imported 1 task of 2 items");
    expect(r).toMatch(/skipped \(1\):\n {2}\S*issues.jsonl line 2: not valid JSON/);
  });

  it("warns about an empty source and writes nothing", async () => {
    const repo = await fresh();
    const before = tip(repo);
    const file = join(repo.dir, "issues.jsonl");
    writeFileSync(file, "\n");
    const r = await repo.rw(["import", file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: .*issues.jsonl holds no items: nothing imported/);
    expect(tip(repo)).toBe(before);
  });

  it("asks which source to import when a folder holds several, and takes --from", async () => {
    const repo = await fresh();
    const both = join(repo.dir, "old");
    mkdirSync(join(both, ".beads"), { recursive: true });
    mkdirSync(join(both, ".taskmaster/tasks"), { recursive: true });
    writeFileSync(join(both, ".beads/issues.jsonl"), readFileSync(join(FIX, "beads/.beads/issues.jsonl")));
    writeFileSync(join(both, ".taskmaster/tasks/tasks.json"), readFileSync(join(FIX, "taskmaster/.taskmaster/tasks/tasks.json")));
    const before = tip(repo);
    const r = await repo.rw(["import", both]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("holds several sources: beads (.beads/issues.jsonl), taskmaster (.taskmaster/tasks/tasks.json)");
    expect(r.stderr).toContain("--from beads|taskmaster");
    expect(tip(repo)).toBe(before);
    const out = JSON.parse(await repo.rwOk(["import", both, "--from", "taskmaster", "--json"])) as { kind: string };
    expect(out.kind).toBe("taskmaster");
    const bad = await repo.rw(["import", both, "--from", "beds"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("did you mean beads?");
  });

  it("does not make the importing user the claimant of in-progress items nobody held", async () => {
    const repo = await fresh();
    const out = JSON.parse(await repo.rwOk(["import", join(FIX, "taskmaster"), "--json"], { actor: "importer" })) as { notes: Array<{ kind: string; item: string }> };
    const tasks = await listAll(repo) as Array<{ id: string; status: string; assignee?: string }>;
    expect(tasks.filter((t) => t.assignee === "importer")).toEqual([]);
    expect(tasks.find((t) => t.id === "2")?.status).toBe("open");
    expect(out.notes).toContainEqual(expect.objectContaining({ kind: "defaulted", item: "2" }));
  });

  it("shows the same initiative ID in --dry-run as the import then uses", async () => {
    const repo = await fresh();
    const dry = JSON.parse(await repo.rwOk(["import", join(FIX, "ralph/prd.json"), "--dry-run", "--json"])) as { initiatives: string[] };
    const real = JSON.parse(await repo.rwOk(["import", join(FIX, "ralph/prd.json"), "--json"])) as { initiatives: string[] };
    expect(real.initiatives).toHaveLength(1);
    expect(dry.initiatives).toEqual(real.initiatives);
  });

  it("imports gh issue list --json: states, priority and type labels, milestone, comments, blocked-by and task-list deps", async () => {
    const repo = await fresh();
    const out = JSON.parse(await repo.rwOk(["import", join(FIX, "github/issues.json"), "--json"])) as { kind: string; notes: Array<{ kind: string; item?: string; text: string }> };
    expect(out.kind).toBe("gh");
    const all = (JSON.parse(await repo.rwOk(["export"])) as { tasks: Array<Record<string, unknown>> }).tasks;
    const t = Object.fromEntries(all.map((x) => [x.id as string, x]));
    expect(t["gh-1"]).toMatchObject({ status: "done", type: "bug", assignee: "ann", labels: ["milestone-v1.0"], closed_at: "2025-03-03T12:00:00.000Z", created_at: "2025-03-01T09:00:00.000Z" });
    expect(t["gh-1"]!.notes).toEqual([{ ts: "2025-03-02T10:00:00.000Z", actor: "ann", text: "The regex stops at +; fixing." }]);
    expect(t["gh-2"]).toMatchObject({ status: "open", type: "feature", priority: 1, deps: ["gh-1"], labels: ["area-auth", "milestone-v1.0"] });
    expect(t["gh-3"]).toMatchObject({ status: "cancelled" });
    expect(t["gh-4"]).toMatchObject({ priority: 0, deps: ["gh-1", "gh-2"] });
    expect(out.notes).toContainEqual({ kind: "label-rewritten", item: "gh-2", text: 'label "area:auth" -> area-auth' });
    expect(out.notes).toContainEqual(expect.objectContaining({ kind: "link-dropped", item: "gh-4", text: "dependency on gh-5 dropped (not in the source or here)" }));
    expect(out.notes).toContainEqual(expect.objectContaining({ kind: "unassigned", item: "gh-2" }));
    await repo.rwOk(["doctor"]);
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

  it("keeps every line of an acceptance-criteria section in beads and prd exports, not only the checkboxes", async () => {
    const a = await fresh();
    const src = join(a.dir, "issues.jsonl");
    const ac = "Must hold on CI:\n- [ ] p95 under 200 ms\n- cold start under 2 s\n\nMeasured with k6, see docs/perf.md";
    writeFileSync(src, `${JSON.stringify({ id: "bd-1", title: "Fast search", description: "Make it fast.", acceptance_criteria: ac, status: "open", priority: 1, issue_type: "task" })}\n`);
    await a.rwOk(["import", src]);
    const beads = join(a.dir, "out.jsonl");
    await a.rwOk(["export", "--format", "beads", "--out", beads]);
    expect(JSON.parse(readFileSync(beads, "utf8"))).toMatchObject({ description: "Make it fast.", acceptance_criteria: ac });
    const prd = JSON.parse(await a.rwOk(["export", "--format", "prd"])) as { userStories: Array<{ acceptanceCriteria: string[] }> };
    expect(prd.userStories[0]!.acceptanceCriteria).toEqual(["Must hold on CI:", "p95 under 200 ms", "cold start under 2 s", "Measured with k6, see docs/perf.md"]);
  });

  it("exports completion summaries, close reasons and times, and defer dates, so a re-import keeps them", async () => {
    const a = await fresh();
    const src = join(a.dir, "issues.jsonl");
    writeFileSync(src, [
      { id: "bd-1", title: "Done long ago", status: "closed", priority: 2, issue_type: "task", created_at: "2025-01-01T00:00:00Z", updated_at: "2025-01-05T00:00:00Z", closed_at: "2025-01-05T00:00:00Z", close_reason: "Fixed in 4f2a" },
      { id: "bd-2", title: "Later", status: "deferred", priority: 7, issue_type: "task", defer_until: "2027-01-01T00:00:00Z", created_at: "2025-01-02T00:00:00Z", updated_at: "2025-01-02T00:00:00Z" },
      { id: "bd-3", title: "Urgent", status: "open", priority: -1, issue_type: "task", created_at: "2025-01-03T00:00:00Z", updated_at: "2025-01-03T00:00:00Z" },
    ].map((i) => JSON.stringify(i)).join("\n"));
    await a.rwOk(["import", src]);
    await a.rwOk(["create", "Made here"], { actor: "carol" });
    const made = (await listAll(a)).find((t) => t.id !== "bd-1" && t.id !== "bd-2" && t.id !== "bd-3")!.id;
    await a.rwOk(["claim", made], { actor: "carol" });
    await a.rwOk(["done", made, "--summary", "shipped behind a flag"], { actor: "carol" });
    const json = JSON.parse(await a.rwOk(["export"])) as { tasks: Array<Record<string, unknown>> };
    const byId = Object.fromEntries(json.tasks.map((t) => [t.id as string, t]));
    expect(byId["bd-1"]).toMatchObject({ summary: "Fixed in 4f2a", closed_at: "2025-01-05T00:00:00.000Z" });
    expect(byId[made]).toMatchObject({ summary: "shipped behind a flag" });
    expect(byId["bd-2"]).toMatchObject({ defer_until: "2027-01-01T00:00:00.000Z", status: "blocked" });
    // -1, 2 and 7 are outside or beside 0-4: rank-mapped keeping their order.
    expect([byId["bd-3"]!.priority, byId["bd-1"]!.priority, byId["bd-2"]!.priority]).toEqual([0, 2, 4]);
    const out = join(a.dir, "out.jsonl");
    await a.rwOk(["export", "--format", "beads", "--out", out]);
    const issues = Object.fromEntries(readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>).map((i) => [i.id as string, i]));
    expect(issues["bd-1"]).toMatchObject({ status: "closed", close_reason: "Fixed in 4f2a", closed_at: "2025-01-05T00:00:00.000Z", updated_at: "2025-01-05T00:00:00.000Z", priority: 2 });
    expect(issues["bd-2"]).toMatchObject({ status: "deferred", defer_until: "2027-01-01T00:00:00.000Z", priority: 7 });
    expect(issues["bd-3"]).toMatchObject({ priority: -1 });
    expect(issues[made]).toMatchObject({ status: "closed", close_reason: "shipped behind a flag" });
  });

  it("refuses an unknown format", async () => {
    const a = await fresh();
    const r = await a.rw(["export", "--format", "csv"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("use one of: json, beads, prd");
  });
});
