import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CLAIM_LOOP, bash, parentCounts, readRefFiles, seedTasks } from "../helpers/race.ts";
import { makeRepo, type TempRepo } from "../helpers/repo.ts";
import { eventsOnRef, expectDoctorOk } from "../helpers/rw.ts";

let repo: TempRepo;
afterEach(() => repo?.cleanup());

const TASKS = 30;
const NOTES = 12;
const MIN_FOREIGN = 10;

/**
 * A plain git writer: builds a commit on the current tip with hash-object, mktree and commit-tree
 * that adds extra/<n>.txt (keeping the rest of the tree), and moves the ref with
 * `git update-ref <ref> <new> <old>`; on a lost race it starts again from the new tip. It keeps
 * going until the stop file appears and it has landed at least $MIN commits. Prints each landed
 * commit as `LANDED <n> <oid>`.
 */
const FOREIGN_LOOP = `
set -u
n=0; lost=0
while [ ! -e "$STOP" ] || [ $n -lt $MIN ]; do
  old=$(git rev-parse refs/heads/rewind)
  blob=$(printf 'extra %s\\n' $n | git hash-object -w --stdin)
  sub=$( { git ls-tree "$old:extra" 2>/dev/null; printf '100644 blob %s\\t%s.txt\\n' "$blob" "$n"; } | git mktree )
  root=$( { git ls-tree "$old" | grep -v "	extra$"; printf '040000 tree %s\\textra\\n' "$sub"; } | git mktree )
  commit=$(git commit-tree "$root" -p "$old" -m "add extra/$n.txt")
  if git update-ref refs/heads/rewind "$commit" "$old" 2>/dev/null; then echo "LANDED $n $commit"; n=$((n+1)); else lost=$((lost+1)); fi
  sleep 0.05 # pacing only, so this loop does not starve the rw processes of the two cores
done
echo "FOREIGN $n LOST $lost"
`;

/** A note writer: NOTES notes on one task, each text unique, every one must land. */
const NOTE_LOOP = `
for i in $(seq 1 $NOTES); do
  if "$RW_NODE" "$RW_BIN" note "$TASK" "note $RW_ACTOR $i" >/dev/null 2>"$ERRS.$RW_ACTOR"; then echo "NOTED $i"; else echo "ERROR $? $(cat "$ERRS.$RW_ACTOR")"; fi
done
echo DONE
`;

describe("rw and a plain git writer moving the same ref", () => {
  it("rw retries on the new tip: nothing written by either side disappears", async () => {
    repo = makeRepo({ init: true });
    const ids = await seedTasks(repo.dir, TASKS);
    const stop = join(repo.dir, ".git", "race-stop");
    const env = { STOP: stop, MIN: String(MIN_FOREIGN), NOTES: String(NOTES), ERRS: join(repo.dir, ".git", "race-err") };

    const foreign = bash(FOREIGN_LOOP, { cwd: repo.dir, env });
    const writers = Promise.all([
      bash(CLAIM_LOOP, { cwd: repo.dir, env: { ...env, RW_ACTOR: "claimer-1" } }),
      bash(CLAIM_LOOP, { cwd: repo.dir, env: { ...env, RW_ACTOR: "claimer-2" } }),
      bash(NOTE_LOOP, { cwd: repo.dir, env: { ...env, RW_ACTOR: "noter-1", TASK: ids[0]! } }),
      bash(NOTE_LOOP, { cwd: repo.dir, env: { ...env, RW_ACTOR: "noter-2", TASK: ids[1]! } }),
    ]);
    const rw = await writers;
    writeFileSync(stop, "");
    const git = await foreign;
    expect(existsSync(stop)).toBe(true);

    // The git writer's side: every commit it landed is still in the history and every file is on the tip.
    expect(git.code, git.stderr).toBe(0);
    const landed = [...git.stdout.matchAll(/^LANDED (\d+) ([0-9a-f]+)$/gm)].map((m) => ({ n: Number(m[1]), commit: m[2]! }));
    expect(landed.length).toBeGreaterThanOrEqual(MIN_FOREIGN);
    const extra = readRefFiles(repo, "rewind", "extra/");
    expect(extra.size).toBe(landed.length);
    for (const { n, commit } of landed) {
      expect(extra.get(`extra/${n}.txt`)).toBe(`extra ${n}\n`);
      expect(() => repo.git(["merge-base", "--is-ancestor", commit, "rewind"]), `foreign commit ${n} is in the history`).not.toThrow();
    }

    // rw's side: every claim and every note it reported is an event on the tip.
    const claimed = new Map<string, string>();
    for (const [i, r] of rw.entries()) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.split("\n").filter((l) => l.startsWith("ERROR"))).toEqual([]);
      expect(r.stdout.trimEnd().endsWith("DONE")).toBe(true);
      if (i < 2) for (const m of r.stdout.matchAll(/^CLAIMED (\S+)$/gm)) claimed.set(m[1]!, `claimer-${i + 1}`);
      else expect(r.stdout.match(/^NOTED /gm)).toHaveLength(NOTES);
    }
    expect([...claimed.keys()].sort()).toEqual([...ids].sort());
    const events = eventsOnRef(repo);
    const claimEvents = events.filter((e) => e.type === "task.claimed");
    expect(claimEvents).toHaveLength(TASKS);
    for (const e of claimEvents) expect(e.actor).toBe(claimed.get(e.task!));
    const notes = events.filter((e) => e.type === "task.noted").map((e) => `${e.actor}: ${e.data.text as string}`).sort();
    const wanted = ["noter-1", "noter-2"].flatMap((a) => Array.from({ length: NOTES }, (_, i) => `${a}: note ${a} ${i + 1}`)).sort();
    expect(notes).toEqual(wanted);
    const tasks = readRefFiles(repo, "rewind", "tasks/");
    for (const id of ids) expect(tasks.get(`tasks/${id}.md`)).toContain(`\nassignee: ${claimed.get(id)}\n`);

    // The two writers really interleaved: some rw commits sit on top of a foreign one.
    const foreignCommits = new Set(landed.map((l) => l.commit));
    const rwOnForeign = repo.git(["rev-list", "--parents", "rewind"]).trim().split("\n").map((l) => l.split(" "))
      .filter(([c, p]) => !foreignCommits.has(c!) && p !== undefined && foreignCommits.has(p));
    expect(rwOnForeign.length).toBeGreaterThan(0);

    // Still one linear chain, and doctor accepts the foreign files without failing.
    expect(parentCounts(repo).filter((n) => n > 1)).toEqual([]);
    const report = await expectDoctorOk(repo);
    expect(report.foreign).toEqual([...extra.keys()].sort());
  }, 240_000);
});
