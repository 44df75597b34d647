/* global process, console */
// `npm run bench:import`: wall time of `rw import` on N beads issues shaped like the real file in
// ../shared/corpus/beads (copies of its 704 issues with fresh IDs, their blocks/parent-child
// links, labels, comments, close reasons and times kept), each run into a fresh repository.
// Reported with `node -e 0` measured in the same run, never asserted.
// Env: RW_BENCH_IMPORT_SIZE=10000  RW_BENCH_RUNS=5
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { rwBin } from "./bin.mjs";

const ROOT = resolve(import.meta.dirname, "..");
const RW = rwBin(process.env.RW_BENCH_DIST ?? join(ROOT, "dist"));
const SIZE = Number(process.env.RW_BENCH_IMPORT_SIZE ?? 10_000);
const RUNS = Math.max(3, Number(process.env.RW_BENCH_RUNS ?? 5));
const CORPUS = join(ROOT, "../shared/corpus/beads/steveyegge-beads-385c0c0.issues.jsonl");

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** N issues: the corpus issues over and over, each copy with its own IDs and links inside the copy. */
export function generateBeads(n) {
  const base = readFileSync(CORPUS, "utf8").split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l));
  const lines = [];
  for (let i = 0; i < n; i++) {
    const copy = Math.floor(i / base.length);
    const src = base[i % base.length];
    const rename = (id) => `${id}-c${copy}`;
    const issue = { ...src, id: rename(src.id) };
    if (src.parent) issue.parent = rename(src.parent);
    if (Array.isArray(src.dependencies)) issue.dependencies = src.dependencies.map((d) => ({ ...d, issue_id: issue.id, depends_on_id: rename(d.depends_on_id) }));
    if (Array.isArray(src.comments)) issue.comments = src.comments.map((c) => ({ ...c, issue_id: issue.id }));
    lines.push(JSON.stringify(issue));
  }
  return `${lines.join("\n")}\n`;
}

function time(argv, cwd) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, argv, { cwd, env: { ...process.env, NO_COLOR: "1", RW_ACTOR: "bench" }, encoding: "utf8", maxBuffer: 256 << 20 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(" ")} exited ${r.status}: ${r.stderr}`);
  return ms;
}

function freshRepo() {
  const dir = mkdtempSync(join(tmpdir(), "rw-bench-import-"));
  const git = (args) => execFileSync("git", args, { cwd: dir, stdio: "ignore" });
  git(["init", "-q", "-b", "main"]);
  git(["-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-q", "--allow-empty", "-m", "initial"]);
  execFileSync(process.execPath, [RW, "init"], { cwd: dir, stdio: "ignore", env: { ...process.env, RW_ACTOR: "bench" } });
  return dir;
}

const work = mkdtempSync(join(tmpdir(), "rw-bench-import-src-"));
const file = join(work, "issues.jsonl");
writeFileSync(file, generateBeads(SIZE));
const baseline = [];
const dry = [];
const real = [];
for (let i = 0; i < RUNS; i++) {
  baseline.push(time(["-e", "0"], work));
  const dir = freshRepo();
  dry.push(time([RW, "import", file, "--dry-run", "--json"], dir));
  real.push(time([RW, "import", file, "--json"], dir));
  rmSync(dir, { recursive: true, force: true });
}
rmSync(work, { recursive: true, force: true });
const node = median(baseline);
const row = (name, xs) => `| ${name} | ${median(xs).toFixed(0)} ms | ${(median(xs) / node).toFixed(1)}× |`;
console.log(`rw import, ${SIZE} beads issues shaped like the corpus file; ${RUNS} runs each, medians; ${cpus().length} CPUs, load ${loadavg()[0].toFixed(1)}`);
console.log("| command | wall | vs node -e 0 |");
console.log("|---|---|---|");
console.log(`| node -e 0 | ${node.toFixed(0)} ms | 1.0× |`);
console.log(row("rw import --dry-run", dry));
console.log(row("rw import (one commit)", real));
