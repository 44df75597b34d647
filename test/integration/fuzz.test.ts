import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RW_BIN, baseEnv, makeRepo, type TempRepo } from "../helpers/repo.ts";
import { expectDoctorOk } from "../helpers/rw.ts";
import { mulberry32 } from "../helpers/prng.ts";

/**
 * Issue 14's fuzz test: hostile input on the three text surfaces (MCP tool arguments, mirror
 * files, CLI arguments), through the built `rw` and the MCP SDK's own client, in one repository.
 * Every case must end as "accepted and valid" or "a clear error"; never a crash, an internal
 * error or a stack trace; the ref always passes `rw doctor`; a refused mirror file is never
 * changed or removed.
 *
 * Deterministic: a small PRNG (mulberry32) from FUZZ_SEED (default below). Every failure message
 * names the seed and the case, so `FUZZ_SEED=<n> npx vitest run test/integration/fuzz.test.ts`
 * replays it; FUZZ_CASES scales the number of cases.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 0x14f022);
const SCALE = Number(process.env.FUZZ_CASES ?? 1);

const rand = mulberry32(SEED);
const int = (n: number): number => Math.floor(rand() * n);
const pick = <T,>(xs: readonly T[]): T => xs[int(xs.length)]!;
const chance = (p: number): boolean => rand() < p;

// eslint-disable-next-line no-control-regex -- finding raw control characters is the point
const RAW_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
/** What a JavaScript bug looks like when it leaks into an answer instead of a clear error. */
const INTERNAL = /is not iterable|Cannot read propert|Cannot set propert|is not a function|is not defined|Invalid time value|Invalid string length|Maximum call stack|Unexpected token|\n\s+at [^\n]*[.](?:ts|js|mjs):\d+/;

const NASTY = [
  "", " ", "plain words", "__proto__", "constructor", "hasOwnProperty", "toString", "../../etc/passwd", "%s%n%x", "null", "true", "0", "-1",
  "esc \u001b[31mred\u001b[0m", "osc \u001b]0;pwned\u0007", "nul\u0000byte", "line\nbreak", "cr\rreturn", "tab\there", "bell\u0007", "c1 \u009b2J",
  "sep\u2028line", "lone \ud800 surrogate", "rtl \u202e txt", "emoji 🦀", "x".repeat(5000), "a,b:[c]{d}#'\"", "2026-12-01", "99999-01-01", "30d", "1e999",
];
const nastyString = (ids: string[]): string => (chance(0.25) && ids.length > 0 ? (chance(0.5) ? pick(ids) : pick(ids).slice(0, 2 + int(4))) : chance(0.3) ? `${pick(NASTY)}${pick(NASTY)}` : pick(NASTY));

function nastyValue(ids: string[], depth = 0): unknown {
  switch (int(depth > 2 ? 5 : 8)) {
    case 0: case 1: return nastyString(ids);
    case 2: return pick([0, -1, 1, 2, 4, 5, 9, 1.5, -0, 2 ** 31, 2 ** 53, 1e308, Number.MAX_SAFE_INTEGER]);
    case 3: return pick([true, false, null]);
    case 4: return pick(["1", "two", " 3 ", "true", "false", "[]", "{}"]);
    case 5: return Array.from({ length: int(4) }, () => nastyValue(ids, depth + 1));
    case 6: return Object.fromEntries(Array.from({ length: int(3) }, () => [pick(["a", "id", "__proto__", "constructor", "x y"]), nastyValue(ids, depth + 1)]));
    default: return JSON.parse('{"__proto__":{"polluted":true},"id":"x"}') as unknown;
  }
}

