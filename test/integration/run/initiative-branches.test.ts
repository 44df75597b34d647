import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { WorkRequest } from "../../../src/orchestrator/executor.ts";
import { runIn, runRepos, ScriptedExecutor, writeIn } from "../../helpers/run.ts";
import { eventsOnRef, expectDoctorOk, rwJson } from "../../helpers/rw.ts";
import type { TempRepo } from "../../helpers/repo.ts";

/**
 * Issue 19 under `rw run`: an initiative's own integration branch receives its tasks' merges and is
 * merged into main (gated) when the initiative completes; a finished phase is verified
 * goal-backward, gaps become remediation tasks in the same phase, and the bound blocks it for a
 * person. Real git, real claims, real gates; the agents are functions that edit files.
 */
const repos = runRepos();

const branchLog = (repo: TempRepo, ref: string): string[] => repo.git(["log", "--format=%s", ref]).split("\n").filter(Boolean);
const stateMd = (repo: TempRepo): string => repo.git(["show", "rewind:STATE.md"]);

async function initiative(repo: TempRepo, args: string[], phases: string[]): Promise<string> {
  const id = await repo.rwOk(["initiative", "new", "Auth", ...phases.flatMap((p) => ["--phase", p]), ...args]);
  await repo.rwOk(["initiative", "submit", id]);
  return id;
}

describe("integration branches per initiative", { timeout: 300_000 }, () => {
  it("--branch feat/auth: tasks land on feat/auth (made from main), main only gets it, gated, when the initiative completes", async () => {
    const { repo } = await repos.configured('gates = ["node check.js"]');
    writeFileSync(join(repo.dir, "check.js"), 'require("fs").readdirSync(".").filter((f) => f.endsWith(".txt")).forEach((f) => { if (!require("fs").readFileSync(f, "utf8").trim()) process.exit(1); });\n');
    repo.git(["add", "."]);
    repo.git(["commit", "-qm", "check"]);
    const mainBefore = repo.git(["rev-parse", "main"]).trim();
    const id = await initiative(repo, ["--branch", "feat/auth"], ["Tokens", "Login"]);
    await repo.rwOk(["initiative", "approve", id, "--phase", "1"]);
    const t1 = await repo.rwOk(["create", "Write tokens", "--initiative", id, "--phase", "1"]);
    const t2 = await repo.rwOk(["create", "Write login", "--initiative", id, "--phase", "2"]);
    const exec = new ScriptedExecutor((req: WorkRequest) => writeIn(req, `${req.task.id}.txt`, `${req.task.title}\n`));

    const first = await runIn(repo, exec);
    expect(first.summary.completed).toEqual([t1]);
    // The task's commit is on feat/auth, which was made from main; main has not moved.
    expect(repo.git(["rev-parse", "main"]).trim()).toBe(mainBefore);
    expect(repo.git(["merge-base", mainBefore, "feat/auth"]).trim()).toBe(mainBefore);
    expect(branchLog(repo, "feat/auth")[0]).toBe(`${t1}: Write tokens`);
    expect(first.events.some((e) => e.event === "session.started")).toBe(true);
    // STATE.md shows the branch and how far it is ahead.
    expect(stateMd(repo)).toMatch(/branch `feat\/auth`, 1 commit ahead of main/);
    const shown = await rwJson<{ initiative: { branch: { name: string; ahead: number } } }>(repo, ["initiative", "show", id]);
    expect(shown.initiative.branch).toMatchObject({ name: "feat/auth", ahead: 1 });

    await repo.rwOk(["initiative", "approve", id, "--phase", "2"]);
    const second = await runIn(repo, exec);
    expect(second.summary.completed).toEqual([t2]);
    // Complete: main got one merge commit of feat/auth, with both tasks' work, and the gate ran on it.
    const merge = repo.git(["log", "-1", "--format=%s%n%b", "main"]);
    expect(merge).toContain("Merge feat/auth into main: Auth");
    expect(merge).toContain(`Rewind-Initiative: ${id}`);
    expect(repo.git(["show", `main:${t1}.txt`])).toBe("Write tokens\n");
    expect(repo.git(["show", `main:${t2}.txt`])).toBe("Write login\n");
    expect(readFileSync(join(repo.dir, `${t2}.txt`), "utf8")).toBe("Write login\n"); // the user's checkout of main moved with it
    const merged = eventsOnRef(repo).find((e) => e.type === "initiative.merged")!;
    expect(merged.data).toMatchObject({ branch: "feat/auth", into: "main", gates: [{ gate: "node check.js", exit_code: 0 }] });
    expect(second.events.some((e) => e.event === "initiative" && /merged feat\/auth into main/.test(e.text))).toBe(true);
    expect((await rwJson<{ initiative: { status: string } }>(repo, ["initiative", "show", id])).initiative.status).toBe("completed");
    await expectDoctorOk(repo);
  });

  it('integration = "per-initiative": a branch initiative/<id> is made and recorded; other tasks still land on main', async () => {
    const { repo } = await repos.configured('integration = "per-initiative"');
    const id = await initiative(repo, [], ["Only"]);
    await repo.rwOk(["initiative", "approve", id, "--phase", "1"]);
    const a = await repo.rwOk(["create", "In the initiative", "--initiative", id, "--phase", "1"]);
    const b = await repo.rwOk(["create", "Not in it"]);
    await repo.rwOk(["dep", "add", b, a]); // b after a, so the order is fixed
    const exec = new ScriptedExecutor((req) => writeIn(req, `${req.task.id}.txt`, "x\n"));
    const { summary } = await runIn(repo, exec);
    expect(summary.completed).toEqual([a, b]);
    expect(eventsOnRef(repo).find((e) => e.type === "initiative.branch_set")?.data).toMatchObject({ branch: `initiative/${id}`, base: "main" });
    // a went through initiative/<id> and reached main with its merge; b landed on main directly.
    expect(branchLog(repo, `initiative/${id}`)).toContain(`${a}: In the initiative`);
    expect(branchLog(repo, "main").slice(0, 3)).toEqual([`${b}: Not in it`, `Merge initiative/${id} into main: Auth`, `${a}: In the initiative`]);
    await expectDoctorOk(repo);
  });
});

