import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { plumbCommit } from "../helpers/plumbing.ts";
import { makeRepo, type TempRepo } from "../helpers/repo.ts";
import { expectDoctorOk, rwJson, type DoctorReport } from "../helpers/rw.ts";

let repo: TempRepo;
afterEach(() => repo?.cleanup());

/** A small backlog with a bit of everything, so cached and replayed answers have something to differ on. */
async function backlog(r: TempRepo): Promise<string[]> {
  await r.rwOk(["init"]);
  const a = await r.rwOk(["create", "Alpha", "-p", "1", "--label", "api"]);
  const b = await r.rwOk(["create", "Beta", "--dep", a]);
  const c = await r.rwOk(["create", "Gamma", "--body", "Body of gamma"]);
  await r.rwOk(["claim", a], { actor: "agent-1" });
  await r.rwOk(["note", c, "a note"]);
  return [a, b, c];
}

const cacheDir = (r: TempRepo): string => join(r.dir, ".git", "rewind", "cache");

/** What a user reads: every task's fields, the ready order, and one task's body, notes and history. */
async function answers(r: TempRepo, ids: string[]): Promise<string> {
  // Readiness depends on the clock only through leases and defer dates, none of which expire here.
  return [
    await r.rwOk(["list", "--all", "--json"]),
    await r.rwOk(["ready", "--explain", "--json"]),
    await r.rwOk(["show", ids[2]!, "--json"]),
  ].join("\n");
}

describe("the index is only a cache; doctor checks the ref against the log", () => {
  it("deleting .git/rewind/cache changes no answer, and the next command rebuilds it", async () => {
    repo = makeRepo();
    const ids = await backlog(repo);
    const before = await answers(repo, ids);
    expect(readdirSync(cacheDir(repo)).length).toBeGreaterThan(0);
    rmSync(join(repo.dir, ".git", "rewind"), { recursive: true, force: true });
    expect(await answers(repo, ids)).toBe(before);
    expect(readdirSync(cacheDir(repo)).length, "the next command rebuilt the index").toBeGreaterThan(0);
    // And writing on top of a rebuilt cache works as before.
    await repo.rwOk(["done", ids[0]!], { actor: "agent-1" });
    expect((await rwJson<{ count: number }>(repo, ["ready"])).count).toBe(2);
    await expectDoctorOk(repo);
  });

  it("a corrupt cache file (garbage, truncated, another version, empty) is ignored and rebuilt", async () => {
    repo = makeRepo();
    const ids = await backlog(repo);
    const before = await answers(repo, ids);
    const corruptions: Array<(text: string) => string> = [
      () => "\u0000\u0001 not json {",
      (text) => text.slice(0, Math.floor(text.length / 2)),
      (text) => text.replace(/"v":\d+/g, '"v":99'),
      () => "",
    ];
    for (const corrupt of corruptions) {
      // Every file of the index, whatever its encoding: all of it is a cache.
      for (const f of readdirSync(cacheDir(repo))) writeFileSync(join(cacheDir(repo), f), corrupt(readFileSync(join(cacheDir(repo), f), "utf8")));
      expect(await answers(repo, ids)).toBe(before);
      expect((await repo.rwOk(["doctor"])), "the index was rebuilt for the tip").toContain("index: matches the log");
    }
    await expectDoctorOk(repo);
  });

  it("a cache that lies about the tip's state is caught by doctor and rebuilt", async () => {
    repo = makeRepo();
    const ids = await backlog(repo);
    const before = await answers(repo, ids);
    let lied = 0;
    for (const f of readdirSync(cacheDir(repo))) {
      const text = readFileSync(join(cacheDir(repo), f), "utf8");
      if (text.includes('"Gamma"')) lied++;
      writeFileSync(join(cacheDir(repo), f), text.replaceAll('"Gamma"', '"Gamma (lied)"'));
    }
    expect(lied).toBeGreaterThan(0);
    expect(await repo.rwOk(["show", ids[2]!, "--json"]), "a cache keyed by the tip is trusted by reads").toContain("Gamma (lied)");
    const report = await expectDoctorOk(repo);
    expect(report.index).toBe("rebuilt");
    expect(await repo.rwOk(["doctor"])).toContain("index: matches the log");
    expect(await answers(repo, ids)).toBe(before);
  });

  it("a commit that changes a task file behind rw's back makes doctor exit 1 with a diff naming the file", async () => {
    repo = makeRepo();
    const [a] = await backlog(repo);
    const path = `tasks/${a}.md`;
    const original = repo.git(["show", `rewind:${path}`]);
    const good = repo.git(["rev-parse", "rewind"]).trim();
    plumbCommit(repo.dir, { [path]: original.replace("priority: 1", "priority: 0") }, { message: "sneaky edit" });
    const r = await repo.rw(["doctor"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${path}: differs from what the events render`);
    expect(r.stdout).toMatch(/-\d+: priority: 1\n\s+\+\d+: priority: 0/);
    expect(r.stderr).toMatch(/rw: the state ref does not match its event log (or has malformed commits )?\(1 problems?\)/);
    const json = await repo.rw(["doctor", "--json"]);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout.split("\n")[0]!) as DoctorReport;
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([{ path, problem: "differs", diff: [expect.stringMatching(/^-\d+: priority: 1$/) as string, expect.stringMatching(/^\+\d+: priority: 0$/) as string] }]);
    // A file rw owns that no event produced is a problem too; so is a missing one.
    plumbCommit(repo.dir, { [path]: original, "tasks/rw-ghost.md": "---\nid: rw-ghost\n---\n", "README.md": null });
    const two = JSON.parse((await repo.rw(["doctor", "--json"])).stdout.split("\n")[0]!) as DoctorReport;
    expect(two.problems.map((p) => [p.path, p.problem]).sort()).toEqual([["README.md", "missing"], ["tasks/rw-ghost.md", "unexpected"]]);
    // Put the files back the way the log says; doctor is happy again.
    plumbCommit(repo.dir, { "tasks/rw-ghost.md": null, "README.md": repo.git(["show", `${good}:README.md`]) });
    await expectDoctorOk(repo);
  });

  it("files outside rw's layout are listed as foreign, kept by rw's next commits, and not a failure", async () => {
    repo = makeRepo();
    const [a] = await backlog(repo);
    plumbCommit(repo.dir, { "notes/plan.txt": "a plan\n", "LICENSE": "MIT\n" });
    const report = await expectDoctorOk(repo);
    expect(report.foreign).toEqual(["LICENSE", "notes/plan.txt"]);
    expect(await repo.rwOk(["doctor"])).toContain("foreign (not rw's, kept as they are): LICENSE, notes/plan.txt");
    await repo.rwOk(["done", a!], { actor: "agent-1" });
    expect(repo.git(["show", "rewind:notes/plan.txt"])).toBe("a plan\n");
    expect(repo.git(["show", "rewind:LICENSE"])).toBe("MIT\n");
    await expectDoctorOk(repo);
  });
});
