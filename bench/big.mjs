/* global process, console */
// The issue 17 bench at 100,000 tasks and ~1,000,000 events (node bench/big.mjs; ~30 min with
// the generation, which is cached): reads and writes as ratios to `node -e 0` measured in the
// same loop (interleaved, median of RW_BIG_RUNS), peak RSS, `rw doctor` time, in-process
// claims/second and bytes one in-process claim adds to .git/objects. Reported, never asserted.
// Env: RW_BIG_SIZE=100000 RW_BIG_EVENTS=1000000 RW_BIG_RUNS=5 RW_BIG_CLAIMS=30
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { DATA, ensureRepo } from "./generate.mjs";
import { rwBin } from "./bin.mjs";

const ROOT = resolve(import.meta.dirname, "..");
const DIST = process.env.RW_BENCH_DIST ?? join(ROOT, "dist");
const RW = rwBin(DIST);
const SIZE = Number(process.env.RW_BIG_SIZE ?? 100_000);
const EVENTS = Number(process.env.RW_BIG_EVENTS ?? 1_000_000);
const RUNS = Number(process.env.RW_BIG_RUNS ?? 5);
const CLAIMS = Number(process.env.RW_BIG_CLAIMS ?? 30);
const RSS_HOOK = pathToFileURL(join(ROOT, "bench", "rss.mjs")).href;
const load = () => loadavg().map((x) => x.toFixed(1)).join(" ");
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

function run(argv, cwd, extra = {}) {
  const rssFile = join(DATA, `big-rss-${process.pid}.txt`);
  rmSync(rssFile, { force: true });
  const env = { ...process.env, NO_COLOR: "1", GIT_CONFIG_NOSYSTEM: "1", RW_ACTOR: "bench", RW_BENCH_RSS: rssFile, ...extra };
  env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ""} --import ${RSS_HOOK}`.trim();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, argv, { cwd, env, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 30 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(" ")} exited ${r.status}: ${r.stderr}`);
  const [rssKb, cpu] = readFileSync(rssFile, "utf8").trim().split(" ").map(Number);
  return { ms, cpu, rss: rssKb / 1024, stdout: r.stdout.toString() };
}

function dirBytes(dir) {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    try {
      n += e.isDirectory() ? dirBytes(p) : statSync(p).size;
    } catch {
      // removed meanwhile
    }
  }
  return n;
}

async function inProcess(repo) {
  const { Store } = await import(join(DIST, "store", "store.js"));
  const { decideClaimNext } = await import(join(DIST, "domain", "decide-lifecycle.js"));
  execFileSync("git", ["config", "gc.auto", "0"], { cwd: repo });
  const store = await Store.open({ cwd: repo, env: {}, now: () => new Date() });
  const actor = { name: "daemon", email: "daemon@example.com" };
  await store.transact(decideClaimNext(), actor); // warm: the cat-file process, the index
  const before = dirBytes(join(repo, ".git", "objects"));
  const t0 = Date.now();
  for (let i = 0; i < CLAIMS; i++) await store.transact(decideClaimNext(), actor);
  const perSecond = CLAIMS / ((Date.now() - t0) / 1000);
  const kbPerClaim = (dirBytes(join(repo, ".git", "objects")) - before) / CLAIMS / 1024;
  const rss = process.memoryUsage().rss / 1048576;
  store.close();
  return { perSecond, kbPerClaim, rss };
}

async function main() {
  mkdirSync(DATA, { recursive: true });
  const { dir, meta } = await ensureRepo(SIZE, (m) => console.error(m), { events: EVENTS });
  const work = join(DATA, `big-work-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  cpSync(dir, work, { recursive: true });
  const loadStart = load();
  const rw = (...a) => [RW, ...a];
  const open = JSON.parse(run(rw("list", "--status", "open", "--json"), work).stdout).tasks.map((t) => t.id);
  const cmds = [
    ["node -e 0", () => ["-e", "0"], dir],
    ["rw --version", () => rw("--version"), dir],
    ["rw ready --limit 10", () => rw("ready", "--limit", "10"), dir],
    ["rw ready --json", () => rw("ready", "--json"), dir],
    ["rw show ID", () => rw("show", meta.sample_id), dir],
    ["rw list --json", () => rw("list", "--json"), dir],
    ["rw create", () => rw("create", "Benchmark task", "-p", "2"), work],
    ["rw claim --next", () => rw("claim", "--next"), work],
    ["rw done ID --force", (i) => rw("done", open[i], "--force"), work],
  ];
  const got = new Map(cmds.map(([l]) => [l, []]));
  for (let i = 0; i <= RUNS; i++) {
    for (const [label, argv, cwd] of cmds) {
      const r = run(argv(i), cwd);
      if (i > 0) got.get(label).push(r); // run 0 warms: the index and the ready view exist after it
    }
    console.error(`round ${i} of ${RUNS} (load ${load()})`);
  }
  const base = { ms: median(got.get("node -e 0").map((r) => r.ms)), cpu: median(got.get("node -e 0").map((r) => r.cpu)) };
  const rows = [...got].map(([label, rs]) => {
    const ms = median(rs.map((r) => r.ms));
    const cpu = median(rs.map((r) => r.cpu));
    return `| ${label} | ${ms.toFixed(0)} | ${(ms / base.ms).toFixed(2)}x | ${(cpu / base.cpu).toFixed(2)}x | ${Math.max(...rs.map((r) => r.rss)).toFixed(0)} |`;
  });
  const t0 = Date.now();
  const doctor = spawnSync(process.execPath, [RW, "doctor", "--json"], { cwd: work, env: { ...process.env, RW_ACTOR: "bench" }, encoding: "utf8", maxBuffer: 1 << 30 });
  const doctorS = (Date.now() - t0) / 1000;
  const inproc = await inProcess(work);
  rmSync(work, { recursive: true, force: true });
  const summary = [
    `${SIZE} tasks, ${meta.events ?? "?"} events (generator v${meta.version}); median of ${RUNS} interleaved runs after one warm-up round; wall ms, wall and CPU as ratios to \`node -e 0\` in the same loop, peak RSS MB. Load average at the start ${loadStart}, at the end ${load()} on ${cpus().length} cores.`,
    "",
    "| command | ms | x node (wall) | x node (CPU) | peak RSS MB |",
    "|---|---|---|---|---|",
    ...rows,
    "",
    `rw doctor: ${doctorS.toFixed(1)} s, ${doctor.status === 0 ? "passes" : `FAILS (${doctor.status})`} (target ≤ 60 s)`,
    `In-process claims (Store.transact(decideClaimNext())): ${inproc.perSecond.toFixed(1)}/s over ${CLAIMS}, ${inproc.kbPerClaim.toFixed(1)} KB added to .git/objects per claim, RSS ${inproc.rss.toFixed(0)} MB (target ≥ 50/s)`,
  ];
  console.log(summary.join("\n"));
  writeFileSync(join(DATA, `big-${SIZE}.md`), `${summary.join("\n")}\n`);
}

await main();
