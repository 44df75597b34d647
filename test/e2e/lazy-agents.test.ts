import { spawnSync } from "node:child_process";
import { writeFileSync, appendFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { baseEnv, makeRepo, RW_BIN, type TempRepo } from "../helpers/repo.ts";

const HOOK = resolve(import.meta.dirname, "../fixtures/log-imports.mjs");
let repo: TempRepo | undefined;
afterEach(() => repo?.cleanup());

/** The heavy modules a command loaded, by package (or "agents" for src/agents). */
function loaded(cwd: string, args: string[]): string[] {
  const r = spawnSync(process.execPath, ["--import", HOOK, RW_BIN, ...args], { cwd, env: { ...baseEnv(), RW_ACTOR: "t" }, encoding: "utf8" });
  const out = r.stderr;
  return [...new Set(out.split("\n").filter((l) => l.startsWith("LOADED ")).map((l) => (/node_modules\/(@anthropic-ai|zod|openai|execa)/.exec(l)?.[1] ?? "agents")))].sort();
}

describe("lazy loading (the built binary)", () => {
  it("rw ready and rw show load no SDK, no zod, no execa and no agent code; a fake session loads no SDK", async () => {
    repo = makeRepo({ init: true });
    const id = await repo.rwOk(["create", "x"]);
    appendFileSync(join(repo.dir, ".rewind", "config.toml"), '\n[roles.worker]\nprovider = "fake"\n');
    writeFileSync(join(repo.dir, "f.txt"), "x\n");
    // A hook that prints nothing proves nothing: check it sees the agent layer when it is used.
    const agentRun = loaded(repo.dir, ["agent", "run", "--task", id, "--json", "--actor", "t"]);
    expect(agentRun).toContain("agents");
    expect(agentRun).not.toContain("@anthropic-ai");
    expect(agentRun).not.toContain("openai");
    expect(loaded(repo.dir, ["ready"])).toEqual([]);
    expect(loaded(repo.dir, ["show", id])).toEqual([]);
  });
});