/** A value of the type the schema asks for, from the hostile pool where that is a string. */
function typedValue(name: string, schema: { type?: string; enum?: unknown[]; items?: { type?: string; enum?: unknown[] } }): unknown {
  if (schema.enum) return pick(schema.enum);
  if (/^(id|parent|task|on|blocks|initiative)$/.test(name) || /_id$/.test(name)) return pick(ids);
  switch (schema.type) {
    case "number": case "integer": return int(5);
    case "boolean": return chance(0.5);
    case "array": return schema.items?.enum ? [pick(schema.items.enum)] : chance(0.5) && name.includes("dep") ? [pick(ids)] : [chance(0.7) ? `fuzz-${int(100)}` : nastyString(ids)];
    default: return chance(0.7) ? `Fuzz ${name} ${int(1000)}` : nastyString(ids);
  }
}

/** A typo of a real argument name, or a name of another tool. */
const misspelt = (name: string): string => pick([`${name}s`, name.slice(1), name.replace(/_/g, ""), `${name}_id`, "task_id", "labels_any", "__proto__", "constructor", "statuss"]);

let repo: TempRepo;
const ids: string[] = [];
beforeAll(async () => {
  repo = makeRepo({ init: true });
  for (const t of ["First fuzz target", "Second fuzz target", "Third fuzz target"]) ids.push(await repo.rwOk(["create", t]));
});
afterAll(() => repo?.cleanup());

