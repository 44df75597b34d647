import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RW_BIN, baseEnv, makeRepo, type TempRepo } from "../helpers/repo.ts";
import { eventsOnRef, expectDoctorOk, initRepo, rwFails, rwJson, writeConfig } from "../helpers/rw.ts";

/**
 * Issue 14, input half: unknown or malformed input is an error that names it (with the nearest
 * valid name), every status change passes the lifecycle guard, and the exit code says which kind
 * of error it was. Each table row is a case found by hand against the old code.
 */

let repo: TempRepo;
let held: string;
let open: string;
beforeAll(async () => {
  repo = makeRepo({ init: true, config: '[ids]\nprefix = "st"\n' });
  held = await repo.rwOk(["create", "Held by agent-3"]);
  open = await repo.rwOk(["create", "Open task"]);
  await repo.rwOk(["claim", held], { actor: "agent-3" });
});
afterAll(() => repo?.cleanup());

describe("lifecycle guards on every status change", () => {
  const refused: Array<[string, string[]]> = [
    ["edit --status done", ["edit", "HELD", "--status", "done"]],
    ["edit --status cancelled", ["edit", "HELD", "--status", "cancelled"]],
    ["edit --status open", ["edit", "HELD", "--status", "open"]],
    ["edit --status blocked", ["edit", "HELD", "--status", "blocked", "--reason", "x"]],
    ["cancel", ["cancel", "HELD"]],
    ["block", ["block", "HELD", "--reason", "mine now"]],
    ["done", ["done", "HELD"]],
  ];
  it.each(refused)("%s of a task claimed by someone else: exit 3, nothing recorded", async (_name, args) => {
    const before = repo.git(["rev-parse", "rewind"]);
    await rwFails(repo, args.map((a) => (a === "HELD" ? held : a)), 3, new RegExp(`${held} is claimed by agent-3, not by intruder`), { actor: "intruder" });
    expect(repo.git(["rev-parse", "rewind"])).toBe(before);
  });

  it("MCP update {status: done} by another agent is refused the same way (no force argument for agents)", async () => {
    const env = Object.fromEntries(Object.entries(baseEnv({ RW_ACTOR: "other-agent" })).filter((e): e is [string, string] => e[1] !== undefined));
    const client = new Client({ name: "strict-test", version: "1.0.0" });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [RW_BIN, "mcp"], cwd: repo.dir, env, stderr: "pipe" }));
    try {
      const r = (await client.callTool({ name: "update", arguments: { id: held, status: "done" } })) as { content: Array<{ text?: string }>; isError?: boolean };
      expect(r.isError).toBe(true);
      expect(r.content.map((c) => c.text).join("")).toMatch(/claimed by agent-3/);
    } finally {
      await client.close();
    }
    expect((await rwJson<{ task: { status: string } }>(repo, ["show", held])).task.status).toBe("in_progress");
  });

  it("a mirror edit of someone else's claimed task becomes a problem, not a status change", async () => {
    const file = join(repo.dir, ".rewind", "tasks", `${held}.md`);
    mkdirSync(join(repo.dir, ".rewind", "tasks"), { recursive: true });
    await repo.rwOk(["list"]); // a command syncs the mirror first: the task files are written
    writeFileSync(file, readFileSync(file, "utf8").replace("status: in_progress", "status: cancelled"));
    await repo.rwOk(["list"], { actor: "intruder" });
    expect((await rwJson<{ task: { status: string } }>(repo, ["show", held])).task.status).toBe("in_progress");
    expect(readFileSync(join(repo.dir, ".rewind", "PROBLEMS.md"), "utf8")).toMatch(/claimed by agent-3/);
    writeFileSync(file, readFileSync(file, "utf8").replace("status: cancelled", "status: in_progress"));
    await repo.rwOk(["list"]);
  });

  it("--force overrides and the event records whose claim it overrode", async () => {
    const t = await repo.rwOk(["create", "Forced"]);
    await repo.rwOk(["claim", t], { actor: "agent-4" });
    await repo.rwOk(["edit", t, "--status", "done", "--force"], { actor: "lead" });
    const done = eventsOnRef(repo).filter((e) => e.task === t && e.type === "task.completed");
    expect(done).toEqual([expect.objectContaining({ actor: "lead", data: expect.objectContaining({ forced: true, overrode: "agent-4" }) as unknown })]);
  });
});

