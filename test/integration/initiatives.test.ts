import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makeRepo, type TempRepo } from "../helpers/repo.ts";

let repo: TempRepo;
afterEach(() => repo?.cleanup());

/** Runs a command and then `rw doctor`: every step must leave the ref exactly what its log says. */
async function step(args: string[], actor = "alice"): Promise<string> {
  const out = await repo.rwOk(args, { actor });
  const doctor = await repo.rw(["doctor", "--json"]);
  expect(JSON.parse(doctor.stdout)).toMatchObject({ ok: true });
  return out;
}

const json = async <T = Record<string, unknown>>(args: string[]): Promise<T> => JSON.parse(await repo.rwOk([...args, "--json"])) as T;

interface Shown { initiative: { status: string }; phases: { status: string; done: number; total: number }[] }

describe("initiatives through the CLI", { timeout: 180_000 }, () => {
  it("plans, approves phase by phase, and completes with the last rw done", async () => {
    repo = makeRepo({ init: true });
    writeFileSync(join(repo.dir, "concept.md"), "# Auth rewrite\n\nMove  from sessions to *tokens*.\n");
    const id = await step(["initiative", "new", "Auth rewrite", "--body-file", "concept.md", "--phase", "Token format"]);
    expect(id).toMatch(/^in-[0-9a-z]{4}$/);
    expect(await step(["initiative", "phase", "add", id, "Login flow"])).toBe(`${id}: added phase 2`);

    const early = await repo.rw(["initiative", "approve", id, "--phase", "1"]);
    expect(early.code).toBe(3);
    expect(early.stderr).toContain(`cannot approve a phase of ${id}: it is a draft`);
    expect(early.stderr).toContain(`rw initiative submit ${id}`);

    await step(["initiative", "submit", id]);
    await step(["initiative", "approve", id, "--phase", "1"]);
    const missing = await repo.rw(["initiative", "approve", id, "--phase", "7"]);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain(`${id} has no phase 7`);

    const a = await step(["create", "Sign tokens", "--initiative", id, "--phase", "1"]);
    const b = await step(["create", "Login form", "--initiative", id, "--phase", "2"]);
    expect((await repo.rw(["create", "Nope", "--initiative", id, "--phase", "3"])).stderr).toContain(`${id} has no phase 3`);

    expect((await json<{ tasks: { id: string }[] }>(["ready"])).tasks.map((t) => t.id)).toEqual([a]);
    const explain = await repo.rwOk(["ready", "--explain"]);
    expect(explain).toContain(`phase 2 of ${id} is not approved yet`);

    // The file on the ref: frontmatter with phases, the concept verbatim.
    const file = repo.git(["show", `rewind:initiatives/${id}.md`]);
    expect(file).toContain(`id: ${id}\ntitle: Auth rewrite\nstatus: approved\nphases:\n  - {n: 1, title: Token format, status: approved}\n  - {n: 2, title: Login flow, status: planned}\n`);
    expect(file.endsWith("---\n# Auth rewrite\n\nMove  from sessions to *tokens*.\n")).toBe(true);

    await step(["claim", a], "agent-1");
    await step(["done", a], "agent-1");
    // The phase completed in the same commit as the last task of it.
    const message = repo.git(["log", "-1", "--format=%B", "rewind"]);
    expect(message).toMatch(/Rewind-Event: \S+ task\.completed\nRewind-Event: \S+ phase\.completed\n/);
    let shown = await json<Shown>(["initiative", "show", id]);
    expect(shown.initiative.status).toBe("in_progress");
    expect(shown.phases.map((p) => [p.status, p.done, p.total])).toEqual([["done", 1, 1], ["planned", 0, 1]]);

    await step(["initiative", "approve", id, "--phase", "2"]);
    await step(["claim", "--next"], "agent-2");
    await step(["done", b], "agent-2");
    expect(repo.git(["log", "-1", "--format=%B", "rewind"])).toContain("initiative.completed");
    shown = await json<Shown>(["initiative", "show", id]);
    expect(shown.initiative.status).toBe("completed");

    // Reopening a task of a done phase reopens the phase and the initiative.
    await step(["reopen", b]);
    shown = await json<Shown>(["initiative", "show", id]);
    expect(shown.initiative.status).toBe("in_progress");
    expect(shown.phases[1]?.status).toBe("approved");

    const text = await repo.rwOk(["initiative", "show", id]);
    expect(text).toContain("Phase 1: Token format  (done)  [##########] 1/1");
    expect(text).toContain(`[ ] ${b}  Login form  (open)`);
    const phase2 = await json<{ tasks: { id: string }[] }>(["list", "--all", "--initiative", id, "--phase", "2"]);
    expect(phase2.tasks.map((t) => t.id)).toEqual([b]);
    expect((await json<{ count: number }>(["list", "--status", "open", "--status", "done", "--initiative", id])).count).toBe(2);
    const listed = await json(["initiative", "list"]);
    expect(listed).toMatchObject({ v: 1, count: 1, initiatives: [{ id, status: "in_progress", phases: { total: 2, done: 1 }, tasks: { total: 2, done: 1 } }] });
  });

  it("records decisions and cancels initiatives", async () => {
    repo = makeRepo({ init: true });
    const id = await step(["initiative", "new", "Search", "--phase", "Index"]);
    const t = await step(["create", "Build index", "--initiative", id, "--phase", "1"]);
    await step(["decide", "Use JWT, not sessions", "--initiative", id, "--why", "stateless API servers"], "bob");
    await step(["decide", "Cap results at 50", "--task", t]);
    const d = await json(["decisions"]);
    expect(d).toMatchObject({ v: 1, count: 2, decisions: [{ text: "Cap results at 50", task: t }, { text: "Use JWT, not sessions", actor: "bob", why: "stateless API servers", initiative: id }] });
    expect(await repo.rwOk(["decisions", "--initiative", id])).toContain("bob: Use JWT, not sessions");
    expect((await repo.rw(["decide", "x", "--initiative", "in-zzzz"])).code).toBe(4);

    await step(["initiative", "cancel", id, "--reason", "not now"]);
    expect((await repo.rw(["initiative", "submit", id])).stderr).toContain("it is cancelled");
    expect(await repo.rwOk(["ready", "--explain"])).toContain(`initiative ${id} is cancelled`);
    expect((await repo.rw(["create", "More", "--initiative", id])).stderr).toContain("is cancelled: it takes no new tasks");
    expect((await json(["initiative", "list", "--status", "cancelled"])).count).toBe(1);
  });

  it("keeps every value of a repeated option (phases, labels, gates, deps)", async () => {
    repo = makeRepo({ init: true });
    const id = await step(["initiative", "new", "Two phases", "--phase", "One", "--phase=Two, with a comma"]);
    expect((await json<Shown>(["initiative", "show", id])).phases.map((p) => p.status)).toEqual(["planned", "planned"]);
    expect(repo.git(["show", `rewind:initiatives/${id}.md`])).toContain('  - {n: 2, title: "Two, with a comma", status: planned}');
    const a = await step(["create", "a"]);
    const t = await step(["create", "t", "-l", "api", "--label", "db", "--gate", "npm test", "--gate", "npm run lint", "--dep", a]);
    expect(repo.git(["show", `rewind:tasks/${t}.md`])).toContain(`labels: [api, db]\ndeps: [${a}]\n`);
    expect(repo.git(["show", `rewind:tasks/${t}.md`])).toContain('gates: ["npm test", "npm run lint"]');
  });
});