describe(`fuzz (FUZZ_SEED=${SEED})`, { timeout: 300_000 }, () => {
  it("MCP tools: random and hostile arguments over one stdio session: a valid answer or a clear error, never a crash", async () => {
    const env = Object.fromEntries(Object.entries(baseEnv({ RW_ACTOR: "fuzz-agent", RW_MCP_TOOLS: "all" })).filter((e): e is [string, string] => e[1] !== undefined));
    const transport = new StdioClientTransport({ command: process.execPath, args: [RW_BIN, "mcp"], cwd: repo.dir, env, stderr: "pipe" });
    let stderr = "";
    transport.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    const client = new Client({ name: "fuzz", version: "1.0.0" });
    await client.connect(transport);
    try {
      // `plan` calls a model (the planner role): not this test's surface.
      const tools = (await client.listTools()).tools.filter((t) => t.name !== "plan");
      expect(tools.length).toBeGreaterThan(20);
      let accepted = 0;
      let refused = 0;
      const cases = 240 * SCALE;
      for (let n = 0; n < cases; n++) {
        const tool = pick(tools);
        const props = Object.keys(tool.inputSchema.properties ?? {});
        const args: Record<string, unknown> = {};
        const schema = (tool.inputSchema.properties ?? {}) as Record<string, { type?: string; enum?: unknown[] }>;
        const required = new Set(tool.inputSchema.required ?? []);
        // Mostly well-typed values (so that accepted calls happen and reach deep code), hostile ones often enough.
        for (const p of props) if (chance(required.has(p) ? 0.95 : 0.4)) args[p] = chance(0.55) ? typedValue(p, schema[p] ?? {}) : nastyValue(ids);
        if (chance(0.15) && props.length > 0) args[misspelt(pick(props))] = nastyValue(ids);
        const where = `FUZZ_SEED=${SEED} case ${n}: ${tool.name} ${JSON.stringify(args).slice(0, 300)}`;
        let r: { content?: Array<{ type: string; text?: string }>; isError?: boolean; structuredContent?: unknown };
        try {
          // The SDK client checks structuredContent against the tool's outputSchema: an accepted call must match it.
          r = (await client.callTool({ name: tool.name, arguments: args })) as typeof r;
        } catch (err) {
          throw new Error(`${where}\nthe call threw instead of answering: ${(err as Error).message}\nserver stderr: ${stderr.slice(-2000)}`);
        }
        const text = (r.content ?? []).map((c) => c.text ?? "").join("");
        expect(text, where).not.toBe("");
        expect(text, where).not.toMatch(INTERNAL);
        if (r.isError) {
          refused++;
          expect(text, where).toMatch(/^rw: \S/);
        } else {
          accepted++;
          expect(r.structuredContent, where).toBeTypeOf("object");
          for (const id of (r.structuredContent as { id?: unknown }).id !== undefined ? [(r.structuredContent as { id: unknown }).id] : []) {
            if (typeof id === "string" && tool.name === "create") ids.push(id);
          }
        }
      }
      // Both outcomes happened (a generator that only ever produced errors would prove nothing).
      expect(accepted, `FUZZ_SEED=${SEED}`).toBeGreaterThan(cases / 10);
      expect(refused, `FUZZ_SEED=${SEED}`).toBeGreaterThan(cases / 10);
      // The server is still there and answers.
      const ready = (await client.callTool({ name: "list", arguments: {} })) as { isError?: boolean };
      expect(ready.isError).toBeFalsy();
    } finally {
      await client.close();
    }
    expect(stderr, `FUZZ_SEED=${SEED}`).not.toMatch(INTERNAL);
    await expectDoctorOk(repo);
  });

  it("mirror files: random and hostile frontmatter and bodies: recorded or listed in PROBLEMS.md; a refused file is never changed", async () => {
    const tasksDir = join(repo.dir, ".rewind", "tasks");
    mkdirSync(tasksDir, { recursive: true });
    expect((await repo.rw(["list"])).code).toBe(0); // writes the mirror
    const written = new Map<string, Buffer>(); // every file this test wrote, with its bytes
    const rounds = 5 * SCALE;
    let before = (await listTitles()).count;
    let recorded = 0;
    let refused = 0;
    for (let round = 0; round < rounds; round++) {
      const mine = new Map<string, Buffer>();
      const existing = readdirSync(tasksDir).filter((f) => f.endsWith(".md"));
      for (let k = 0; k < 8; k++) {
        const edit = chance(0.35) && existing.length > 0;
        const name = edit ? pick(existing) : chance(0.2) ? `fz-${(round * 8 + k).toString(36).padStart(4, "0")}.md` : `new ${round}-${k}.md`;
        const bytes = edit ? mutate(readFileSync(join(tasksDir, name))) : randomTaskFile();
        writeFileSync(join(tasksDir, name), bytes);
        mine.set(name, bytes);
        written.set(name, bytes);
      }
      const where = `FUZZ_SEED=${SEED} mirror round ${round}: ${[...mine.keys()].join(", ")}`;
      const r = await repo.rw(["list", "--all", "--json"]);
      expect(r.code, `${where}\n${r.stderr}`).toBe(0);
      const after = titlesOf(r.stdout);
      expect(r.stderr, where).not.toMatch(INTERNAL);
      const problems = existsSync(join(repo.dir, ".rewind", "PROBLEMS.md")) ? readFileSync(join(repo.dir, ".rewind", "PROBLEMS.md"), "utf8") : "";
      expect(problems.length, where).toBeLessThan(200_000);
      expect(problems.split("\n").filter((l) => RAW_CONTROL.test(l)).map((l) => JSON.stringify(l)), where).toEqual([]);
      const onRef = refFiles();
      let gone = 0;
      for (const [name, bytes] of mine) {
        const path = join(tasksDir, name);
        if (!existsSync(path)) {
          gone++; // a new file recorded under its new ID (renamed)
          continue;
        }
        const now = readFileSync(path);
        const listed = problems.includes(`\`.rewind/tasks/${name}\``);
        if (listed) refused++;
        else recorded++;
        if (listed) expect(now.equals(bytes), `${where}: refused ${name} was changed`).toBe(true);
        else expect(now.toString("utf8"), `${where}: ${name} is neither refused nor what the ref has`).toBe(onRef.get(name));
      }
      recorded += gone;
      expect(after.count, where).toBeGreaterThanOrEqual(before + gone);
      for (const t of after.lines) expect(t, where).not.toMatch(RAW_CONTROL);
      before = after.count;
    }
    // Both outcomes happened: a generator whose files were all refused would prove little.
    expect(recorded, `FUZZ_SEED=${SEED}`).toBeGreaterThan(rounds);
    expect(refused, `FUZZ_SEED=${SEED}`).toBeGreaterThan(rounds);
    // Put everything right: new refused files deleted, refused edits replaced by the ref's copy.
    const onRef = refFiles();
    for (const name of written.keys()) {
      const path = join(tasksDir, name);
      if (!existsSync(path)) continue;
      if (onRef.has(name)) writeFileSync(path, onRef.get(name)!);
      else unlinkSync(path);
    }
    expect((await repo.rw(["list"])).code).toBe(0);
    expect(existsSync(join(repo.dir, ".rewind", "PROBLEMS.md")), "PROBLEMS.md after every refused file was removed or restored").toBe(false);
    await expectDoctorOk(repo);
  });

  it("CLI text arguments: a task or a usage error (exit 2) naming the problem, never a crash", async () => {
    // argv cannot hold NUL: everything else of NASTY can.
    const argv = (): string => nastyString(ids).replaceAll("\u0000", "");
    for (let n = 0; n < 6 * SCALE; n++) {
      const args = pick([
        () => ["create", argv(), "--body", argv(), "--label", argv()],
        () => ["note", pick(ids), argv()],
        () => ["edit", pick(ids), "--title", argv()],
        () => ["create", "ok title", "--type", argv(), "-p", argv()],
        () => ["show", argv()],
      ])();
      const where = `FUZZ_SEED=${SEED} cli case ${n}: rw ${JSON.stringify(args).slice(0, 300)}`;
      const r = await repo.rw(args);
      expect([0, 2, 4], `${where}\n${r.stderr}`).toContain(r.code);
      expect(r.stderr, where).not.toMatch(INTERNAL);
      if (r.code !== 0) expect(r.stderr, where).toMatch(/^rw: \S/);
      expect(r.stdout, where).not.toMatch(RAW_CONTROL);
    }
    await expectState();
  });
});

