import { afterEach, describe, expect, it } from "vitest";
import { makeRepo, type TempRepo } from "../helpers/repo.ts";

// Issue 16's CLI: IDs by prefix, "did you mean" for commands, rw search and rw blocked, through the built rw.
let repo: TempRepo | undefined;
afterEach(() => {
  repo?.cleanup();
  repo = undefined;
});

describe("finding things from the CLI", { timeout: 240_000 }, () => {
  it("resolves IDs by prefix and case, lists ambiguous ones, and suggests commands", async () => {
    repo = makeRepo({ init: true });
    const a = await repo.rwOk(["create", "Fix the login bug", "--body", "The token expires too early"]);
    const b = await repo.rwOk(["create", "Document login", "--dep", a]);
    const suffix = a.split("-")[1]!;
    expect(JSON.parse(await repo.rwOk(["show", suffix.toUpperCase(), "--json"]))).toMatchObject({ task: { id: a } });
    expect(await repo.rwOk(["claim", suffix], { actor: "agent-1" })).toContain(`claimed ${a}`);
    expect(await repo.rwOk(["done", a.toUpperCase()], { actor: "agent-1" })).toBe(`${a} is done`);
    const prefix = a.slice(0, a.indexOf("-") + 1);
    const ambiguous = await repo.rw(["show", prefix]);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain(`task ID "${prefix}" is ambiguous: ${[a, b].sort().join(", ")}`);
    const missing = await repo.rw(["show", "constructor"]);
    expect(missing.code).toBe(4);
    const typo = await repo.rw(["lsit"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('unknown command "lsit"; did you mean rw list?');
    expect((await repo.rw(["initiative", "shwo"])).stderr).toContain("did you mean rw initiative show?");
  });

  it("rw search and rw blocked", async () => {
    repo = makeRepo({ init: true });
    const a = await repo.rwOk(["create", "Fix the login bug", "--body", "The token expires too early"]);
    const b = await repo.rwOk(["create", "Document login", "--dep", a]);
    const c = await repo.rwOk(["create", "Order stickers"]);
    await repo.rwOk(["block", c, "--reason", "waiting for the budget"]);
    const found = JSON.parse(await repo.rwOk(["search", "TOKEN expires", "--json"])) as { count: number; tasks: Array<{ id: string; field: string }> };
    expect(found).toMatchObject({ count: 1, total: 1, tasks: [{ id: a, field: "body" }] });
    expect(await repo.rwOk(["search", "login"])).toMatch(new RegExp(`^${a} .*\\n${b} `));
    expect(await repo.rwOk(["search", "nothing-like-this"])).toContain("no task mentions");
    const blocked = JSON.parse(await repo.rwOk(["blocked", "--json"])) as { tasks: Array<{ id: string }> };
    expect(blocked.tasks.map((t) => t.id).sort()).toEqual([b, c].sort());
    const text = await repo.rwOk(["blocked"]);
    expect(text).toContain(`    waits on ${a} (open)  Fix the login bug`);
    expect(text).toContain("    blocked: waiting for the budget");
  });
});
