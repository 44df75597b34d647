/* global process, console, setTimeout */
// `npm run bench`: wall time and peak RSS of the hot commands at 1,000 and 10,000 tasks, the
// 8-process claim race (without and with a daemon serving claims) and in-process claims/second. Reported, never asserted (STYLE habit 10).
// Env: RW_BENCH_SIZES=1000,10000  RW_BENCH_RUNS=15  RW_BENCH_RACE_SECONDS=10
import { spawn, spawnSync, execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { cpus, loadavg } from "node:os";
import { DATA, GEN_VERSION, ensureRepo } from "./generate.mjs";
import { rwBin } from "./bin.mjs";

const ROOT = resolve(import.meta.dirname, "..");
// RW_BENCH_DIST: another build's dist/ (e.g. an older commit) measured on the same repositories.
const DIST = process.env.RW_BENCH_DIST ?? join(ROOT, "dist");
const RW = rwBin(DIST);
const RSS_HOOK = pathToFileURL(join(ROOT, "bench", "rss.mjs")).href;
const SIZES = (process.env.RW_BENCH_SIZES ?? "1000,10000").split(",").map(Number);
const RUNS = Math.max(15, Number(process.env.RW_BENCH_RUNS ?? 15));
const RACE_SECONDS = Number(process.env.RW_BENCH_RACE_SECONDS ?? 10);
const WARMUP = 2;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function env(extra = {}) {
  const e = { ...process.env, NO_COLOR: "1", GIT_CONFIG_NOSYSTEM: "1", RW_ACTOR: "bench", ...extra };
  e.NODE_OPTIONS = `${e.NODE_OPTIONS ?? ""} --import ${RSS_HOOK}`.trim();
  return e;
}

/** Median wall ms and peak RSS (MB) of `argv` (or `argv(i)` for run i) over RUNS runs, after warm-up runs. */
function measure(argvOf, cwd, { runs = RUNS, ok = [0], actor } = {}) {
  const rssFile = join(DATA, `rss-${process.pid}.txt`);
  const times = [];
  for (let i = 0; i < WARMUP + runs; i++) {
    rmSync(rssFile, { force: true });
    const argv = typeof argvOf === "function" ? argvOf(i) : argvOf;
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, argv, {
      cwd, env: env({ RW_BENCH_RSS: rssFile, ...(actor ? { RW_ACTOR: `${actor}-${i}` } : {}) }),
      stdio: ["ignore", "pipe", "pipe"], maxBuffer: 256 * 1024 * 1024,
    });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (!ok.includes(r.status)) throw new Error(`${argv.join(" ")} exited ${r.status}: ${r.stderr}`);
    const [rssKb, cpuMs] = readFileSync(rssFile, "utf8").trim().split(" ").map(Number);
    if (i >= WARMUP) times.push({ ms, rss: rssKb / 1024, cpu: cpuMs });
  }
  rmSync(rssFile, { force: true });
  return { ms: median(times.map((t) => t.ms)), cpu: median(times.map((t) => t.cpu)), rss: Math.max(...times.map((t) => t.rss)) };
}

/**
 * Work copies are removed at the end, not between measurements: ext4 looks past inodes freed in
 * the last minute or so when it creates a file (recently_deleted), so right after deleting a
 * copy of tens of thousands of files every object rw writes cost several ms of system time
 * (in-process claims ran at 60-120/s instead of 150-200/s; a `perf` profile of the kernel showed
 * find_inode_bit and recently_deleted on top).
 */
const leftovers = [];
const discard = (dir) => leftovers.push(dir);

function copyRepo(src, name) {
  const dst = join(DATA, `work-${process.pid}-${name}`);
  rmSync(dst, { recursive: true, force: true });
  cpSync(src, dst, { recursive: true });
  return dst;
}