describe("CLI arguments", () => {
  const cases: Array<[string, string[], number, RegExp]> = [
    ["an unquoted multi-word title", ["create", "Two", "words", "unquoted"], 2, /rw create takes one title, got 3 words: Two words unquoted[\s\S]*quote them: rw create "Two words unquoted"/],
    ["two IDs to show", ["show", "OPEN", "st-zzzz"], 2, /rw show takes one task ID, got 2/],
    ["a misspelt option", ["ready", "--limt", "3"], 2, /unknown option --limt for rw ready; did you mean --limit\?/],
    ["an option of another command", ["list", "--lease", "1h"], 2, /unknown option --lease for rw list/],
    ["an extra argument to note", ["note", "OPEN", "two", "words"], 2, /quote them: rw note st-\w+ "two words"/],
  ];
  it.each(cases)("%s is a usage error", async (_name, args, code, message) => {
    const before = repo.git(["rev-parse", "rewind"]);
    await rwFails(repo, args.map((a) => (a === "OPEN" ? open : a)), code, message);
    expect(repo.git(["rev-parse", "rewind"])).toBe(before);
  });
});

describe("text fields refuse control characters on every surface", () => {
  const esc = "\u001b]0;pwned\u0007";
  const cases: Array<[string, string[], RegExp]> = [
    ["a title with an OSC escape", ["create", `Title${esc}`], /title contains U\+001B \(ESC\)/],
    ["a title with a newline", ["create", "line one\nfake row"], /title contains U\+000A \(newline\)/],
    ["a title with a C1 CSI", ["create", "a\u009b2Jb"], /title contains U\+009B \(CSI\)/],
    ["a label with ESC", ["create", "ok", "--label", "a\u001bb"], /invalid label/],
    ["an actor with a newline", ["create", "ok", "--actor", "evil\nRewind-Actor: root"], /actor/],
    ["an edit of a title", ["edit", "OPEN", "--title", `x${esc}`], /title contains U\+001B/],
    ["a note with ESC", ["note", "OPEN", `see ${esc}`], /note contains U\+001B/],
    ["a reason with BEL", ["block", "OPEN", "--reason", "wait\u0007"], /reason contains U\+0007/],
  ];
  it.each(cases)("%s: exit 2, nothing written", async (_name, args, message) => {
    const before = repo.git(["rev-parse", "rewind"]);
    await rwFails(repo, args.map((a) => (a === "OPEN" ? open : a)), 2, message);
    expect(repo.git(["rev-parse", "rewind"])).toBe(before);
  });

  it("a NUL in a body file is refused (it would break git fsck and every push to a strict remote)", async () => {
    writeFileSync(join(repo.dir, "nul.md"), "before\u0000after\n");
    await rwFails(repo, ["create", "ok", "--body-file", "nul.md"], 2, /body contains U\+0000 \(NUL\)/);
    rmSync(join(repo.dir, "nul.md"));
  });

  it("MCP create with NUL or ESC in the title is refused", async () => {
    const env = Object.fromEntries(Object.entries(baseEnv({ RW_ACTOR: "agent-9" })).filter((e): e is [string, string] => e[1] !== undefined));
    const client = new Client({ name: "strict-test", version: "1.0.0" });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [RW_BIN, "mcp"], cwd: repo.dir, env, stderr: "pipe" }));
    try {
      for (const title of ["a\u0000b", `x${esc}`]) {
        const r = (await client.callTool({ name: "create", arguments: { title } })) as { content: Array<{ text?: string }>; isError?: boolean };
        expect(r.isError, title).toBe(true);
        expect(r.content.map((c) => c.text).join("")).toMatch(/title contains U\+00(00|1B)/);
      }
    } finally {
      await client.close();
    }
  });

  it("tab and newlines stay allowed in a body", async () => {
    const id = await repo.rwOk(["create", "Body ok", "--body", "line 1\n\tindented\nline 3"]);
    expect((await rwJson<{ task: { body: string } }>(repo, ["show", id])).task.body).toBe("line 1\n\tindented\nline 3\n");
  });
});

describe("IDs named after Object.prototype members are just unknown", () => {
  const names = ["constructor", "__proto__", "hasOwnProperty", "toString", "valueOf", "isPrototypeOf"];
  const commands = (id: string): string[][] => [["show", id], ["edit", id, "--title", "x"], ["claim", id], ["done", id], ["note", id, "hi"], ["history", id], ["cancel", id]];
  it.each(names)("%s: not found (exit 4) for every ID-taking command, no event", async (name) => {
    const before = repo.git(["rev-parse", "rewind"]);
    for (const args of commands(name)) await rwFails(repo, args, 4, `task ${name} not found`);
    expect(repo.git(["rev-parse", "rewind"])).toBe(before);
  });

  it("--dep constructor is refused as not found", async () => {
    await rwFails(repo, ["create", "waits", "--dep", "constructor"], 4, "task constructor not found");
    await rwFails(repo, ["dep", "add", open, "toString"], 4, "task toString not found");
  });
});