describe("goal-backward phase verification", { timeout: 300_000 }, () => {
  /** A phase whose goal is "api.js really answers"; the first attempt leaves a stub. */
  async function stubbedPhase(extra: string): Promise<{ repo: TempRepo; id: string; task: string }> {
    const { repo } = await repos.configured(extra);
    const id = await initiative(repo, ["--branch", "feat/api"], ["API"]);
    await repo.rwOk(["initiative", "phase", "edit", id, "1", "--verify", "node -e \"process.exit(require('./api.js').answer() === 42 ? 0 : 1)\""]);
    await repo.rwOk(["initiative", "approve", id, "--phase", "1"]);
    const task = await repo.rwOk(["create", "Write the API", "--initiative", id, "--phase", "1"]);
    return { repo, id, task };
  }
  const stub = "// TODO: answer for real\nexports.answer = () => 0;\n";
  const real = "exports.answer = () => 42;\n";

  it("a gap becomes a remediation task in the same phase, the phase reopens, and completes after it", async () => {
    const { repo, id, task } = await stubbedPhase("");
    const exec = new ScriptedExecutor((req) => writeIn(req, "api.js", req.task.labels.includes("remediation") ? real : stub));
    const { summary, events } = await runIn(repo, exec);
    const verified = eventsOnRef(repo).filter((e) => e.type === "phase.verified");
    expect(verified.map((e) => e.data.verdict)).toEqual(["gaps", "passed"]);
    const gaps = verified[0]!.data as { goals: Array<{ kind: string; met: boolean; evidence: string }>; tasks: string[]; round: number };
    // Evidence per goal: the verify command failed (a truth), api.js still holds the TODO it added (an artifact).
    expect(gaps.goals.filter((g) => !g.met).map((g) => g.kind).sort()).toEqual(["artifact", "truth"]);
    expect(gaps.goals.find((g) => g.kind === "artifact")!.evidence).toContain("line 1: // TODO: answer for real");
    expect(gaps.round).toBe(1);
    const fixes = gaps.tasks;
    expect(fixes.length).toBe(2);
    expect(summary.completed.sort()).toEqual([task, ...fixes].sort());
    // The remediation tasks are in the phase, labelled and linked back to the finding.
    const fix = await rwJson<{ task: { phase: number; initiative: string; labels: string[]; body: string } }>(repo, ["show", fixes[0]!]);
    expect(fix.task).toMatchObject({ phase: 1, initiative: id, labels: ["remediation"] });
    expect(fix.task.body).toContain(`Remediates phase verification \`${verified[0]!.id}\` (round 1)`);
    // The phase reopened when they were created and completed again after them; then it merged.
    const types = eventsOnRef(repo).map((e) => e.type);
    expect(types.filter((t) => /^phase\.(completed|reopened|verified)$/.test(t))).toEqual(["phase.completed", "phase.verified", "phase.reopened", "phase.completed", "phase.verified"]);
    expect(types.filter((t) => t === "initiative.completed").length).toBe(2);
    expect(repo.git(["show", "main:api.js"])).toBe(real);
    expect(events.some((e) => e.event === "initiative" && /phase 1 verification 2 gaps/.test(e.text))).toBe(true);
    await expectDoctorOk(repo);
  });

  it("past max_remediations the phase is blocked for a person with the findings; nothing reaches main until a person merges it with ship --merge", async () => {
    const { repo, id } = await stubbedPhase("max_remediations = 1");
    const exec = new ScriptedExecutor((req) => writeIn(req, "api.js", stub + `// ${req.task.id}\n`));
    const mainBefore = repo.git(["rev-parse", "main"]).trim();
    await runIn(repo, exec);
    const verified = eventsOnRef(repo).filter((e) => e.type === "phase.verified");
    expect(verified.map((e) => e.data.verdict)).toEqual(["gaps", "blocked"]);
    const blockedTask = (verified[1]!.data.tasks as string[])[0]!;
    const shown = await rwJson<{ task: { status: string; labels: string[]; body: string; phase: number; blocked_reason: string } }>(repo, ["show", blockedTask]);
    expect(shown.task).toMatchObject({ status: "blocked", labels: ["remediation", "needs-person"], phase: 1 });
    expect(shown.task.body).toContain("still has gaps after 1 remediation round");
    expect(shown.task.body).toContain("// TODO: answer for real");
    const init = await rwJson<{ initiative: { status: string }; phases: Array<{ status: string; verification: { verdict: string } }> }>(repo, ["initiative", "show", id]);
    expect(init.initiative.status).toBe("in_progress");
    expect(init.phases[0]).toMatchObject({ status: "approved", verification: { verdict: "blocked" } });
    expect(repo.git(["rev-parse", "main"]).trim()).toBe(mainBefore);
    expect(eventsOnRef(repo).some((e) => e.type === "initiative.merged")).toBe(false);
    await expectDoctorOk(repo);
    // A person may still merge what landed, here and gated: `ship --merge` warns that it is not complete.
    const shipped = await repo.rw(["initiative", "ship", id, "--merge", "--json"]);
    expect(shipped.code, shipped.stderr).toBe(0);
    expect(shipped.stderr).toContain(`warning: ${id} is not complete`);
    expect(JSON.parse(shipped.stdout)).toMatchObject({ branch: "feat/api", into: "main", merged: true });
    expect(repo.git(["log", "-1", "--format=%s", "main"]).trim()).toBe("Merge feat/api into main: Auth");
    expect(repo.git(["show", "main:api.js"])).toContain("// TODO: answer for real");
    expect(eventsOnRef(repo).filter((e) => e.type === "initiative.merged").length).toBe(1);
    await expectDoctorOk(repo);
  });
});

