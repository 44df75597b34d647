import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { seedTasks } from "../helpers/race.ts";
import { baseEnv, makeRepo, RW_BIN, track, type RunResult } from "../helpers/repo.ts";

// dist/cli/rw.cjs (the bin) runs a hot verb from its own file (dist/cli/hot/<verb>.cjs, compiled
// with a V8 code cache) and every other verb from dist/cli/cli.js (scripts/build-cli.mjs);
// dist/cli/main.js, the bin of earlier builds, still runs it.
const ROOT = resolve(import.meta.dirname, "../..");
const FULL_CLI = join(ROOT, "dist", "cli", "cli.js");
const OLD_BIN = join(ROOT, "dist", "cli", "main.js");

function node(script: string, args: string[], cwd: string): Promise<RunResult> {
  return new Promise((done) => {
    execFile(process.execPath, [script, ...args], { cwd, env: baseEnv({ RW_ACTOR: "alice" }), maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      done({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** rw's package copied to a temp folder (dist/cli only, node_modules linked), so its caches are its own. */
function packageCopy(): { dir: string; bin: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "rw-pkg-"));
  cpSync(join(ROOT, "package.json"), join(dir, "package.json"));
  cpSync(join(ROOT, "dist", "cli"), join(dir, "dist", "cli"), { recursive: true, filter: (src) => !src.endsWith(".v8cache") });
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  return { dir, bin: join(dir, "dist", "cli", "rw.cjs"), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

describe("the rw launcher", () => {
  it("answers each hot verb exactly as the full CLI does, errors and exit codes included", async () => {
    const repo = track(makeRepo({ init: true }));
    const first = (JSON.parse(await repo.rwOk(["create", "Parse the config", "--json"], { actor: "alice" })) as { id: string }).id;
    await repo.rwOk(["create", "Write the docs", "--dep", first, "--label", "docs"], { actor: "alice" });
    for (const args of [["ready", "--json"], ["list", "--json"], ["show", first, "--json"], ["status", "--json"], ["ready"], ["show", "nope-zz"], ["claim", "--nxt"], ["list", "--help"]]) {
      const hot = await node(RW_BIN, args, repo.dir);
      const full = await node(FULL_CLI, args, repo.dir);
      expect({ args, ...hot }).toEqual({ args, ...full });
      expect({ args, ...(await node(OLD_BIN, args, repo.dir)) }).toEqual({ args, ...full });
    }
    const typo = await node(RW_BIN, ["claim", "--nxt"], repo.dir);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("--next");
  });

  it("prints its version without loading the CLI", async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    const r = await node(RW_BIN, ["--version"], tmpdir());
    expect(r).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
  });

  it("keeps a code cache per verb, and a corrupt or foreign cache only means compiling afresh", async () => {
    const pkg = track(packageCopy());
    const repo = track(makeRepo({ init: true }));
    await node(pkg.bin, ["create", "One task"], repo.dir);
    const hot = join(pkg.dir, "dist", "cli", "hot");
    const caches = (): string[] => readdirSync(hot).filter((f) => f.endsWith(".v8cache"));
    expect(caches().some((f) => f.startsWith("create.cjs."))).toBe(true);
    const before = (await node(pkg.bin, ["ready", "--json"], repo.dir)).stdout;
    const readyCache = join(hot, caches().find((f) => f.startsWith("ready.cjs."))!);
    writeFileSync(readyCache, "not a V8 code cache");
    const again = await node(pkg.bin, ["ready", "--json"], repo.dir);
    expect(again).toEqual({ code: 0, stdout: before, stderr: "" });
    expect(readFileSync(readyCache, "utf8")).not.toBe("not a V8 code cache"); // rewritten
    expect(readdirSync(hot).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    // A file changed after its cache was made (same length: V8 alone would take the old bytecode).
    await node(pkg.bin, ["claim", "--nxt"], repo.dir);
    const claimFile = join(hot, "claim.cjs");
    const text = readFileSync(claimFile, "utf8");
    expect(text).toContain("unknown option ");
    writeFileSync(claimFile, text.replaceAll("unknown option ", "unknown OPTION "));
    expect((await node(pkg.bin, ["claim", "--nxt"], repo.dir)).stderr).toContain("unknown OPTION --nxt");
    rmSync(join(pkg.dir, "dist", "cli", "cli.js"));
    expect(existsSync(join(hot, "show.cjs"))).toBe(true);
    // A hot verb needs nothing but its own file.
    expect((await node(pkg.bin, ["list"], repo.dir)).code).toBe(0);
  });

  it("prints long output whole to a pipe and to a file, and stops quietly when the reader does", async () => {
    const repo = track(makeRepo({ init: true }));
    await seedTasks(repo.dir, 700, (i) => `Task ${i} ${"with a long title ".repeat(12)}`);
    const piped = await node(RW_BIN, ["list", "--json"], repo.dir);
    expect(piped.code).toBe(0);
    expect(piped.stdout.length).toBeGreaterThan(256 * 1024); // past a pipe's buffer several times over
    expect((JSON.parse(piped.stdout) as { tasks: unknown[] }).tasks).toHaveLength(700);
    const file = join(repo.dir, "out.json");
    const shell = (script: string): Promise<RunResult> => new Promise((done) => {
      execFile("bash", ["-c", script], { cwd: repo.dir, env: baseEnv({ RW_ACTOR: "alice", RW_NODE: process.execPath, RW: RW_BIN }) }, (err, stdout, stderr) => {
        done({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
      });
    });
    expect((await shell(`"$RW_NODE" "$RW" list --json > '${file}'`)).code).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(piped.stdout);
    // `| head`: the reader goes away after 100 bytes; rw exits 0 without an EPIPE trace.
    const early = await shell(`"$RW_NODE" "$RW" list --json | head -c 100 >/dev/null; echo "rw=\${PIPESTATUS[0]}"`);
    expect(early.stdout.trim()).toBe("rw=0");
    expect(early.stderr).toBe("");
  });
});
