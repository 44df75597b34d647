/* global process, console, setTimeout */
// Bytes per write and disk over many writes (issue 17): what one claim adds to .git/objects next
// to a big day shard, and how big .git gets over many commits with rw's own maintenance,
// against its size after `git gc`.
//
//   node bench/bytes.mjs                       # 1,000 and 10,000 tasks, 30 claims each, 1,000 commits on 10k
//   RW_BYTES_SIZES=1000 RW_BYTES_CLAIMS=10 RW_BYTES_COMMITS=0 node bench/bytes.mjs
//   RW_BENCH_DIST=/path/to/old/dist node bench/bytes.mjs   # another build (its own generated repos)
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DATA, ensureRepo } from "./generate.mjs";

const ROOT = resolve(import.meta.dirname, "..");
const DIST = process.env.RW_BENCH_DIST ?? join(ROOT, "dist");
const SIZES = (process.env.RW_BYTES_SIZES ?? "1000,10000").split(",").map(Number);
const CLAIMS = Number(process.env.RW_BYTES_CLAIMS ?? 30);
const COMMITS = Number(process.env.RW_BYTES_COMMITS ?? 1000);
const env = { ...process.env, GIT_CONFIG_NOSYSTEM: "1" };
const git = (cwd, args) => execFileSync("git", args, { cwd, encoding: "utf8", env });

/** Bytes of every file under `dir`. */
function du(dir) {
  let total = 0;
  let entries = [];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0; // removed while we looked (rw's maintenance is packing objects right now)
  }
  for (const entry of entries) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) total += du(p);
    else if (entry.isFile()) total += statSync(p, { throwIfNoEntry: false })?.size ?? 0;
  }
  return total;
}

const mb = (n) => (n / 1048576).toFixed(1);
const kb = (n) => (n / 1024).toFixed(0);

async function openStore(dir) {
  const { Store } = await import(join(DIST, "store", "store.js"));
  const lifecycle = await import(join(DIST, "domain", "decide-lifecycle.js"));
  const store = await Store.open({ cwd: dir, env: {}, now: () => new Date() });
  return { store, lifecycle };
}

/** What `n` in-process claims add to .git/objects (loose, as written), per claim. */
async function bytesPerClaim(src, n) {
  const dir = mkdtempSync(join(tmpdir(), "rw-bytes-"));
  cpSync(src, dir, { recursive: true });
  const before = du(join(dir, ".git", "objects"));
  const { store, lifecycle } = await openStore(dir);
  const actor = { name: "bench", email: "bench@example.com" };
  // The first write of an older layout migrates it (once): not what a claim costs.
  await store.transact(lifecycle.decideClaimNext({ leaseMs: 3_600_000 }), actor);
  const start = du(join(dir, ".git", "objects"));
  for (let i = 0; i < n; i++) await store.transact(lifecycle.decideClaimNext({ leaseMs: 3_600_000 }), actor);
  const after = du(join(dir, ".git", "objects"));
  store.close();
  const events = git(dir, ["ls-tree", "-l", "rewind", "events/"]).trim().split("\n");
  const today = new Date().toISOString().slice(0, 10);
  const todays = events.filter((l) => l.includes(`events/${today}`)).map((l) => Number(l.split(/\s+/)[3]));
  rmSync(dir, { recursive: true, force: true });
  return { perClaim: (after - start) / n, first: start - before, todayFiles: todays.length, todayBytes: todays.reduce((a, b) => a + b, 0) };
}

/** .git over `n` commits (claim, release, ...) with maintenance on (gc.auto unset), then after git gc. */
async function diskOverCommits(src, n) {
  const dir = mkdtempSync(join(tmpdir(), "rw-disk-"));
  cpSync(src, dir, { recursive: true });
  git(dir, ["config", "--unset", "gc.auto"]);
  const gitDir = join(dir, ".git");
  const start = du(gitDir);
  const { store, lifecycle } = await openStore(dir);
  const actor = { name: "bench", email: "bench@example.com" };
  let peak = start;
  const t0 = Date.now();
  let held = "";
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) held = (await store.transact(lifecycle.decideClaimNext({ leaseMs: 3_600_000 }), actor)).result.id;
    else await store.transact(lifecycle.decideRelease(held), actor);
    if (i % 50 === 0) peak = Math.max(peak, du(gitDir));
  }
  const seconds = (Date.now() - t0) / 1000;
  store.close();
  // Let a detached maintenance run finish (its lock folder goes away).
  for (let k = 0; k < 600 && existsSync(join(gitDir, "rewind", "maintenance.lock")); k++) await new Promise((r) => setTimeout(r, 500));
  const end = du(gitDir);
  peak = Math.max(peak, end);
  git(dir, ["gc", "--quiet"]);
  const gced = du(gitDir);
  rmSync(dir, { recursive: true, force: true });
  return { start, peak, end, gced, seconds };
}

const rows = [];
for (const size of SIZES) {
  const { dir } = await ensureRepo(size, console.error, { oneDay: true });
  const r = await bytesPerClaim(dir, CLAIMS);
  rows.push({ size, ...r });
  console.error(`${size} tasks: ${kb(r.perClaim)} KB per claim (today: ${r.todayFiles} event files, ${mb(r.todayBytes)} MB; first write added ${kb(r.first)} KB)`);
}
let disk;
if (COMMITS > 0) {
  const size = SIZES[SIZES.length - 1];
  const { dir } = await ensureRepo(size, console.error, { oneDay: true });
  disk = { size, commits: COMMITS, ...(await diskOverCommits(dir, COMMITS)) };
  console.error(`${COMMITS} commits on ${size} tasks: .git ${mb(disk.start)} -> ${mb(disk.end)} MB (peak ${mb(disk.peak)}), after git gc ${mb(disk.gced)} MB: ${(disk.end / disk.gced).toFixed(2)}x`);
}
const lines = [
  `Bytes added to .git/objects per in-process claim (${CLAIMS} claims, after one warm-up write), every event in today's shard(s); dist ${DIST}.`,
  "",
  "| tasks | KB per claim | today's event files | today's events MB |",
  "|---|---|---|---|",
  ...rows.map((r) => `| ${r.size} | ${kb(r.perClaim)} | ${r.todayFiles} | ${mb(r.todayBytes)} |`),
];
if (disk) {
  lines.push("", `${disk.commits} commits (claim/release) on ${disk.size} tasks in ${disk.seconds.toFixed(0)} s, gc.auto unset: .git ${mb(disk.start)} MB before, peak ${mb(disk.peak)} MB, ${mb(disk.end)} MB at the end, ${mb(disk.gced)} MB after \`git gc\` (${(disk.end / disk.gced).toFixed(2)}x; peak ${(disk.peak / disk.gced).toFixed(2)}x).`);
}
writeFileSync(join(DATA, "bytes.md"), `${lines.join("\n")}\n`);
console.log(lines.join("\n"));
