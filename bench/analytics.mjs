#!/usr/bin/env node
/* global console */
// Analytics on a 100,000-event log: `rw analytics`, `rw log` and `rw history` wall time through
// the built binary, plus the pure computation alone. Reported, never asserted (STYLE habit 10).
// Usage: npm run build && node bench/analytics.mjs [events=100000]
import { execFileSync } from "node:child_process";
import process from "node:process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";

const root = resolve(import.meta.dirname, "..");
const dist = (p) => join(root, "dist", p);
const { Store } = await import(dist("store/store.js"));
const { makeEvent } = await import(dist("domain/decide.js"));
const { computeAnalytics } = await import(dist("analytics/metrics.js"));
const { readAllEvents } = await import(dist("store/snapshot.js"));

const target = Number(process.argv[2] ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), "rw-bench-analytics-"));
const env = { ...process.env, NO_COLOR: "1", RW_ACTOR: "bench" };
const git = (args) => execFileSync("git", args, { cwd: dir, env, encoding: "utf8" });
const rw = (args) => execFileSync(process.execPath, [join(root, "dist/cli/rw.cjs"), ...args], { cwd: dir, env, encoding: "utf8", maxBuffer: 1 << 28 });

try {
  git(["init", "-q", "-b", "main"]);
  git(["config", "user.name", "Bench"]);
  git(["config", "user.email", "bench@example.com"]);
  git(["config", "gc.auto", "0"]);
  git(["commit", "-q", "--allow-empty", "-m", "init"]);
  rw(["init"]);

  // Ten events per task: created, claimed, 4 tool calls, (failed + claimed) or heartbeat x2, completed, session.ended.
  const roles = ["worker", "verifier"];
  const models = ["claude-sonnet", "gpt-5", "qwen-local"];
  let made = 0;
  let task = 0;
  const store = await Store.open({ cwd: dir, env, now: () => new Date() });
  const t0 = performance.now();
  while (made < target) {
    const batch = Math.min(10_000, target - made);
    const first = task;
    await store.transact((_state, ctx) => {
      const events = [];
      for (let i = 0; events.length < batch; i++) {
        const id = `b-${(first + i).toString(36)}`;
        const agent = `agent-${(first + i) % 8}`;
        const as = (e) => ((e.actor = agent), e);
        events.push(makeEvent(ctx, "task.created", id, { title: `Task ${first + i}`, priority: (first + i) % 5 }));
        events.push(as(makeEvent(ctx, "task.claimed", id, { lease_until: ctx.now })));
        for (let k = 0; k < 4; k++) events.push(as(makeEvent(ctx, "agent.tool_called", id, { tool: "read_file", args: `src/f${k}.ts` })));
        if ((first + i) % 7 === 0) {
          events.push(as(makeEvent(ctx, "task.failed", id, { error: "tests", retry_count: 1, will_retry: true })));
          events.push(as(makeEvent(ctx, "task.claimed", id, { lease_until: ctx.now })));
        } else {
          events.push(as(makeEvent(ctx, "task.heartbeat", id, { lease_until: ctx.now })));
          events.push(as(makeEvent(ctx, "task.heartbeat", id, { lease_until: ctx.now })));
        }
        events.push(as(makeEvent(ctx, "task.completed", id, {})));
        events.push(as(makeEvent(ctx, "session.ended", id, { session: `s-${id}`, role: roles[i % 2], model: models[i % 3], tokens: { input: 4000, output: 900 }, cost: 0.02 })));
      }
      task = first + Math.ceil(events.length / 10);
      return { events: events.slice(0, batch), summary: `bench batch ${first}`, result: null };
    }, { name: "bench", email: "bench@example.com" });
    made += batch;
  }
  const writeMs = performance.now() - t0;

  const snap = await store.snapshot();
  const r0 = performance.now();
  const { events } = await readAllEvents(store.source, snap.root);
  const readMs = performance.now() - r0;
  const c0 = performance.now();
  computeAnalytics(events, { now: new Date().toISOString() });
  const computeMs = performance.now() - c0;
  store.close();

  const time = (args) => {
    const s = performance.now();
    rw(args);
    return performance.now() - s;
  };
  rw(["analytics", "--json"]); // warm the index cache once, like any second command would
  const results = {
    events: events.length,
    "write (setup, batches of 10k)": writeMs,
    "read the whole log (in process)": readMs,
    "computeAnalytics (pure)": computeMs,
    "rw analytics --json": time(["analytics", "--json"]),
    "rw analytics --since 1d": time(["analytics", "--since", "1d"]),
    "rw log --type task.failed -n 20": time(["log", "--type", "task.failed", "-n", "20"]),
    "rw history b-1": time(["history", "b-1"]),
  };
  console.log(`analytics bench on ${results.events} events (node ${process.version}, ${process.platform})`);
  for (const [k, v] of Object.entries(results)) if (k !== "events") console.log(`  ${k.padEnd(36)} ${Math.round(v)} ms`);
} finally {
  if (process.env.RW_BENCH_KEEP) console.log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
