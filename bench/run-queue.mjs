/* global process, console */
// `node bench/run-queue.mjs`: wall time of `rw run --parallel 4` on 20 tasks with the fake
// provider (each agent "thinks" for RW_BENCH_AGENT_MS through a run_command `sleep`, then writes
// its own file; one gate runs on every merged tree), against `--parallel 1` and, with
// RW_BENCH_BASELINE_DIST=<dist of another build> (e.g. the commit before the merge queue), the
// same runs on that build. Reported as ratios to `node -e 0` measured in the same run; never asserted.
// Env: RW_BENCH_RUNS=3  RW_BENCH_TASKS=20  RW_BENCH_AGENT_MS=1000  RW_BENCH_BASELINE_DIST=/path/dist
import { spawnSync, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, loadavg, cpus } from "node:os";
import { join, resolve } from "node:path";
import { rwBin } from "./bin.mjs";

const ROOT = resolve(import.meta.dirname, "..");
const RW = rwBin(join(ROOT, "dist"));
const BASELINE = process.env.RW_BENCH_BASELINE_DIST ? rwBin(process.env.RW_BENCH_BASELINE_DIST) : undefined;
const RUNS = Number(process.env.RW_BENCH_RUNS ?? 3);
const TASKS = Number(process.env.RW_BENCH_TASKS ?? 20);
const AGENT_MS = Number(process.env.RW_BENCH_AGENT_MS ?? 1000);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const env = { ...process.env, NO_COLOR: "1", GIT_CONFIG_NOSYSTEM: "1", RW_ACTOR: "bench" };
const git = (cwd, args) => execFileSync("git", args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] }).toString();
const rw = (bin, cwd, args) => {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`rw ${args.join(" ")} exited ${r.status}: ${r.stderr}${r.stdout}`);
  return r.stdout.toString();
};

/** A fresh repository with TASKS ready tasks; each task's fake script writes out-<slug>.txt. */
function makeRepo(bin) {
  const dir = mkdtempSync(join(tmpdir(), "rw-bench-queue-"));
  const repo = join(dir, "repo");
  execFileSync("mkdir", ["-p", repo, join(dir, "scripts")]);
  git(repo, ["init", "-q", "-b", "main"]);
  git(repo, ["config", "user.name", "bench"]);
  git(repo, ["config", "user.email", "bench@example.com"]);
  writeFileSync(join(repo, "check.js"), 'const fs = require("fs");\nfor (const f of fs.readdirSync(".")) if (f.startsWith("out-") && fs.readFileSync(f, "utf8") === "") process.exit(1);\n');
  git(repo, ["add", "."]);
  git(repo, ["commit", "-qm", "start"]);
  rw(bin, repo, ["init"]);
  for (let i = 1; i <= TASKS; i++) {
    const slug = `task-${i}`;
    writeFileSync(join(dir, "scripts", `${slug}.json`), JSON.stringify({ turns: [
      { tool_calls: [{ name: "run_command", input: { command: `sleep ${AGENT_MS / 1000}` } }] },
      { tool_calls: [{ name: "write_file", input: { path: `out-${slug}.txt`, content: `${slug}\n` } }] },
      { tool_calls: [{ name: "finish", input: { summary: `wrote out-${slug}.txt` } }] },
    ] }));
  }
  writeFileSync(join(repo, ".rewind", "config.toml"), `version = 1\n[ids]\nprefix = "b"\n[execution]\nworktree_dir = ${JSON.stringify(join(dir, "wt"))}\ngates = ["node check.js"]\n` +
    `[roles.worker]\nprovider = "fake"\nscript = ${JSON.stringify(join(dir, "scripts", "{slug}.json"))}\n[tools]\nallow_commands = ["sleep"]\n`);
  git(repo, ["add", ".rewind"]);
  git(repo, ["commit", "-qm", "rw config"]);
  for (let i = 1; i <= TASKS; i++) rw(bin, repo, ["create", `Task ${i}`]);
  return { dir, repo };
}

/** Median wall ms of `rw run --parallel N` over RUNS fresh repositories; checks every task landed. */
function runBench(bin, parallel) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const { dir, repo } = makeRepo(bin);
    const t0 = process.hrtime.bigint();
    rw(bin, repo, ["run", "--parallel", String(parallel)]);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    const landed = git(repo, ["ls-tree", "--name-only", "main"]).split("\n").filter((f) => f.startsWith("out-")).length;
    if (landed !== TASKS) throw new Error(`only ${landed} of ${TASKS} tasks landed on main`);
    rmSync(dir, { recursive: true, force: true });
  }
  return median(times);
}

function nodeBaseline() {
  const times = [];
  for (let i = 0; i < 7; i++) {
    const t0 = process.hrtime.bigint();
    spawnSync(process.execPath, ["-e", "0"]);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(times);
}

const node0 = nodeBaseline();
const rows = [];
for (const [name, bin] of [["this build (merge queue)", RW], ...(BASELINE ? [["baseline build", BASELINE]] : [])]) {
  for (const parallel of [4, 1]) {
    const ms = runBench(bin, parallel);
    rows.push({ name, parallel, ms });
    console.error(`${name} --parallel ${parallel}: ${ms.toFixed(0)} ms`);
  }
}
const node1 = nodeBaseline();
const base = median([node0, node1]);
console.log(`rw run, ${TASKS} tasks, fake provider (${AGENT_MS} ms of agent work each), gate on every merged tree; median of ${RUNS} fresh repositories.`);
console.log(`node -e 0: ${base.toFixed(1)} ms. Load average at the end: ${loadavg().map((x) => x.toFixed(1)).join(" ")} on ${cpus().length} cores.\n`);
console.log("| build | --parallel | wall ms | x node -e 0 |");
console.log("|---|---|---|---|");
for (const r of rows) console.log(`| ${r.name} | ${r.parallel} | ${r.ms.toFixed(0)} | ${(r.ms / base).toFixed(0)} |`);
const q4 = rows.find((r) => r.parallel === 4 && r.name.startsWith("this"));
const q1 = rows.find((r) => r.parallel === 1 && r.name.startsWith("this"));
const b4 = rows.find((r) => r.parallel === 4 && r.name.startsWith("baseline"));
console.log(`\n--parallel 4 / --parallel 1 (this build): ${(q4.ms / q1.ms).toFixed(2)}`);
if (b4) console.log(`merge queue / baseline at --parallel 4: ${(q4.ms / b4.ms).toFixed(2)}`);