/** The ref is what its log says, git itself finds nothing wrong, and no task holds a control character. */
async function expectState(): Promise<void> {
  await expectDoctorOk(repo);
  expect(repo.git(["fsck", "--no-progress", "--no-dangling", "--strict"]).trim()).toBe("");
  for (const t of (await listTitles()).lines) expect(t).not.toMatch(RAW_CONTROL);
  const files = [...refFiles().values()].join("\n");
  expect(files, `FUZZ_SEED=${SEED}: a task file on the ref holds a raw control character`).not.toMatch(RAW_CONTROL);
}

/** Every task's one-line fields (title, labels, assignee), and how many tasks there are. */
async function listTitles(): Promise<{ count: number; lines: string[] }> {
  return titlesOf((await repo.rw(["list", "--all", "--json"])).stdout);
}

function titlesOf(listJson: string): { count: number; lines: string[] } {
  const tasks = (JSON.parse(listJson) as { tasks: Array<{ title: string; labels: string[]; assignee?: string }> }).tasks;
  return { count: tasks.length, lines: tasks.flatMap((t) => [t.title, ...t.labels, t.assignee ?? ""]) };
}

/** Every task file on the ref by file name, read with one `git cat-file --batch`. */
function refFiles(): Map<string, string> {
  const paths = repo.git(["ls-tree", "-r", "--name-only", "refs/heads/rewind", "tasks/"]).split("\n").filter(Boolean);
  const out = execFileSync("git", ["cat-file", "--batch"], { cwd: repo.dir, env: baseEnv(), input: paths.map((p) => `refs/heads/rewind:${p}`).join("\n") + "\n", maxBuffer: 64 << 20 });
  const files = new Map<string, string>();
  let at = 0;
  for (const p of paths) {
    const nl = out.indexOf(10, at);
    const size = Number(out.subarray(at, nl).toString().split(" ")[2]);
    files.set(p.slice(p.lastIndexOf("/") + 1), out.subarray(nl + 1, nl + 1 + size).toString("utf8"));
    at = nl + 1 + size + 1;
  }
  return files;
}

