import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeBare, makeClone, seedRemote } from "../helpers/remote.ts";
import { RW_BIN, track, type TempRepo } from "../helpers/repo.ts";
import { eventsOnRef } from "../helpers/rw.ts";

/** `rw claim --next` until nothing is ready; every other outcome than 0 (won) or 4 (none left) fails the test. */
async function claimLoop(repo: TempRepo, actor: string): Promise<string[]> {
  const won: string[] = [];
  for (;;) {
    const r = await repo.rw(["claim", "--next", "--json"], { actor });
    if (r.code === 4) return won;
    if (r.code !== 0) throw new Error(`${actor}: rw claim --next exited ${r.code}: ${r.stderr}`);
    won.push((JSON.parse(r.stdout) as { id: string }).id);
  }
}

const TASKS = 32;

describe('sync.claims = "remote"', () => {
  it("three clones (one with two agents) racing `rw claim --next` on 32 tasks: every task is claimed exactly once", async () => {
    const remote = track(makeBare());
    // 32: eight claims per agent, each a fetch and a push racing the other three machines.
    track(await seedRemote(remote, TASKS));
    const clones = await Promise.all(["m1", "m2", "m3"].map(async (name) => track(await makeClone(remote.url, name, ['claims = "remote"']))));
    // Two agents share the first clone (same repository, same tracking ref), one each on the others.
    const agents = [[clones[0]!, "agent-1"], [clones[0]!, "agent-4"], [clones[1]!, "agent-2"], [clones[2]!, "agent-3"]] as const;
    const won = await Promise.all(agents.map(([c, actor]) => claimLoop(c, actor)));
    const all = won.flat();
    expect(all).toHaveLength(TASKS);
    expect(new Set(all).size).toBe(TASKS);
    // The remote agrees: one task.claimed per task, by the clone that was told it won.
    const claims = eventsOnRef(remote).filter((e) => e.type === "task.claimed");
    expect(claims).toHaveLength(TASKS);
    won.forEach((ids, i) => {
      for (const id of ids) expect(claims.find((e) => e.task === id)?.actor).toBe(agents[i]![1]);
    });
    // A task another machine holds is refused with exit code 3, naming the holder.
    const lost = await clones[0]!.rw(["claim", won[2]![0] ?? won[3]![0]!], { actor: "agent-1" });
    expect(lost.code).toBe(3);
    expect(lost.stderr).toMatch(/held by agent-[23]/);
    for (const c of clones) {
      await c.rwOk(["sync"]);
      await c.rwOk(["doctor"]);
    }
    // Every claim was on the remote before it was on a clone, so after one sync each clone's
    // history is the remote's, commit for commit (no merge was needed anywhere).
    const tip = remote.git(["rev-parse", "refs/heads/rewind"]).trim();
    for (const c of clones) expect(c.git(["rev-parse", "refs/heads/rewind"]).trim()).toBe(tip);
    expect(remote.git(["rev-list", "--merges", "refs/heads/rewind"]).trim()).toBe("");
  }, 600_000);

  it("a push rejected because another clone pushed between fetch and push is retried and succeeds", async () => {
    const remote = track(makeBare());
    track(await seedRemote(remote, 3));
    const a = track(await makeClone(remote.url, "alice"));
    const c = track(await makeClone(remote.url, "carol"));
    await a.rwOk(["create", "From alice", "--id", "t-a"]);
    await c.rwOk(["create", "From carol", "--id", "t-c"]);
    // The remote's pre-receive hook makes the race deterministic: while alice's first push is
    // being received (after her fetch), carol syncs and her push lands first. Alice's push then
    // fails its lease on the remote; she must fetch, merge and push again.
    const marker = join(remote.dir, "raced");
    const hook = join(remote.dir, "hooks", "pre-receive");
    writeFileSync(hook, [
      "#!/bin/sh",
      "cat >/dev/null",
      `if [ ! -e '${marker}' ]; then`,
      `  touch '${marker}'`,
      `  cd '${c.dir}' && env -i PATH="$PATH" HOME="$HOME" NO_COLOR=1 RW_ACTOR=carol '${process.execPath}' '${RW_BIN}' sync > '${marker}' 2>&1`,
      "fi",
      "exit 0",
      "",
    ].join("\n"));
    chmodSync(hook, 0o755);
    const report = JSON.parse(await a.rwOk(["sync", "--json"])) as { action: string; attempts: number; incoming: Array<{ task: string }> };
    expect(readFileSync(marker, "utf8")).toMatch(/pushed to origin: 0 events in, 1 out/);
    expect(report.attempts).toBe(2);
    expect(report.action).toBe("merged");
    expect(report.incoming.map((e) => e.task)).toEqual(["t-c"]);
    const tasks = eventsOnRef(remote).filter((e) => e.type === "task.created").map((e) => e.task);
    expect(tasks).toEqual(expect.arrayContaining(["t-a", "t-c"]));
    expect(existsSync(marker)).toBe(true);
    await a.rwOk(["doctor"]);
    await c.rwOk(["sync"]);
    expect(c.git(["rev-parse", "rewind"])).toBe(a.git(["rev-parse", "rewind"]));
  }, 240_000);
});
