import { existsSync, readFileSync, symlinkSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makeRepo, type TempRepo } from "../helpers/repo.ts";
import { rwFails, rwJson } from "../helpers/rw.ts";

// Issue 16 "Beyond them": `rw prime` (what `bd prime` does for agents) and `rw init --agents`,
// through the built rw.
let repo: TempRepo | undefined;
afterEach(() => {
  repo?.cleanup();
  repo = undefined;
});

const BEGIN = "<!-- rw:agents begin -->";
const END = "<!-- rw:agents end -->";

describe("rw prime and rw init --agents", { timeout: 240_000 }, () => {
  it("rw prime: the loop, commands that exist, and the tasks ready now in ready order", async () => {
    repo = makeRepo();
    const r = repo;
    await r.rwOk(["init"]);
    expect(await r.rwOk(["prime"])).toContain("Nothing is ready.");
    const low = await r.rwOk(["create", "Tidy the docs", "-p", "3"]);
    const top = await r.rwOk(["create", "Fix the login bug", "-p", "0"]);
    const mid = await r.rwOk(["create", "Add a health check"]);
    const text = await r.rwOk(["prime", "-n", "2"]);
    expect(text).toContain("rw claim ID");
    expect(text).toContain("The claim lasts 30m");
    expect(text).toContain("## Ready now (3)");
    expect(text).toContain(`- ${top} P0 Fix the login bug\n- ${mid} P2 Add a health check\n- … and 1 more`);
    expect(text).not.toContain(low);
    // Every command the guide tells an agent to run exists (a guide naming a missing verb is worse than none).
    const verbs = new Set([...text.matchAll(/`rw ([a-z]+)/g)].map((m) => m[1]!));
    expect(verbs.size).toBeGreaterThan(10);
    for (const verb of verbs) expect((await r.rw([verb, "--help"])).code, `rw ${verb} --help`).toBe(0);
    const json = await rwJson<{ count: number; total: number; ready: Array<{ id: string }>; text: string }>(r, ["prime"]);
    expect(json).toMatchObject({ count: 3, total: 3 });
    expect(json.ready.map((t) => t.id)).toEqual([top, mid, low]);
    // The lease named is the configured one.
    writeFileSync(join(r.dir, ".rewind/config.toml"), "[claims]\nlease = \"45m\"\n");
    expect(await r.rwOk(["prime"])).toContain("The claim lasts 45m");
  });

  it("rw init --agents writes one marked section, idempotently, and keeps every other byte", async () => {
    repo = makeRepo();
    const r = repo;
    const agents = join(r.dir, "AGENTS.md");
    const claude = join(r.dir, "CLAUDE.md");
    // No AGENTS.md yet: created; no CLAUDE.md: not created.
    const first = await rwJson<{ agents_files: Array<{ file: string; change: string }> }>(r, ["init", "--agents"]);
    expect(first.agents_files).toEqual([{ file: "AGENTS.md", change: "created" }]);
    expect(existsSync(claude)).toBe(false);
    expect(readFileSync(agents, "utf8")).toMatch(new RegExp(`^${BEGIN}\\n[\\s\\S]*rw ready[\\s\\S]*${END}\\n$`));

    // The user's own text around the section stays exactly as written, CRLF included.
    const mine = "# Project rules\r\n\r\nUse tabs.\r\n";
    const crlf = readFileSync(agents, "utf8").replaceAll("\n", "\r\n").replace("rw ready", "something I typed");
    writeFileSync(agents, `${mine}${crlf}\r\nMore of my notes, no newline at the end`);
    writeFileSync(claude, "# Claude\n\nBe brief.");
    const second = await rwJson<{ agents_files: Array<{ file: string; change: string }> }>(r, ["init", "--agents"]);
    expect(second.agents_files).toEqual([{ file: "AGENTS.md", change: "updated" }, { file: "CLAUDE.md", change: "appended" }]);
    const a = readFileSync(agents, "utf8");
    expect(a.startsWith(mine)).toBe(true);
    expect(a.endsWith(`${END}\r\n\r\nMore of my notes, no newline at the end`)).toBe(true);
    expect(a.replaceAll("\r\n", "")).not.toContain("\n"); // the section follows the file's CRLF
    expect(a).not.toContain("something I typed");
    expect(a.split(BEGIN)).toHaveLength(2);
    const c = readFileSync(claude, "utf8");
    expect(c.startsWith("# Claude\n\nBe brief.\n\n" + BEGIN + "\n")).toBe(true);

    // Running it again changes nothing, byte for byte.
    const third = await r.rwOk(["init", "--agents"]);
    expect(third).toContain("kept AGENTS.md (its rw section is current)");
    expect(readFileSync(agents, "utf8")).toBe(a);
    expect(readFileSync(claude, "utf8")).toBe(c);

    // Broken markers: refused, nothing written (not even the other, healthy file).
    writeFileSync(claude, `${c}\n${BEGIN}\n`);
    writeFileSync(agents, a.replace("rw ready", "stale"));
    await rwFails(r, ["init", "--agents"], 2, "CLAUDE.md: its rw section markers are broken");
    expect(readFileSync(agents, "utf8")).toBe(a.replace("rw ready", "stale"));
  });

  it("rw init --agents follows a link inside the work tree once and refuses one that leaves it", async () => {
    repo = makeRepo();
    const r = repo;
    writeFileSync(join(r.dir, "AGENTS.md"), "# Rules\n");
    symlinkSync("AGENTS.md", join(r.dir, "CLAUDE.md"));
    const res = await rwJson<{ agents_files: Array<{ file: string; change: string }> }>(r, ["init", "--agents"]);
    expect(res.agents_files).toEqual([{ file: "AGENTS.md", change: "appended" }]);
    expect(readFileSync(join(r.dir, "AGENTS.md"), "utf8").split(BEGIN)).toHaveLength(2);

    const outside = mkdtempSync(join(tmpdir(), "rw-outside-"));
    try {
      const bashrc = join(outside, ".bashrc");
      writeFileSync(bashrc, "export PATH=$PATH\n");
      rmSync(join(r.dir, "CLAUDE.md"));
      symlinkSync(bashrc, join(r.dir, "CLAUDE.md"));
      await rwFails(r, ["init", "--agents"], 2, "CLAUDE.md links outside this work tree");
      expect(readFileSync(bashrc, "utf8")).toBe("export PATH=$PATH\n");
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
