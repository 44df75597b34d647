#!/usr/bin/env node
// Sync benchmarks (DESIGN §9), against a local bare remote, with the built `rw` (npm run build):
//   1. aggregate claims per second: 3 clones loop `rw claim --next` with sync.claims = "remote"
//   2. `rw sync` pulling 10,000 events (fast-forward), and merging them with local work
// Usage: node bench/sync.mjs [--tasks 90] [--events 10000] [--claims-only]
// Timings are reported, never asserted. Data goes under bench/.data/ (git-ignored).
import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import process from "node:process";
import console from "node:console";

const root = resolve(import.meta.dirname, "..");
const RW = join(root, "dist/cli/rw.cjs");
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const TASKS = arg("tasks", 90);
const EVENTS = arg("events", 10_000);

const env = { ...process.env, NO_COLOR: "1", GIT_CONFIG_NOSYSTEM: "1" };
delete env.RW_ACTOR;
const git = (cwd, ...args) => execFileSync("git", args, { cwd, env, encoding: "utf8" }).trim();
const rw = (cwd, args, actor = "bench") =>
  new Promise((done) => {
    execFile(process.execPath, [RW, ...args], { cwd, env: { ...env, RW_ACTOR: actor }, maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
      done({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }));
  });
const rwOk = async (cwd, args, actor) => {
  const r = await rw(cwd, args, actor);
  if (r.code !== 0) throw new Error(`rw ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
};

const dataDir = join(root, "bench/.data");
mkdirSync(dataDir, { recursive: true });
const work = mkdtempSync(join(dataDir, "sync-"));

function bareRemote(name) {
  const dir = join(work, `${name}.git`);
  git(work, "init", "-q", "--bare", "-b", "main", dir);
  return dir;
}

async function seed(remote, name) {
  const dir = join(work, name);
  git(work, "init", "-q", "-b", "main", dir);
  git(dir, "config", "user.name", name);
  git(dir, "config", "user.email", `${name}@example.com`);
  git(dir, "commit", "-q", "--allow-empty", "-m", "initial");
  git(dir, "remote", "add", "origin", remote);
  await rwOk(dir, ["init"]);
  git(dir, "add", ".rewind");
  git(dir, "commit", "-q", "-m", "rw init");
  git(dir, "push", "-q", "origin", "main");
  return dir;
}

async function clone(remote, name, syncLines = []) {
  const dir = join(work, name);
  git(work, "clone", "-q", remote, dir);
  git(dir, "config", "user.name", name);
  git(dir, "config", "user.email", `${name}@example.com`);
  await rwOk(dir, ["init"]);
  if (syncLines.length > 0) {
    const file = join(dir, ".rewind/config.toml");
    writeFileSync(file, readFileSync(file, "utf8").replace("\n[sync]\n", `\n[sync]\n${syncLines.join("\n")}\n`));
  }
  return dir;
}

/** Many events in few commits, through the library's own write path (a CLI process per event would take minutes). */
async function bulkEvents(dir, count) {
  const { Store } = await import(join(root, "dist/store/store.js"));
  const { makeEvent } = await import(join(root, "dist/domain/decide.js"));
  const store = await Store.open({ cwd: dir, env, now: () => new Date() });
  const actor = { name: "bulk", email: "bulk@example.com" };
  const perTx = 1000;
  let made = 0;
  try {
    while (made < count) {
      const n = Math.min(perTx, count - made);
      const start = made;
      await store.transact((state, ctx) => {
        const events = [];
        for (let i = 0; i < n; i++) {
          const k = start + i;
          // Half creates, half notes on the task created just before: a realistic mix of files and log.
          events.push(k % 2 === 0
            ? makeEvent(ctx, "task.created", `b-${k}`, { title: `Bulk task ${k}`, priority: k % 5, type: "task" })
            : makeEvent(ctx, "task.noted", `b-${k - 1}`, { text: `note ${k}` }));
        }
        return { events, summary: `bulk ${n} events`, result: null };
      }, actor);
      made += n;
    }
  } finally {
    store.close();
  }
}

async function benchClaims() {
  const remote = bareRemote("claims");
  const origin = await seed(remote, "seed");
  for (let i = 1; i <= TASKS; i++) await rwOk(origin, ["create", `Task ${i}`, "--id", `t-${i}`]);
  await rwOk(origin, ["sync"]);
  const clones = [];
  for (const name of ["m1", "m2", "m3"]) clones.push(await clone(remote, name, ['claims = "remote"']));
  const t0 = performance.now();
  const won = await Promise.all(clones.map(async (dir, i) => {
    let n = 0;
    for (;;) {
      const r = await rw(dir, ["claim", "--next", "--json"], `agent-${i + 1}`);
      if (r.code === 4) return n;
      if (r.code !== 0) throw new Error(r.stderr);
      n++;
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  const total = won.reduce((a, b) => a + b, 0);
  return { tasks: TASKS, claims: total, per_clone: won, seconds: +seconds.toFixed(2), claims_per_second: +(total / seconds).toFixed(2) };
}

async function benchPull() {
  const remote = bareRemote("pull");
  const origin = await seed(remote, "origin");
  await rwOk(origin, ["sync"]);
  const ff = await clone(remote, "behind");
  const diverged = await clone(remote, "diverged");
  await rwOk(diverged, ["create", "Local work", "--id", "local-1"]);
  await bulkEvents(origin, EVENTS);
  await rwOk(origin, ["sync"]);
  const time = async (dir) => {
    const t0 = performance.now();
    const out = JSON.parse(await rwOk(dir, ["sync", "--json"]));
    return { action: out.action, incoming: out.incoming.length, seconds: +((performance.now() - t0) / 1000).toFixed(2) };
  };
  const fastForward = await time(ff);
  const merge = await time(diverged);
  const t0 = performance.now();
  await rwOk(ff, ["ready", "--limit", "1"]);
  const firstRead = +((performance.now() - t0) / 1000).toFixed(2);
  await rwOk(diverged, ["doctor"]);
  return { events: EVENTS, fast_forward: fastForward, merge, first_read_after_pull_s: firstRead };
}

/** The machine's speed in this run: median of 5 `node -e 0` (the ratio's denominator, DESIGN's bench rule). */
function nodeStartup() {
  const times = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    execFileSync(process.execPath, ["-e", "0"]);
    times.push(performance.now() - t0);
  }
  return +times.sort((a, b) => a - b)[2].toFixed(1);
}

try {
  const nodeMs = nodeStartup();
  const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  console.log(`node -e 0: ${nodeMs} ms (median of 5); load ${load}`);
  const claims = await benchClaims();
  const nodeAfter = nodeStartup();
  claims.node_ms = nodeMs;
  claims.node_ms_after = nodeAfter;
  claims.ms_per_claim_over_node = +((claims.seconds * 1000 / claims.claims) / ((nodeMs + nodeAfter) / 2)).toFixed(2);
  console.log(`remote claims: ${claims.claims} tasks by 3 clones in ${claims.seconds}s = ${claims.claims_per_second} claims/s (per clone ${claims.per_clone.join("/")}); node -e 0 ${nodeMs}/${nodeAfter} ms before/after, ${claims.ms_per_claim_over_node}x node -e 0 per claim`);
  const pull = process.argv.includes("--claims-only") ? null : await benchPull();
  if (pull) console.log(`rw sync pulling ${pull.events} events: fast-forward ${pull.fast_forward.seconds}s (${pull.fast_forward.incoming} in), merge with local work ${pull.merge.seconds}s (${pull.merge.incoming} in); first rw ready after the pull ${pull.first_read_after_pull_s}s`);
  console.log(JSON.stringify({ v: 1, claims, pull }));
} finally {
  rmSync(work, { recursive: true, force: true });
}
