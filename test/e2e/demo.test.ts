import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { runRw } from "../helpers/repo.ts";

describe("rw demo (the README's first command)", () => {
  it("plans a PRD, approves phase by phase, runs scripted agents in parallel, merges, and ends with a passing doctor", async () => {
    const r = await runRw(["demo"], { cwd: tmpdir() });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/planned in-[0-9a-z]{4}: Greeter v2 \(draft; 2 phases, 3 tasks\)/);
    expect(r.stdout).toMatch(/phase 2 of in-[0-9a-z]{4} is not approved yet/);
    expect(r.stdout.match(/^done {4}\S+ {2}/gm)).toHaveLength(3);
    expect(r.stdout).toContain("## Current position");
    expect(r.stdout).toContain("Phase 1: Languages and options  (done)  [##########] 2/2");
    expect(r.stdout).toContain("BONJOUR, ADA !!"); // the merged program really works
    expect(r.stdout).toContain("ok: the ref is exactly what its event log says");
  }, 240_000);
});
