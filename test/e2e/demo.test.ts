import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { runRw } from "../helpers/repo.ts";

describe("rw demo", () => {
  it("runs the whole tour, initiatives included, and ends with a passing doctor", async () => {
    const r = await runRw(["demo"], { cwd: tmpdir() });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("is not claimable: held by agent-1");
    expect(r.stdout).toMatch(/phase 2 of in-[0-9a-z]{4} is not approved yet/);
    expect(r.stdout).toContain("Phase 1: French and German  (done)  [##########] 1/1");
    expect(r.stdout).toContain("ok: the ref is exactly what its event log says");
  });
});
