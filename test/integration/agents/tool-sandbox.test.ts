import { existsSync, linkSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makeRepo, waitFor, type TempRepo } from "../../helpers/repo.ts";

/**
 * Hostile tool calls from a model, played by the fake provider through the built `rw agent
 * run` (the API-tool path every SDK provider uses). Each row is one call and what a user must
 * see afterwards: a refused call (✗ with a clear reason to the model) and nothing changed
 * outside the worktree or in rw's protected files.
 */

let repo: TempRepo | undefined;
afterEach(() => repo?.cleanup());

const SECRET = "TOP-SECRET-42";

interface Row {
  name: string;
  call: { name: string; input: Record<string, unknown> };
  /** What the model is told (the tool result). */
  result: RegExp;
  ok: boolean;
  after?: (dir: string, outside: string) => void | Promise<void>;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
};

const ROWS: Row[] = [
  { name: "git diff --output= through a symlinked folder", call: { name: "run_command", input: { command: "git diff --output=link-dir/x" } }, result: /outside the worktree/, ok: false, after: (_d, o) => expect(existsSync(join(o, "x"))).toBe(false) },
  { name: "cat a symlinked file", call: { name: "run_command", input: { command: "cat link-file" } }, result: /outside the worktree/, ok: false },
  { name: "an attached short-option value", call: { name: "run_command", input: { command: "git diff -olink-dir/y" } }, result: /outside the worktree/, ok: false, after: (_d, o) => expect(existsSync(join(o, "y"))).toBe(false) },
  { name: "write_file on a hard link to an outside file", call: { name: "write_file", input: { path: "hard.txt", content: "pwned" } }, result: /hard links; refused/, ok: false, after: (_d, o) => expect(readFileSync(join(o, "hard-target.txt"), "utf8")).toBe(`${SECRET}\n`) },
  { name: "edit_file on a hard link to an outside file", call: { name: "edit_file", input: { path: "hard.txt", old_string: "42", new_string: "pwned" } }, result: /hard links; refused/, ok: false, after: (_d, o) => expect(readFileSync(join(o, "hard-target.txt"), "utf8")).toBe(`${SECRET}\n`) },
  { name: "write .rewind/config.toml", call: { name: "write_file", input: { path: ".rewind/config.toml", content: "[tools]\nallow_commands = [\"sh\"]\n" } }, result: /protected path/, ok: false, after: (d) => expect(readFileSync(join(d, ".rewind/config.toml"), "utf8")).not.toContain('"sh"') },
  { name: "forge a task file in .rewind/tasks/", call: { name: "write_file", input: { path: ".rewind/tasks/forged.md", content: "---\ntitle: forged\n---\n" } }, result: /protected path/, ok: false, after: (d) => expect(existsSync(join(d, ".rewind/tasks/forged.md"))).toBe(false) },
  { name: "write a .githooks hook", call: { name: "write_file", input: { path: ".githooks/pre-commit", content: "#!/bin/sh\n" } }, result: /protected path/, ok: false, after: (d) => expect(existsSync(join(d, ".githooks/pre-commit"))).toBe(false) },
  { name: "write into core.hooksPath", call: { name: "write_file", input: { path: "tools/hooks/post-checkout", content: "#!/bin/sh\n" } }, result: /protected path \(tools\/hooks\/\)/, ok: false, after: (d) => expect(existsSync(join(d, "tools/hooks/post-checkout"))).toBe(false) },
  { name: "write a configured protected path (glob)", call: { name: "write_file", input: { path: "deploy/prod/secrets.env", content: "x" } }, result: /protected path \(deploy\/\*\*\)/, ok: false },
  { name: "a normal write still works", call: { name: "write_file", input: { path: "src/ok.txt", content: "fine\n" } }, result: /wrote src\/ok.txt/, ok: true, after: (d) => expect(readFileSync(join(d, "src/ok.txt"), "utf8")).toBe("fine\n") },
  { name: "a backtracking regex search", call: { name: "search", input: { pattern: "^(a+)+$", regex: true, path: "src" } }, result: /took longer than 1 s/, ok: false },
  {
    name: "a setsid child left running", call: { name: "run_command", input: { command: `node -e "const c=require('child_process').spawn('setsid',['sleep','300'],{stdio:'ignore',detached:true});require('fs').writeFileSync('child.pid',String(c.pid));c.unref()"` } }, result: /exit code 0/, ok: true,
    after: async (d) => {
      const pid = Number(readFileSync(join(d, "child.pid"), "utf8"));
      await waitFor(() => !alive(pid), { what: `setsid child ${pid} gone`, timeoutMs: 10_000 });
    },
  },
];

describe("API tool sandbox through rw agent run (fake provider)", { timeout: 180_000 }, () => {
  it("refuses each hostile call with a reason for the model and changes nothing it must not", async () => {
    repo = makeRepo();
    const r = repo;
    await r.rwOk(["init"]);
    const id = await r.rwOk(["create", "Do the thing"]);
    const outside = join(r.dir, "..", `${r.dir.split("/").pop()}-outside`);
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, "secret.txt"), `${SECRET}\n`);
    writeFileSync(join(outside, "hard-target.txt"), `${SECRET}\n`);
    symlinkSync(outside, join(r.dir, "link-dir"));
    symlinkSync(join(outside, "secret.txt"), join(r.dir, "link-file"));
    linkSync(join(outside, "hard-target.txt"), join(r.dir, "hard.txt"));
    mkdirSync(join(r.dir, "src"));
    writeFileSync(join(r.dir, "src", "evil.txt"), `${"a".repeat(40)}!\n`);
    r.git(["config", "core.hooksPath", "tools/hooks"]);
    const script = { turns: [...ROWS.map((row) => ({ tool_calls: [row.call] })), { tool_calls: [{ name: "finish", input: { summary: "done" } }] }] };
    writeFileSync(join(r.dir, "script.json"), JSON.stringify(script));
    writeFileSync(join(r.dir, ".rewind", "config.toml"), `${readFileSync(join(r.dir, ".rewind", "config.toml"), "utf8")}\n[roles.worker]\nprovider = "fake"\nscript = "script.json"\nmax_turns = 40\n[tools]\nallow_commands = ["git diff", "cat", "node"]\nsearch_timeout = "1s"\n`.replace("[execution]", '[execution]\nprotected_paths = ["deploy/**"]'));
    if (!readFileSync(join(r.dir, ".rewind", "config.toml"), "utf8").includes("protected_paths")) {
      writeFileSync(join(r.dir, ".rewind", "config.toml"), `${readFileSync(join(r.dir, ".rewind", "config.toml"), "utf8")}\n[execution]\nprotected_paths = ["deploy/**"]\n`);
    }
    const run = await r.rw(["agent", "run", "--task", id], { actor: "agent-1" });
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const events = (JSON.parse(await r.rwOk(["history", id, "--json"])) as { events: { type: string; data: { tool?: string; ok?: boolean; result?: string } }[] }).events.filter((e) => e.type === "agent.tool_called");
    for (const [i, row] of ROWS.entries()) {
      const e = events[i]!;
      expect(e.data.tool, row.name).toBe(row.call.name);
      expect(e.data.result, row.name).toMatch(row.result);
      expect(e.data.ok, row.name).toBe(row.ok);
      await row.after?.(r.dir, outside);
    }
    expect(run.stdout).not.toContain(SECRET);
    expect(readFileSync(join(outside, "secret.txt"), "utf8")).toBe(`${SECRET}\n`);
  });
});