const KEYS = ["id", "title", "status", "priority", "type", "labels", "deps", "parent", "assignee", "initiative", "phase", "defer_until", "gates", "created_at", "updated_at", "lease_until", "blocked_reason", "titel", "__proto__", "constructor"];
const YAML_VALUES = [
  () => JSON.stringify(nastyString(ids)), () => nastyString(ids).replace(/[\n\r]/g, " "), () => pick(["open", "done", "in_progress", "doing", "cancelled", "blocked", "review"]),
  () => pick(["0", "1", "4", "5", "-1", "1.5", "1e999", "9007199254740993"]), () => "[a, b, c]", () => `[${pick(ids)}, nope-0000]`, () => "{a: 1, b: [2]}", () => "&a anchor", () => "*a",
  () => "!!binary aGVsbG8=", () => '!!js/function "function(){ return 1 }"', () => "!!timestamp 2026-12-01", () => "99999-01-01", () => ".nan", () => "~", () => "|\n  block\n  text",
  () => `"${"\\x1b[2J"}"`, () => '"\\0nul"', () => '"\\u0085next"', () => "'''", () => "@reserved", () => "`tick`", () => "? complex\n: key",
];

/** Values a person would write: files made of these are recorded, so both outcomes are exercised. */
const BENIGN = [
  () => `priority: ${int(5)}`, () => `labels: [fuzz, l${int(9)}]`, () => `type: ${pick(["task", "bug", "chore"])}`, () => `status: ${pick(["open", "blocked", "done"])}`,
  () => `deps: [${pick(ids)}]`, () => "defer_until: 2027-01-01", () => `gates: ["npm test"]`,
];

function randomTaskFile(): Buffer {
  if (chance(0.4)) {
    // Mostly valid: a title, known keys with good values, sometimes one hostile line or body.
    const lines = [`title: Fuzz ${int(1e6)}`, ...Array.from({ length: int(3) }, () => pick(BENIGN)())];
    if (chance(0.3)) lines.push(`${pick(KEYS)}: ${pick(YAML_VALUES)()}`);
    return Buffer.from(`---\n${lines.join("\n")}\n---\n${chance(0.7) ? "Plain body\n" : `${nastyString(ids)}\n`}`, "utf8");
  }
  const lines: string[] = [];
  if (chance(0.7)) lines.push(`title: ${chance(0.6) ? `Fuzz ${int(1e6)}` : pick(YAML_VALUES)()}`);
  for (let i = 0, n = int(6); i < n; i++) lines.push(`${pick(KEYS)}: ${pick(YAML_VALUES)()}`);
  if (chance(0.1)) lines.push(`l0: &l0 [x, x, x, x, x, x, x, x, x]`, ...Array.from({ length: 8 }, (_, i) => `l${i + 1}: &l${i + 1} [${Array(9).fill(`*l${i}`).join(", ")}]`));
  const body = chance(0.5) ? "Plain body\n" : `${nastyString(ids)}\n`;
  let text = `---\n${lines.join("\n")}\n${chance(0.9) ? "---\n" : ""}${body}`;
  if (chance(0.1)) text = `\ufeff${text}`;
  if (chance(0.1)) text = text.replace(/\n/g, "\r\n");
  if (chance(0.05)) text = "";
  const bytes = Buffer.from(text, "utf8");
  return chance(0.05) ? Buffer.concat([bytes, Buffer.from([0xff, 0xfe, 0x00, 0xc3])]) : bytes;
}

/** An existing task file with one line changed or a hostile line added. */
function mutate(bytes: Buffer): Buffer {
  const lines = bytes.toString("utf8").split("\n");
  const i = int(Math.max(1, lines.length - 1));
  const key = /^([a-z_]+):/.exec(lines[i] ?? "")?.[1];
  if (key && chance(0.4)) lines[i] = pick(BENIGN)();
  else if (key && chance(0.6)) lines[i] = `${key}: ${pick(YAML_VALUES)()}`;
  else lines.splice(i, 0, chance(0.5) ? `${pick(KEYS)}: ${pick(YAML_VALUES)()}` : nastyString(ids));
  return Buffer.from(lines.join("\n"), "utf8");
}
