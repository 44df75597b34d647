import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makeRepo, type TempRepo } from "../helpers/repo.ts";

/**
 * Hostile files in the mirror `.rewind/`, recorded by the built `rw` (every command syncs the
 * mirror first when no daemon runs): each becomes a bounded entry in PROBLEMS.md, nothing of
 * it reaches the ref, and the command goes on.
 */

let repo: TempRepo | undefined;
afterEach(() => repo?.cleanup());

/** The nested-anchor "billion laughs" block: depth `n`, nine references per level. */
function bomb(n: number, key = "labels"): string {
  const lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x]"];
  for (let i = 1; i <= n; i++) lines.push(`l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(", ")}]`);
  return `---\ntitle: bomb\n${lines.join("\n")}\n${key}: *l${n}\n---\n`;
}

const SECRET = "TOP-SECRET-CONTENT-42";

interface Case {
  name: string;
  /** Makes the hostile file(s) in `.rewind/` of `dir`; `outside` is a file outside the repository. */
  plant(dir: string, outside: string, existing: string): void;
  problem: RegExp;
}

const CASES: Case[] = [
  { name: "nested anchors depth 8 in labels", plant: (d) => writeFileSync(join(d, ".rewind/tasks/bomb.md"), bomb(8)), problem: /aliases|expands to more than/ },
  { name: "nested anchors depth 9 in status", plant: (d) => writeFileSync(join(d, ".rewind/tasks/bomb.md"), bomb(9, "status")), problem: /aliases|expands to more than/ },
  { name: "few aliases, huge expansion", plant: (d) => writeFileSync(join(d, ".rewind/tasks/bomb.md"), `---\ntitle: t\na: &a [${Array(200).fill("x").join(",")}]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\npriority: *b\n---\n`), problem: /expands to more than 10000 values/ },
  { name: "a new file that is a symlink to a secret", plant: (d, outside) => symlinkSync(outside, join(d, ".rewind/tasks/evil.md")), problem: /symbolic link/ },
  { name: "a task file replaced by a symlink", plant: (d, outside, existing) => { rmSync(join(d, `.rewind/tasks/${existing}.md`)); symlinkSync(outside, join(d, `.rewind/tasks/${existing}.md`)); }, problem: /symbolic link/ },
  { name: "the tasks folder replaced by a symlink", plant: (d, outside) => { const dir = join(outside, "..", "linked-tasks"); mkdirSync(dir); renameSync(join(d, ".rewind/tasks"), join(dir, "old")); writeFileSync(join(dir, "evil.md"), `---\ntitle: ${SECRET}\n---\n`); symlinkSync(dir, join(d, ".rewind/tasks")); }, problem: /folder is a symbolic link/ },
  { name: "a file over 1 MiB", plant: (d) => writeFileSync(join(d, ".rewind/tasks/huge.md"), `---\ntitle: huge\n---\n${"y".repeat(1_100_000)}\n`), problem: /more than the limit of 1048576/ },
];

describe("hostile mirror files (through the built rw)", { timeout: 120_000 }, () => {
  it.each(CASES)("$name: a bounded problem in PROBLEMS.md, nothing of it on the ref", async (c) => {
    repo = makeRepo();
    const r = repo;
    await r.rwOk(["init"]);
    const existing = await r.rwOk(["create", "Existing task"]);
    mkdirSync(join(r.dir, ".rewind/tasks")); // the mirror is on while its folder exists
    await r.rwOk(["list"]); // writes the mirror
    expect(existsSync(join(r.dir, `.rewind/tasks/${existing}.md`))).toBe(true);
    const outsideDir = join(r.dir, "..", `${r.dir.split("/").pop()}-outside`);
    mkdirSync(outsideDir, { recursive: true });
    const outside = join(outsideDir, "secret.md");
    writeFileSync(outside, `---\ntitle: ${SECRET}\nstatus: done\n---\n${SECRET}\n`);
    try {
      const before = r.git(["rev-parse", "refs/heads/rewind"]).trim();
      c.plant(r.dir, outside, existing);
      const t0 = Date.now();
      const list = await r.rw(["list", "--json"]);
      const elapsed = Date.now() - t0;
      expect(list.code, list.stderr).toBe(0);
      const problems = readFileSync(join(r.dir, ".rewind/PROBLEMS.md"), "utf8");
      expect(problems).toMatch(c.problem);
      expect(problems.length).toBeLessThan(4000);
      expect(problems).not.toContain(SECRET);
      // nothing recorded: the ref did not move, the outside file is untouched
      expect(r.git(["rev-parse", "refs/heads/rewind"]).trim()).toBe(before);
      expect(r.git(["log", "-p", "refs/heads/rewind"])).not.toContain(SECRET);
      expect(readFileSync(outside, "utf8")).toContain(`title: ${SECRET}`);
      expect(list.stdout).not.toContain(SECRET);
      // a second command does not re-report or re-read it into anything
      expect((await r.rw(["list"])).code).toBe(0);
      expect(elapsed).toBeGreaterThan(0);
    } finally {
      rmSync(outsideDir, { recursive: true, force: true });
    }
  });
});