describe("what a run or a person left unfinished, the next rw run picks up", { timeout: 300_000 }, () => {
  it("a phase verification that failed is run again when rw run starts, and the completed initiative is then merged", async () => {
    const { repo } = await repos.configured("");
    const id = await initiative(repo, ["--branch", "feat/api"], ["API"]);
    await repo.rwOk(["initiative", "phase", "edit", id, "1", "--verify", "node -e \"process.exit(require('./api.js').answer() === 42 ? 0 : 1)\""]);
    await repo.rwOk(["initiative", "approve", id, "--phase", "1"]);
    const task = await repo.rwOk(["create", "Write the API", "--initiative", id, "--phase", "1"]);
    const write = (req: WorkRequest): void => writeIn(req, "api.js", "exports.answer = () => 42;\n");
    // The verifier's provider is down: the task lands on feat/api, the verification stops, nothing merges.
    const down = Object.assign(new ScriptedExecutor(write), { phaseVerifier: { verifyPhase: () => Promise.reject(new Error("verifier provider unreachable")) } });
    const first = await runIn(repo, down);
    expect(first.summary.completed).toEqual([task]);
    expect(first.events.some((e) => e.event === "initiative" && /stopped: verifier provider unreachable/.test(e.text))).toBe(true);
    expect(eventsOnRef(repo).some((e) => e.type === "phase.verified" || e.type === "initiative.merged")).toBe(false);
    expect(repo.git(["ls-tree", "--name-only", "main"])).not.toContain("api.js");
    await expectDoctorOk(repo);
    // Nothing is ready, yet the next run verifies the phase (rw's own checks here) and merges the branch.
    const second = await runIn(repo, new ScriptedExecutor(write));
    expect(second.summary.completed).toEqual([]);
    expect(eventsOnRef(repo).filter((e) => e.type === "phase.verified").map((e) => e.data.verdict)).toEqual(["passed"]);
    expect(eventsOnRef(repo).find((e) => e.type === "initiative.merged")?.data).toMatchObject({ branch: "feat/api", into: "main" });
    expect(repo.git(["show", "main:api.js"])).toBe("exports.answer = () => 42;\n");
    // A third run has nothing left to do for it.
    const third = await runIn(repo, new ScriptedExecutor(write));
    expect(third.events.filter((e) => e.event === "initiative")).toEqual([]);
    await expectDoctorOk(repo);
  });

  it("the phase's last task approved with rw review lands on the initiative's branch; the next rw run verifies the phase and merges", async () => {
    const { repo } = await repos.configured('review = "human"');
    const id = await initiative(repo, ["--branch", "feat/api"], ["API"]);
    await repo.rwOk(["initiative", "phase", "edit", id, "1", "--verify", "node -e \"process.exit(require('./api.js').answer() === 42 ? 0 : 1)\""]);
    await repo.rwOk(["initiative", "approve", id, "--phase", "1"]);
    const task = await repo.rwOk(["create", "Write the API", "--initiative", id, "--phase", "1"]);
    const exec = new ScriptedExecutor((req) => writeIn(req, "api.js", "exports.answer = () => 42;\n"));
    expect((await runIn(repo, exec)).summary.review).toEqual([task]);
    await repo.rwOk(["review", task, "--approve"]);
    expect(branchLog(repo, "feat/api")[0]).toBe(`${task}: Write the API`);
    expect(eventsOnRef(repo).some((e) => e.type === "phase.verified")).toBe(false);
    const next = await runIn(repo, exec);
    expect(next.summary.completed).toEqual([]);
    expect(eventsOnRef(repo).filter((e) => e.type === "phase.verified").map((e) => e.data.verdict)).toEqual(["passed"]);
    expect(repo.git(["log", "-1", "--format=%s", "main"]).trim()).toBe("Merge feat/api into main: Auth");
    await expectDoctorOk(repo);
  });
});

