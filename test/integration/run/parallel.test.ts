import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { seedTasks } from "../../helpers/race.ts";
import { runIn, runRepos, ScriptedExecutor, writeIn } from "../../helpers/run.ts";
import { eventsOnRef } from "../../helpers/rw.ts";

/**
 * `rw run --parallel 4` on 20 tasks through the merge queue: every task is done exactly once,
 * the gate passes on main at the end, and the queue serialises only the landings: four agents
 * really work at the same time.
 */
const repos = runRepos();

describe("rw run --parallel 4 on 20 tasks", { timeout: 600_000 }, () => {
  it("completes each task exactly once, with four agents working at once", async () => {
    const { repo } = await repos.configured('gates = ["node check.js"]');
    // The gate on every merged tree: each task's file holds its own task ID.
    writeFileSync(join(repo.dir, "check.js"), 'const fs = require("fs");\nfor (const f of fs.readdirSync(".").filter((f) => f.startsWith("out-"))) if (fs.readFileSync(f, "utf8").trim() !== f.slice(4, -4)) process.exit(1);\n');
    repo.git(["add", "."]);
    repo.git(["commit", "-qm", "check"]);
    const ids = await seedTasks(repo.dir, 20); // one commit: creating them is not what this tests

    let inFlight = 0;
    let most = 0;
    let release!: () => void;
    const fourAtOnce = new Promise<void>((res) => (release = res));
    const exec = new ScriptedExecutor(async (req) => {
      most = Math.max(most, ++inFlight);
      if (inFlight === 4) release();
      try {
        // The first agents wait until four work at once (a serialised run would never get there;
        // the bound only keeps a broken run from hanging the suite).
        await Promise.race([fourAtOnce, new Promise((res) => setTimeout(res, 120_000))]);
        writeIn(req, `out-${req.task.id}.txt`, `${req.task.id}\n`);
      } finally {
        inFlight--;
      }
    });
    const { summary } = await runIn(repo, exec, { parallel: 4 });
    expect(most).toBe(4);
    expect(summary.completed.sort()).toEqual([...ids].sort());
    expect(summary.failed.concat(summary.blocked)).toEqual([]);
    const events = eventsOnRef(repo);
    for (const id of ids) {
      expect(events.filter((e) => e.task === id && e.type === "task.completed"), id).toHaveLength(1);
      expect(repo.git(["show", `main:out-${id}.txt`])).toBe(`${id}\n`);
    }
    // Each agent ran once per task; redos after a moved base are the only extra attempts, and they are not failures.
    const attempts = new Map<string, number>();
    for (const p of exec.prompts) attempts.set(p.task, (attempts.get(p.task) ?? 0) + 1);
    expect([...attempts.keys()].sort()).toEqual([...ids].sort());
    expect(events.filter((e) => e.type === "task.failed" && e.data.kind !== "conflict")).toEqual([]);
    expect(repo.git(["ls-tree", "--name-only", "main"]).split("\n").filter((f) => f.startsWith("out-"))).toHaveLength(20);
    expect(repo.git(["branch", "--list", "rw/*"]).trim()).toBe("");
    await repo.rwOk(["doctor"]);
  });
});
