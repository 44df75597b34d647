import { afterEach, describe, expect, it } from "vitest";
import { CLAIM_LOOP, bash, parentCounts, readRefFiles, seedTasks } from "../helpers/race.ts";
import { makeRepo, type TempRepo } from "../helpers/repo.ts";
import { eventsOnRef, expectDoctorOk } from "../helpers/rw.ts";

let repo: TempRepo;
afterEach(() => repo?.cleanup());

/** Twelve or so claims per process: enough that every process races the others on most of its claims. */
const TASKS = 100;
const WORKERS = 8;

describe("the claim race", () => {
  it(`${WORKERS} processes running rw claim --next claim each of ${TASKS} tasks exactly once`, async () => {
    repo = makeRepo({ init: true });
    const ids = await seedTasks(repo.dir, TASKS);
    expect(new Set(ids).size).toBe(TASKS);
    const seededTip = repo.git(["rev-parse", "rewind"]).trim();

    const runs = await Promise.all(Array.from({ length: WORKERS }, (_, w) => bash(CLAIM_LOOP, { cwd: repo.dir, env: { RW_ACTOR: `agent-${w}` } })));

    // What each process says it won.
    const wonBy = new Map<string, string[]>();
    runs.forEach((r, w) => {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trimEnd().endsWith("DONE"), r.stdout).toBe(true);
      expect(r.stdout.split("\n").filter((l) => l.startsWith("ERROR")), "no claim attempt may fail other than 'nothing ready'").toEqual([]);
      for (const line of r.stdout.split("\n")) {
        const id = /^CLAIMED (\S+)$/.exec(line)?.[1];
        if (id) wonBy.set(id, [...(wonBy.get(id) ?? []), `agent-${w}`]);
      }
    });
    const successes = [...wonBy.values()].reduce((n, who) => n + who.length, 0);
    expect(successes, "sum of the processes' successes").toBe(TASKS);
    expect([...wonBy.keys()].sort()).toEqual([...ids].sort());
    for (const [id, who] of wonBy) expect(who, `${id} won by`).toHaveLength(1);
    expect(new Set([...wonBy.values()].flat()).size, "the work was actually shared").toBeGreaterThan(1);

    // What the event log says: one task.claimed per task, by the process that reported the win.
    const claimed = eventsOnRef(repo).filter((e) => e.type === "task.claimed");
    expect(claimed).toHaveLength(TASKS);
    const claimsPerTask = new Map<string, string[]>();
    for (const e of claimed) claimsPerTask.set(e.task!, [...(claimsPerTask.get(e.task!) ?? []), e.actor]);
    for (const id of ids) expect(claimsPerTask.get(id), id).toEqual(wonBy.get(id));

    // What the task files on the tip say.
    const files = readRefFiles(repo, "rewind", "tasks/");
    expect(files.size).toBe(TASKS);
    for (const id of ids) {
      const text = files.get(`tasks/${id}.md`)!;
      expect(text).toContain("\nstatus: in_progress\n");
      expect(text).toContain(`\nassignee: ${wonBy.get(id)![0]}\n`);
    }

    // One linear chain: every commit has at most one parent, and the seeded tip is on it.
    const parents = parentCounts(repo);
    expect(parents.filter((n) => n > 1)).toEqual([]);
    expect(parents.filter((n) => n === 0)).toHaveLength(1);
    expect(repo.git(["rev-list", "--count", `${seededTip}..rewind`]).trim()).toBe(String(TASKS));
    expect((await repo.rw(["claim", "--next"], { actor: "late" })).code).toBe(4);
    await expectDoctorOk(repo);
  }, 240_000);
});