/** 8 lanes, each running `rw claim --next` back to back until the deadline; claims/second overall. */
async function race(repo, lanes = 8) {
  const deadline = Date.now() + RACE_SECONDS * 1000;
  const claimed = [];
  let failures = 0;
  const t0 = Date.now();
  const lane = async (n) => {
    while (Date.now() < deadline) {
      const { code, out } = await new Promise((done) => {
        const child = spawn(process.execPath, [RW, "claim", "--next", "--json"], { cwd: repo, env: env({ RW_ACTOR: `racer-${n}` }), stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        child.stdout.on("data", (c) => (out += c));
        child.on("close", (code) => done({ code, out }));
      });
      if (code === 0) claimed.push(JSON.parse(out).id);
      else failures++;
    }
  };
  await Promise.all(Array.from({ length: lanes }, (_, n) => lane(n)));
  const seconds = (Date.now() - t0) / 1000;
  const unique = new Set(claimed).size;
  return { perSecond: claimed.length / seconds, claims: claimed.length, unique, failures, seconds };
}

/** The same race with `rw daemon` running: each `rw claim` is served by the daemon's long-lived store. */
async function raceThroughDaemon(repo) {
  const daemon = spawn(process.execPath, [RW, "daemon"], { cwd: repo, env: env(), stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  daemon.stdout.on("data", (c) => (log += c));
  const started = Date.now();
  while (!/serving claims on /.test(log)) {
    if (Date.now() - started > 120_000 || daemon.exitCode !== null) throw new Error(`the daemon did not start serving claims:\n${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  // Measured once the daemon has settled (its first rounds write and then look at 10,000 mirror
  // files): a daemon runs for hours, and its start-up is `bench/daemon.mjs`'s to measure.
  const cpu = () => { try { const f = readFileSync(`/proc/${daemon.pid}/stat`, "utf8").split(") ")[1].split(" "); return Number(f[11]) + Number(f[12]); } catch { return undefined; } };
  for (let i = 0, last = cpu(); i < 30; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = cpu();
    if (now === undefined || last === undefined || now - last < 5) break;
    last = now;
  }
  const raced = await race(repo);
  const served = (log.match(/ claimed \S+ for racer-/g) ?? []).length;
  daemon.kill("SIGTERM");
  await new Promise((r) => daemon.on("exit", r));
  const doctor = spawnSync(process.execPath, [RW, "doctor", "--json"], { cwd: repo, env: env(), encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return { ...raced, served, doctor: doctor.status === 0 };
}

/** Claims in one long-lived process through the library API, as the daemon and MCP server do. */
async function inProcess(repo, seconds = 5, max = 1000) {
  const { Store } = await import(join(DIST, "store", "store.js"));
  const { decideClaimNext } = await import(join(DIST, "domain", "decide-lifecycle.js"));
  const store = await Store.open({ cwd: repo, env: {}, now: () => new Date() });
  const actor = { name: "daemon", email: "daemon@example.com" };
  await store.transact(decideClaimNext(), actor); // warm: open the cat-file process, load the index
  const t0 = Date.now();
  let n = 0;
  while (n < max && Date.now() - t0 < seconds * 1000) {
    await store.transact(decideClaimNext(), actor);
    n++;
  }
  const perSecond = n / ((Date.now() - t0) / 1000);
  const rss = process.memoryUsage().rss / 1048576;
  store.close();
  return { perSecond, claims: n, rss };
}

const fmt = (x) => (x === undefined ? "" : x >= 100 ? x.toFixed(0) : x.toFixed(1));

async function main() {
  mkdirSync(DATA, { recursive: true });
  const results = {};
  const loadStart = loadavg().map((x) => x.toFixed(1)).join(" ");
  const baseline = measure(["-e", "0"], ROOT);
  console.error(`node -e 0: ${fmt(baseline.ms)} ms, ${fmt(baseline.rss)} MB`);
  for (const size of SIZES) {
    const { dir, meta } = await ensureRepo(size, (m) => console.error(m));
    const id = meta.sample_id;
    const r = (results[size] = {});
    const rw = (...args) => [RW, ...args];
    // An index rebuilt from nothing (first command after a clone, or after deleting the cache).
    const cold = copyRepo(dir, `cold-${size}`);
    rmSync(join(cold, ".git", "rewind"), { recursive: true, force: true });
    r.cold = measure(rw("ready", "--limit", "10"), cold, { runs: 1 });
    discard(cold);
    r.version = measure(rw("--version"), dir);
    r.ready10 = measure(rw("ready", "--limit", "10"), dir);
    r.readyJson = measure(rw("ready", "--json"), dir);
    r.listJson = measure(rw("list", "--json"), dir);
    r.show = measure(rw("show", id), dir);
    const work = copyRepo(dir, `write-${size}`);
    r.create = measure(rw("create", "Benchmark task", "-p", "2", "--label", "api"), work);
    r.claim = measure(rw("claim", "--next"), work, { actor: "claimer" });
    const open = JSON.parse(execFileSync(process.execPath, [RW, "list", "--status", "open", "--json"], { cwd: work, encoding: "utf8", maxBuffer: 256 << 20, env: env() })).tasks.map((t) => t.id);
    r.done = measure((i) => rw("done", open[i], "--force"), work);
    discard(work);
    console.error(`${size} tasks: ${JSON.stringify(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, `${fmt(v.ms)} ms ${fmt(v.rss)} MB`])))}`);
  }
  // The load moves during a run: the baseline is measured again at the end and the ratios use the mean of both.
  const baselineEnd = measure(["-e", "0"], ROOT);
  baseline.ms = (baseline.ms + baselineEnd.ms) / 2;
  baseline.cpu = (baseline.cpu + baselineEnd.cpu) / 2;
  const big = Math.max(...SIZES);
  const { dir } = await ensureRepo(big);
  const raceRepo = copyRepo(dir, "race");
  const raced = await race(raceRepo);
  const doctor = spawnSync(process.execPath, [RW, "doctor", "--json"], { cwd: raceRepo, env: env(), encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const linear = execFileSync("git", ["rev-list", "--merges", "--count", "refs/heads/rewind"], { cwd: raceRepo, encoding: "utf8" }).trim() === "0";
  discard(raceRepo);
  const daemonRepo = copyRepo(dir, "race-daemon");
  const served = await raceThroughDaemon(daemonRepo);
  discard(daemonRepo);
  const inproc = await inProcess(copyRepo(dir, "inproc"));
  discard(join(DATA, `work-${process.pid}-inproc`));
  for (const left of leftovers) rmSync(left, { recursive: true, force: true });

  const rows = [
    ["rw --version", "version", "≤ 1.3x"],
    ["rw ready --limit 10", "ready10", "≤ 2x (100k: 3x)"],
    ["rw ready --json", "readyJson", "≤ 2x"],
    ["rw list --json", "listJson", "≤ 2x"],
    ["rw show ID", "show", "≤ 2x"],
    ["rw create", "create", "≤ 2.5x (100k: 4x)"],
    ["rw claim --next", "claim", "≤ 2.5x"],
    ["rw done ID --force", "done", "≤ 2.5x"],
    ["rw ready, index rebuilt (1 run)", "cold", ""],
  ];
  // Ratios to `node -e 0` measured in the same run: what the targets are stated in.
  const x = (v, b) => `${(v / b).toFixed(2)}x`;
  const head = ["command", ...SIZES.flatMap((s) => [`${s} ms`, `${s} x node`, `${s} CPU x node`, `${s} MB`]), "target"];
  const lines = [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`];
  lines.push(`| node -e 0 (baseline) | ${SIZES.map(() => `${fmt(baseline.ms)} | 1x | 1x (${fmt(baseline.cpu)} ms) | ${fmt(baseline.rss)}`).join(" | ")} | |`);
  for (const [label, key, target] of rows) {
    lines.push(`| ${label} | ${SIZES.map((s) => `${fmt(results[s][key].ms)} | ${x(results[s][key].ms, baseline.ms)} | ${x(results[s][key].cpu, baseline.cpu)} | ${fmt(results[s][key].rss)}`).join(" | ")} | ${target} |`);
  }
  const summary = [
    `Median of ${RUNS} runs after ${WARMUP} warm-up runs (so the index and the ready view exist): wall ms and its ratio to \`node -e 0\`, CPU of the node process itself (user + system, git children excluded) as a ratio, MB = peak RSS (max over runs). Generator v${GEN_VERSION}. Load average at the start: ${loadStart}, at the end: ${loadavg().map((x) => x.toFixed(1)).join(" ")} on ${cpus().length} cores.`,
    "",
    ...lines,
    "",
    `8-process race on ${big} tasks: ${fmt(raced.perSecond)} claims/s (${raced.claims} claims in ${fmt(raced.seconds)} s, ${raced.unique} distinct tasks, ${raced.failures} non-zero exits; ` +
      `doctor ${doctor.status === 0 ? "passes" : `FAILS (${doctor.status})`}, history ${linear ? "linear" : "NOT linear"}) — target ≥ 15/s`,
    `The same race with \`rw daemon\` running (claims served by the daemon): ${fmt(served.perSecond)} claims/s (${served.claims} claims, ${served.unique} distinct, ${served.served} made by the daemon, ${served.failures} non-zero exits; doctor ${served.doctor ? "passes" : "FAILS"}) — target ≥ 15/s`,
    `In-process claims on ${big} tasks (Store.transact(decideClaimNext())): ${fmt(inproc.perSecond)} claims/s (${inproc.claims} claims, RSS ${fmt(inproc.rss)} MB) — target ≥ 150/s`,
  ];
  console.log(summary.join("\n"));
  if (process.env.RW_BENCH_DIST) return;
  writeFileSync(join(DATA, "last.json"), JSON.stringify({ when: new Date().toISOString(), baseline, results, race: raced, raceDaemon: served, inProcess: inproc }, null, 2));
  if (existsSync(join(DATA, "last.md"))) rmSync(join(DATA, "last.md"));
  writeFileSync(join(DATA, "last.md"), `${summary.join("\n")}\n`);
}

await main();