describe("durations, numbers and dates are bounded", () => {
  const cases: Array<[string, string[], RegExp]> = [
    ["a five-digit year", ["create", "later", "--defer", "99999-01-01"], /defer_until is not a date: "99999-01-01"[\s\S]*four-digit year/],
    ["a lease past Node's timer limit", ["claim", "OPEN", "--lease", "100d"], /--lease "100d" is too long: the limit is 24d 20h 31m 23s \(2\^31-1 ms/],
    ["a heartbeat lease past it", ["heartbeat", "HELD", "--lease", "25d"], /too long/],
    ["a priority of 9", ["create", "x", "-p", "9"], /priority must be a whole number from 0/],
    ["a limit that is not a number", ["ready", "--limit", "abc"], /--limit must be a whole number/],
  ];
  it.each(cases)("%s: exit 2", async (_name, args, message) => {
    await rwFails(repo, args.map((a) => (a === "OPEN" ? open : a === "HELD" ? held : a)), 2, message, { actor: "agent-3" });
  });
});

describe("config.toml: unknown names are errors with the nearest valid one", () => {
  const cases: Array<[string, string, RegExp]> = [
    ["[agent.worker]", '[agent.worker]\nprovider = "openai"\n', /unknown table \[agent\.worker\]; did you mean \[roles\.worker\]\?/],
    ["max_retris", "[execution]\nmax_retris = 3\n", /execution\.max_retris is not a known setting; did you mean execution\.max_retries\?/],
    ["[__proto__]", "[__proto__]\nx = 1\n", /unknown table \[__proto__\]/],
    ["a top-level typo", "verison = 1\n", /unknown setting verison; did you mean version\?/],
    ["store.ref = main", '[store]\nref = "refs/heads/main"\n', /store\.ref is refs\/heads\/main, a code branch/],
    ["store.ref outside refs/heads", '[store]\nref = "refs/tags/state"\n', /store\.ref must be a branch ref under refs\/heads\//],
    ["store.ref = an existing code branch", '[store]\nref = "refs/heads/feature"\n', /store\.ref is refs\/heads\/feature, an existing branch that is not rw's state/],
    ["claims.lease = 100d", '[claims]\nlease = "100d"\n', /claims\.lease "100d" is too long: the limit is 24d/],
    ["gate_timeout = 30d", '[execution]\ngate_timeout = "30d"\n', /execution\.gate_timeout "30d" is too long/],
  ];
  it.each(cases)("%s", async (_name, config, message) => {
    const r2 = makeRepo();
    try {
      await initRepo(r2);
      r2.git(["branch", "feature"]);
      writeConfig(r2, config);
      await rwFails(r2, ["ready"], 1, message);
    } finally {
      r2.cleanup();
    }
  });

  it("a misspelt key in an agent section names the nearest one when an agent command reads it", async () => {
    const r2 = makeRepo();
    try {
      await initRepo(r2);
      writeConfig(r2, '[roles.worker]\nmodle = "x"\n');
      await rwFails(r2, ["config", "show"], 1, /roles\.worker\.modle is not a known setting; did you mean roles\.worker\.model\?/);
    } finally {
      r2.cleanup();
    }
  });
});

describe("one exit-code table", () => {
  it.each([
    ["usage: unknown option", ["list", "--nope"], 2],
    ["usage: bad value", ["create", "x", "-p", "9"], 2],
    ["usage: a dependency cycle", ["dep", "add", "OPEN", "OPEN"], 2],
    ["not found", ["show", "st-none"], 4],
    ["state: reopen of an open task", ["reopen", "OPEN"], 3],
    ["state: release of an unheld task", ["release", "OPEN"], 3],
    ["state: claim of a task someone holds", ["claim", "HELD"], 3],
    ["state: daemon status when nothing runs", ["daemon", "status"], 3],
  ] as Array<[string, string[], number]>)("%s → exit %s", async (_name, args, code) => {
    const r = await repo.rw(args.map((a) => (a === "OPEN" ? open : a === "HELD" ? held : a)), { actor: "someone" });
    expect(r.code, r.stderr).toBe(code);
  });

  it("--help is plain text in a pipe even without NO_COLOR", () => {
    const env = { ...baseEnv() };
    delete env.NO_COLOR;
    env.FORCE_COLOR = "1";
    const r = spawnSync(process.execPath, [RW_BIN, "create", "--help"], { cwd: repo.dir, env, encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("USAGE");
    expect(r.stdout.includes(String.fromCharCode(27))).toBe(false);
  });

  it("the state is still exactly what its log says", async () => {
    await expectDoctorOk(repo);
  });
});
