import { afterEach, describe, expect, it } from "vitest";
import { makeRepo, type TempRepo } from "../helpers/repo.ts";

let repo: TempRepo;
afterEach(() => repo?.cleanup());

describe("rw basics on a real repository", () => {
  it("creates, claims and completes a task; doctor passes", async () => {
    repo = makeRepo({ init: true });
    const id = await repo.rwOk(["create", "Add login endpoint", "-p", "1"]);
    expect(id).toMatch(/^[a-z0-9]+-[0-9a-z]{4}$/);
    const claim = await repo.rw(["claim", "--next", "--json"], { actor: "agent-1" });
    expect(claim.code).toBe(0);
    expect(JSON.parse(claim.stdout)).toMatchObject({ v: 1, id });
    const lost = await repo.rw(["claim", id], { actor: "agent-2" });
    expect(lost.code).toBe(3);
    expect(lost.stderr).toContain("held by agent-1");
    await repo.rwOk(["done", id], { actor: "agent-1" });
    expect(repo.git(["show", `rewind:tasks/${id}.md`])).toContain("status: done");
    expect((await repo.rw(["claim", "--next"], { actor: "agent-1" })).code).toBe(4);
    await repo.rwOk(["doctor"]);
  });
});
