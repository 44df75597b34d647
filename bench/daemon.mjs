#!/usr/bin/env node
/* global process, console, setTimeout, performance */
// Daemon benchmarks (issue 3): edit -> commit latency, claim -> mirror latency, daemon RSS, idle
// CPU, and what the mirror costs `rw ready` when no daemon runs. Reported, never asserted.
//   npm run build && node bench/daemon.mjs [sizes...]      (default: 10000)
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DATA, ensureRepo } from "./generate.mjs";
import { rwBin } from "./bin.mjs";

const ROOT = resolve(import.meta.dirname, "..");
const RW = rwBin(join(ROOT, "dist"));
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 15);
const env = { ...process.env, NO_COLOR: "1", RW_ACTOR: "bench-human" };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(check, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error("timed out");
    await sleep(2);
  }
}

function startDaemon(cwd) {
  const child = spawn(process.execPath, [RW, "daemon"], { cwd, env, stdio: ["ignore", "pipe", "inherit"] });
  const lines = [];
  child.stdout.on("data", (c) => {
    for (const l of c.toString().split("\n")) if (l) lines.push({ at: performance.now(), l });
  });
  return { child, lines };
}

function procStat(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").slice(readFileSync(`/proc/${pid}/stat`, "utf8").lastIndexOf(")") + 2).split(" ");
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { cpuTicks: Number(f[11]) + Number(f[12]), rssMb: kb("VmRSS") / 1024, hwmMb: kb("VmHWM") / 1024 };
}

function rwReady(cwd, runs = 7) {
  const times = [];
  for (let i = 0; i < runs + 1; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [RW, "ready", "--limit", "10"], { cwd, env, stdio: "ignore" });
    if (r.status !== 0) throw new Error("rw ready failed");
    if (i > 0) times.push(performance.now() - t0);
  }
  return median(times);
}

async function benchSize(size) {
  const { dir: src } = await ensureRepo(size);
  const repo = join(DATA, `work-daemon-${size}`);
  rmSync(repo, { recursive: true, force: true });
  cpSync(src, repo, { recursive: true });
  const out = { size };
  out.ready_no_mirror_ms = rwReady(repo);

  const t0 = performance.now();
  let d = startDaemon(repo);
  await until(() => d.lines.some((x) => x.l.includes("watching .rewind/")), 300_000);
  out.first_mirror_s = (performance.now() - t0) / 1000;
  const tasksDir = join(repo, ".rewind", "tasks");
  const files = readdirSync(tasksDir).filter((n) => n.endsWith(".md")).sort();

  // Saved edit -> commit on the ref (the daemon prints "committed" after the ref moved).
  const edits = [];
  for (let i = 0; i < SAMPLES; i++) {
    const name = files[(i * 97) % files.length];
    const path = join(tasksDir, name);
    const text = readFileSync(path, "utf8").replace(/^title: .*$/m, `title: Bench edit ${i}`);
    const mark = d.lines.length;
    const at = performance.now();
    writeFileSync(path, text);
    const hit = await until(() => d.lines.slice(mark).find((x) => x.l.includes(`committed .rewind/tasks/${name}`)));
    edits.push(hit.at - at);
    await sleep(300); // let the recheck pass finish so samples do not overlap
  }
  out.edit_to_commit_ms = median(edits);

  // Another process claims -> the mirror file shows the assignee.
  const claims = [];
  const ready = JSON.parse(spawnSync(process.execPath, [RW, "ready", "--json", "--limit", String(SAMPLES)], { cwd: repo, env, encoding: "utf8" }).stdout).tasks;
  for (const t of ready.slice(0, SAMPLES)) {
    const r = spawnSync(process.execPath, [RW, "claim", t.id, "--actor", "bench-agent"], { cwd: repo, env, stdio: "ignore" });
    const at = performance.now();
    if (r.status !== 0) continue;
    await until(() => readFileSync(join(tasksDir, `${t.id}.md`), "utf8").includes("assignee: bench-agent"));
    claims.push(performance.now() - at);
  }
  out.claim_to_mirror_ms = median(claims);

  // Idle: CPU over 10 s with nothing happening; memory after the work above.
  await sleep(1500);
  const before = procStat(d.child.pid);
  await sleep(10_000);
  const after = procStat(d.child.pid);
  out.idle_cpu_pct = ((after.cpuTicks - before.cpuTicks) / 100 / 10) * 100;
  out.daemon_rss_mb = after.rssMb;
  out.daemon_peak_rss_mb = after.hwmMb;
  d.child.kill("SIGTERM");
  await new Promise((r) => d.child.on("exit", r));

  // Commands with the mirror present and no daemon: the stat-only up-to-date check.
  out.ready_with_mirror_ms = rwReady(repo);
  rmSync(repo, { recursive: true, force: true });
  return out;
}

if (!existsSync(RW)) throw new Error("run `npm run build` first");
const sizes = process.argv.slice(2).map(Number).filter(Boolean);
for (const size of sizes.length ? sizes : [10_000]) {
  const r = await benchSize(size);
  console.log(JSON.stringify(r));
  console.log(`${size} tasks: edit->commit ${r.edit_to_commit_ms.toFixed(0)} ms, claim->mirror ${r.claim_to_mirror_ms.toFixed(0)} ms (median of ${SAMPLES}), ` +
    `daemon RSS ${r.daemon_rss_mb.toFixed(0)} MB (peak ${r.daemon_peak_rss_mb.toFixed(0)}), idle CPU ${r.idle_cpu_pct.toFixed(2)}%, ` +
    `first mirror ${r.first_mirror_s.toFixed(1)} s, rw ready ${r.ready_no_mirror_ms.toFixed(0)} ms without mirror / ${r.ready_with_mirror_ms.toFixed(0)} ms with mirror`);
}
