import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseEnv, makeRepo, type TempRepo } from "../helpers/repo.ts";
import { expectDoctorOk, rwFails, rwJson, type DoctorReport } from "../helpers/rw.ts";

/**
 * Issue 14, integrity half, through the built `rw` in one repository: `rw doctor` reports a
 * commit on the state ref that `git fsck` (and a remote with receive.fsckObjects) refuses, and
 * `rw doctor --repair` brings a ref that `git gc` left on a missing commit back from its reflog.
 * The broken states are made with git plumbing, as another tool or a gc race would leave them.
 */

let repo: TempRepo;
let kept: string;
beforeAll(async () => {
  repo = makeRepo();
  await repo.rwOk(["init"]);
  kept = await repo.rwOk(["create", "Written before the damage"]);
});
afterAll(() => repo?.cleanup());

const tip = (): string => repo.git(["rev-parse", "refs/heads/rewind"]).trim();
const objectPath = (oid: string): string => join(repo.dir, ".git", "objects", oid.slice(0, 2), oid.slice(2));

describe("rw doctor", () => {
  it("a commit with a NUL in its header on the ref is reported (git fsck: nulInHeader), exit 1; ok again once it is gone", async () => {
    const before = tip();
    const tree = repo.git(["rev-parse", "refs/heads/rewind^{tree}"]).trim();
    const text = `tree ${tree}\nparent ${before}\nauthor x <x@y> 1700000000 +0000\ncommitter x <x@y> 1700000000 +0000\nencoding utf\u00008\n\nforged\n`;
    // --literally: git itself refuses to write such an object otherwise.
    const bad = execFileSync("git", ["hash-object", "-t", "commit", "-w", "--literally", "--stdin"], { cwd: repo.dir, env: baseEnv(), input: text, encoding: "utf8" }).trim();
    repo.git(["update-ref", "refs/heads/rewind", bad, before]);
    const report = await rwJson<DoctorReport>(repo, ["doctor"], { code: 1 });
    expect(report.ok).toBe(false);
    expect(report.commit_problems.join("\n")).toMatch(new RegExp(`${bad.slice(0, 12)}.*NUL in a header.*nulInHeader`));
    const r = await rwFails(repo, ["doctor"], 1, /malformed commits/);
    expect(r.stdout).toMatch(/NUL in a header \(git fsck: nulInHeader\)/);
    expect(r.stderr).toMatch(/receive\.fsckObjects/);
    repo.git(["update-ref", "refs/heads/rewind", before, bad]);
    await expectDoctorOk(repo);
  });

  it("a ref on a missing commit: commands say so and point at --repair (never `rw init`); --repair goes back through the reflog and names what is lost", async () => {
    const good = tip();
    await repo.rwOk(["create", "Lost with the missing commit"]);
    const gone = tip();
    rmSync(objectPath(gone)); // what `git gc --prune=now` racing a write leaves
    const hint = /points at commit [0-9a-f]{12}, which is missing[\s\S]*rw doctor --repair/;
    await rwFails(repo, ["list"], 1, hint);
    const init = await rwFails(repo, ["init"], 1, hint);
    expect(init.stdout).not.toMatch(/kept/);
    await rwFails(repo, ["doctor"], 1, hint);

    const repaired = await rwJson<{ ok: boolean; repair: { repaired: boolean; from: string; to: string; lost: Array<{ oid: string }> } }>(repo, ["doctor", "--repair"]);
    expect(repaired.ok).toBe(true);
    expect(repaired.repair).toMatchObject({ repaired: true, from: gone, to: good });
    expect(repaired.repair.lost.map((l) => l.oid)).toEqual([gone]);
    expect(tip()).toBe(good);
    const list = await rwJson<{ tasks: Array<{ id: string }> }>(repo, ["list"]);
    expect(list.tasks.map((t) => t.id)).toEqual([kept]);
    // A second repair has nothing to do, and says so.
    expect((await repo.rwOk(["doctor", "--repair"]))).toMatch(/nothing to repair/);
    // The repaired ref takes new writes.
    await repo.rwOk(["create", "After the repair"]);
    await expectDoctorOk(repo);
  });

  it("a missing commit with no readable commit left in the reflog: --repair refuses and names the remote's copy", async () => {
    const current = tip();
    writeFileSync(join(repo.dir, ".git", "logs", "refs", "heads", "rewind"), ""); // reflog expired
    rmSync(objectPath(current));
    await rwFails(repo, ["doctor", "--repair"], 1, /no commit in its reflog still exists[\s\S]*git fetch origin rewind/);
    expect(tip()).toBe(current);
  });
});