describe("rw initiative ship", { timeout: 120_000 }, () => {
  it("prints the exact git/gh commands; --push pushes the branch to the remote and opens the PR with gh", async () => {
    const { repo } = await repos.configured("");
    const id = await initiative(repo, ["--branch", "feat/auth"], ["Only"]);
    await repo.rwOk(["initiative", "approve", id, "--phase", "1"]);
    await repo.rwOk(["create", "Work", "--initiative", id, "--phase", "1"]);
    await runIn(repo, new ScriptedExecutor((req) => writeIn(req, "work.txt", "done\n")), {});
    // Merged into main on completion already; ship still opens the branch for review.
    const printed = await repo.rwOk(["initiative", "ship", id]);
    expect(printed).toContain("git push -u origin feat/auth");
    expect(printed).toContain("gh pr create --base main --head feat/auth --title Auth --body ");
    const json = await rwJson<{ commands: string[][] }>(repo, ["initiative", "ship", id, "--json"]);
    expect(json.commands[1]!.slice(0, 8)).toEqual(["gh", "pr", "create", "--base", "main", "--head", "feat/auth", "--title"]);

    const bare = join(repo.dir, "..", `${id}-remote.git`);
    execFileSync("git", ["init", "-q", "--bare", bare]);
    repo.git(["remote", "add", "origin", bare]);
    // A gh on PATH that records its arguments and answers as `gh pr create` does: the PR's URL on stdout.
    const bin = join(repo.dir, "..", `${id}-bin`);
    execFileSync("mkdir", ["-p", bin]);
    writeFileSync(join(bin, "gh"), `#!/bin/sh\nprintf '%s\\n' "$@" > "${bin}/args"\necho https://github.com/acme/app/pull/7\n`, { mode: 0o755 });
    const pushed = await rwJson<{ pushed: boolean; pr: string }>(repo, ["initiative", "ship", id, "--push", "--json"], { env: { PATH: `${bin}:${process.env.PATH}` } });
    expect(pushed).toMatchObject({ pushed: true, pr: "https://github.com/acme/app/pull/7" });
    expect(execFileSync("git", ["--git-dir", bare, "rev-parse", "feat/auth"], { encoding: "utf8" }).trim()).toBe(repo.git(["rev-parse", "feat/auth"]).trim());
    expect(readFileSync(join(bin, "args"), "utf8")).toContain("--head\nfeat/auth\n--title\nAuth\n--body\n");
    expect(eventsOnRef(repo).find((e) => e.type === "initiative.shipped")?.data).toMatchObject({ branch: "feat/auth", remote: "origin", pr: "https://github.com/acme/app/pull/7" });
    await expectDoctorOk(repo);
  });

  it("refuses shipping an initiative without a branch, and verifying a phase that is not done; with the fix", async () => {
    const { repo } = await repos.configured("");
    const id = await initiative(repo, [], ["Only"]);
    const r = await repo.rw(["initiative", "ship", id]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("has no integration branch of its own");
    expect(r.stderr).toContain(`rw initiative edit ${id} --branch`);
    // Verifying by hand a phase whose work is not done is refused, before anything runs.
    await repo.rwOk(["initiative", "approve", id, "--phase", "1"]);
    await repo.rwOk(["create", "Work", "--initiative", id, "--phase", "1"]);
    const before = repo.git(["rev-parse", "rewind"]);
    const v = await repo.rw(["initiative", "verify", id, "--phase", "1"]);
    expect(v.code).toBe(3);
    expect(v.stderr).toContain(`phase 1 of ${id} is not done (approved, 1 of 1 tasks left)`);
    expect(repo.git(["rev-parse", "rewind"])).toBe(before);
  });
});
