import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { executeTool, openSandbox, type ToolContext } from "../../../src/agents/tools/index.ts";
import { allowedBy, splitCommand } from "../../../src/agents/tools/run-command.ts";
import { waitFor } from "../../helpers/repo.ts";

let base: string;
let root: string;
let outside: string;
let ctx: ToolContext;

beforeEach(async () => {
  base = realpathSync(mkdtempSync(join(tmpdir(), "rw-tools-")));
  root = join(base, "work");
  outside = join(base, "secret");
  mkdirSync(join(root, "src"), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(outside, "key.txt"), "TOP SECRET\n");
  writeFileSync(join(root, "src", "a.ts"), "export const a = 1;\nexport const b = 2;\n");
  ctx = {
    sandbox: await openSandbox(root),
    secrets: ["sk-live-verysecretvalue"],
    limits: { allow: ["node", "ls", "git status"], timeout_ms: 5000, output_cap: 2000, env: { PATH: process.env.PATH } },
  };
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

const call = (name: string, input: Record<string, unknown>) => executeTool({ id: "1", name, input }, ctx);

describe("sandboxed file tools", () => {
  it("read, write (with parent dirs), exact edit, list and search inside the worktree", async () => {
    expect((await call("read_file", { path: "src/a.ts" })).content).toContain("export const a = 1;");
    expect(await call("write_file", { path: "lib/new/b.ts", content: "x\n" })).toMatchObject({ is_error: false });
    expect(readFileSync(join(root, "lib/new/b.ts"), "utf8")).toBe("x\n");
    expect((await call("edit_file", { path: "src/a.ts", old_string: "b = 2", new_string: "b = 3" })).content).toContain("1 replacement");
    expect(readFileSync(join(root, "src/a.ts"), "utf8")).toContain("b = 3");
    const ambiguous = await call("edit_file", { path: "src/a.ts", old_string: "export const", new_string: "const" });
    expect(ambiguous).toMatchObject({ is_error: true });
    expect(ambiguous.content).toContain("occurs 2 times");
    expect((await call("edit_file", { path: "src/a.ts", old_string: "nope", new_string: "x" })).content).toContain("not found");
    expect((await call("list_files", {})).content.split("\n")).toEqual(["lib/", "lib/new/", "lib/new/b.ts", "src/", "src/a.ts"]);
    expect((await call("search", { pattern: "const a" })).content).toBe("src/a.ts:1: export const a = 1;");
    expect((await call("search", { pattern: "^export const [ab]", regex: true })).content.split("\n")).toHaveLength(2);
  });

  it.each([
    ["a relative escape", "../secret/key.txt"],
    ["an absolute path outside", "/etc/passwd"],
    ["a deep relative escape", "src/../../secret/key.txt"],
    ["the .git directory", ".git/hooks/pre-commit"],
  ])("refuses %s and reports it to the model as a tool error", async (_what, path) => {
    for (const [tool, extra] of [["read_file", {}], ["write_file", { content: "pwned" }], ["edit_file", { old_string: "a", new_string: "b" }], ["list_files", {}], ["search", { pattern: "x" }]] as const) {
      const out = await call(tool, { path, ...extra });
      expect(out.is_error, `${tool} ${path}`).toBe(true);
      expect(out.content).toMatch(/outside the worktree|inside \.git/);
      expect(out.record.ok).toBe(false);
    }
    expect(readFileSync(join(outside, "key.txt"), "utf8")).toBe("TOP SECRET\n");
  });

  it("refuses symlinks that point out: a file link, a directory link, and a dangling link", async () => {
    symlinkSync(join(outside, "key.txt"), join(root, "link.txt"));
    symlinkSync(outside, join(root, "linkdir"));
    symlinkSync(join(outside, "nothing-here"), join(root, "dangling"));
    expect((await call("read_file", { path: "link.txt" })).content).toContain("outside the worktree");
    expect((await call("read_file", { path: "linkdir/key.txt" })).content).toContain("outside the worktree");
    expect((await call("write_file", { path: "linkdir/new.txt", content: "x" })).is_error).toBe(true);
    expect((await call("write_file", { path: "dangling", content: "x" })).is_error).toBe(true);
    expect(existsSync(join(outside, "new.txt"))).toBe(false);
    expect(existsSync(join(outside, "nothing-here"))).toBe(false);
    // Searching the tree does not follow the links out either.
    expect((await call("search", { pattern: "TOP SECRET" })).content).toBe("no matches");
  });

  it("refuses a directory symlink that a command created, when the model then uses it", async () => {
    const made = await call("run_command", { command: `node -e "require('fs').symlinkSync(process.argv[1], 'escape')" ${JSON.stringify(outside)}` });
    // The absolute path argument itself is refused before anything runs…
    expect(made.content).toContain("outside the worktree");
    // …so create the link from inside the program, where no argument names the target.
    const sneaky = await call("run_command", { command: `node -e "require('fs').symlinkSync(require('path').resolve('..','secret'), 'escape')"` });
    expect(sneaky.content).toContain("exit code 0");
    const read = await call("read_file", { path: "escape/key.txt" });
    expect(read).toMatchObject({ is_error: true });
    expect(read.content).toContain("outside the worktree");
  });
});

describe("run_command", () => {
  it("runs allow-listed commands without a shell and refuses the rest", async () => {
    expect((await call("run_command", { command: "ls src" })).content).toBe("exit code 0\na.ts\n");
    expect((await call("run_command", { command: "rm -rf src" })).content).toContain("is not allowed");
    expect((await call("run_command", { command: "ls; rm -rf src" })).content).toContain("shell syntax");
    expect((await call("run_command", { command: "ls $(pwd)" })).content).toContain("shell syntax");
    expect((await call("run_command", { command: "ls ../secret" })).content).toContain("outside the worktree");
    expect(existsSync(join(root, "src", "a.ts"))).toBe(true);
    const failed = await call("run_command", { command: `node -e "process.exit(3)"` });
    expect(failed).toMatchObject({ is_error: false, record: { ok: false } });
    expect(failed.content).toContain("exit code 3");
  });

  it("splits words with quotes and matches allow-list prefixes by whole words", () => {
    expect(splitCommand(`npm run "unit tests" --x='a b'`)).toEqual(["npm", "run", "unit tests", "--x=a b"]);
    expect(allowedBy(["npm", "run", "build"], ["npm run"])).toBe("npm run");
    expect(allowedBy(["npm", "install"], ["npm run", "npm test"])).toBeUndefined();
    expect(allowedBy(["npmx"], ["npm"])).toBeUndefined();
  });

  it("kills the whole process group at the timeout: a forked grandchild does not outlive it", async () => {
    ctx.limits.timeout_ms = 800;
    const pidFile = join(root, "grandchild.pid");
    const script = `const c=require('child_process').spawn('sleep',['60'],{stdio:'ignore'});require('fs').writeFileSync('grandchild.pid',String(c.pid));setInterval(()=>{},1000)`;
    const out = await call("run_command", { command: `node -e "${script}"` });
    expect(out.content).toContain("killed: timed out after 800 ms");
    const pid = Number(readFileSync(pidFile, "utf8"));
    await waitFor(() => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    }, { what: `grandchild ${pid} to be gone`, timeoutMs: 5000 });
  });

  it("caps output, keeping the head and the tail, and redacts secrets from what the model and the log see", async () => {
    const out = await call("run_command", { command: `node -e "console.log('start sk-live-verysecretvalue'); console.log('x'.repeat(10000)); console.log('the end')"` });
    expect(out.content.length).toBeLessThan(2200);
    expect(out.content).toContain("start [REDACTED]");
    expect(out.content).toContain("the end");
    expect(out.content).toContain("characters of output dropped");
    expect(JSON.stringify(out.record)).not.toContain("sk-live-verysecretvalue");
  });
});

describe("run_command: nothing a command started outlives it", () => {
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return !/^\S+ \S+ Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8").slice(readFileSync(`/proc/${pid}/stat`, "utf8").lastIndexOf(")") - 1));
    } catch {
      return false;
    }
  };
  // Each script records the PID to check in child.pid (by rename, so a reader never sees half a
  // file) before the command ends, then exits at once (or hangs to the timeout). Scripts are files:
  // inside `node -e "…"` the command's shell would expand `$!` itself.
  const spawnLine = (how: string): string => `const {spawn}=require('child_process');const fs=require('fs');const c=${how};fs.writeFileSync('child.tmp',String(c.pid));fs.renameSync('child.tmp','child.pid');c.unref()`;
  // Waits (synchronously, in the command) until the grandchild's shell has recorded it.
  const untilRecorded = "while(!require('fs').existsSync('child.pid'))Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0,20)";
  it.each([
    { name: "a setsid child (new session)", script: spawnLine(`spawn('setsid',['sleep','300'],{stdio:'ignore',detached:true})`), hang: false },
    { name: "a nohup … & grandchild of a shell", script: `require('child_process').execSync('nohup sleep 300 >/dev/null 2>&1 & echo $! > child.tmp; mv child.tmp child.pid')`, hang: false },
    { name: "a detached child of a command that hangs to the timeout", script: `${spawnLine(`spawn('sleep',['300'],{stdio:'ignore',detached:true})`)};setInterval(()=>{},1000)`, hang: true },
    {
      name: "a setsid double fork that cleared nothing but its parent",
      script: `require('child_process').spawn('setsid',['sh','-c','sleep 300 & echo $! > child.tmp; mv child.tmp child.pid; wait'],{stdio:'ignore',detached:true}).unref();${untilRecorded}`,
      hang: false,
    },
  ])("$name is killed", async ({ script, hang }) => {
    ctx.limits.timeout_ms = hang ? 1500 : 20_000;
    rmSync(join(root, "child.pid"), { force: true });
    writeFileSync(join(root, "spawn.cjs"), script);
    const out = await call("run_command", { command: "node spawn.cjs" });
    expect(out.content).toContain(hang ? "killed: timed out" : "exit code 0");
    const pid = await waitFor(() => Number(readFileSync(join(root, "child.pid"), "utf8").trim()) || undefined, { what: "child.pid" });
    await waitFor(() => !alive(pid), { what: `process ${pid} to be gone`, timeoutMs: 10_000 });
  });

  it("a backtracking regex search stops at its time limit without blocking the event loop", { timeout: 60_000 }, async () => {
    writeFileSync(join(root, "src", "evil.txt"), `${"a".repeat(40)}!\n`);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 100);
    const t0 = Date.now();
    // The limit the test sets, not the 10 s default: the worker spins a core until it is stopped.
    const out = await executeTool({ id: "1", name: "search", input: { pattern: "^(a+)+$", regex: true } }, { ...ctx, searchTimeMs: 1500 });
    clearInterval(timer);
    expect(out.is_error).toBe(true);
    expect(out.content).toMatch(/took longer than 1.5 s/);
    // The loop kept running while the worker matched: at least one tick per second elapsed.
    expect(ticks).toBeGreaterThanOrEqual(Math.floor((Date.now() - t0) / 1000));
    // A normal regex search still works the same.
    expect((await call("search", { pattern: "^export const [ab]", regex: true })).content.split("\n")).toHaveLength(2);
  });
});
