/* global process, console */
// Generates benchmark repositories through rw's own write path (Store.transact), so the data has
// the shape real use leaves behind: one commit per transaction, day shards, a rendered task file
// per task. Generated repos are cached under bench/.data/ and rebuilt when GEN_VERSION changes.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { rwBin } from "./bin.mjs";

// v3: regenerated when the index bound changed (journalBound): the last batch now leaves a fresh base, as rw does.
export const GEN_VERSION = 3;
const ROOT = resolve(import.meta.dirname, "..");
// RW_BENCH_DIST: generate with another build (an older layout), cached apart from this build's.
const DIST = process.env.RW_BENCH_DIST ?? join(ROOT, "dist");
const ALT = process.env.RW_BENCH_DIST ? "-alt" : "";
export const DATA = join(ROOT, "bench", ".data");
const DAY = 86_400_000;
const LABELS = ["api", "ui", "db", "infra", "docs", "perf", "auth", "cli"];
const TYPES = ["task", "task", "task", "feature", "bug", "chore"];
const VERBS = ["Add", "Fix", "Refactor", "Document", "Speed up", "Test", "Remove", "Rename"];
const NOUNS = ["login endpoint", "session cache", "billing export", "search index", "retry loop", "config loader", "audit log", "rate limiter"];

/** Deterministic PRNG (mulberry32), so two runs generate the same repository. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const git = (cwd, args) => execFileSync("git", args, { cwd, encoding: "utf8", env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1" } });

function body(rand, i) {
  const n = 1 + Math.floor(rand() * 3);
  const items = Array.from({ length: n }, (_, k) => `- [${rand() < 0.2 ? "x" : " "}] criterion ${k + 1} of task ${i} holds`);
  return `Why: task ${i} keeps the backlog realistic for the benchmark.\n\nSee \`src/module${i % 50}.ts\` and the notes below.\n\n## Acceptance criteria\n${items.join("\n")}\n`;
}

/**
 * One decider that runs many deciders in sequence on a private copy of the state, so a single
 * transaction (one commit) can carry a whole batch of creates and completions.
 */
function batch(steps, apply) {
  return (state, ctx) => {
    const work = { ...state, tasks: { ...state.tasks } };
    const copied = new Set();
    const events = [];
    const results = [];
    for (const step of steps) {
      const d = step(work, ctx);
      for (const e of d.events) {
        if (e.task && work.tasks[e.task] && !copied.has(e.task)) {
          const t = work.tasks[e.task];
          work.tasks[e.task] = { ...t, labels: [...t.labels], deps: [...t.deps], gates: [...t.gates], notes: [...t.notes] };
          copied.add(e.task);
        }
        apply(work, e);
      }
      events.push(...d.events);
      results.push(d.result);
    }
    return { events, summary: `bench import: ${events.length} events`, result: results };
  };
}

/**
 * Path of the cached repository for `size` tasks, generating it first when missing or stale.
 * `oneDay`: every event in the last hour instead of over 90 days (one big day shard, as an import
 * of a whole backlog leaves it), for measuring what a commit costs next to a big day.
 */
export async function ensureRepo(size, log = console.error, { oneDay = false, events = 0 } = {}) {
  const dir = join(DATA, `gen-v${GEN_VERSION}-${size}${oneDay ? "-1day" : ""}${events ? `-${events}ev` : ""}${ALT}`);
  const marker = join(dir, "meta.json");
  const today = new Date().toISOString().slice(0, 10);
  if (existsSync(marker)) {
    const meta = JSON.parse(readFileSync(marker, "utf8"));
    // A one-day repository is only "today's big shard" on the day it was made.
    if (!oneDay || meta.day === today) return { dir: join(dir, "repo"), meta };
  }
  rmSync(dir, { recursive: true, force: true });
  const repo = join(dir, "repo");
  mkdirSync(repo, { recursive: true });
  const t0 = Date.now();
  git(repo, ["init", "-q", "-b", "main"]);
  git(repo, ["config", "user.name", "Bench User"]);
  git(repo, ["config", "user.email", "bench@example.com"]);
  git(repo, ["config", "gc.auto", "0"]);
  git(repo, ["commit", "-q", "--allow-empty", "-m", "initial"]);
  execFileSync(process.execPath, [rwBin(DIST), "init"], { cwd: repo, env: { ...process.env, RW_ACTOR: "bench" }, stdio: "ignore" });

  const { Store } = await import(join(DIST, "store", "store.js"));
  const { decideCreate } = await import(join(DIST, "domain", "decide-task.js"));
  const { decideDone, decideClaim } = await import(join(DIST, "domain", "decide-lifecycle.js"));
  const { apply } = await import(join(DIST, "domain", "fold.js"));

  const rand = rng(size);
  const transactions = 100;
  // `events`: pad the log to about this many events with agent tool calls on the batch's tasks
  // (what `rw run` logs most of; folded into nothing), spread over the same transactions.
  const padPerTx = events > 0 ? Math.max(0, Math.ceil((events - size * 1.4) / transactions)) : 0;
  const toolCall = (id, k) => (state, ctx) => ({
    events: [{ v: 1, id: ctx.nextEventId(), ts: ctx.now, actor: ctx.actor, type: "agent.tool_called", task: id, data: { tool: "read_file", args: `src/module${k % 50}.ts` } }],
    summary: "", result: undefined,
  });
  const perTx = Math.ceil(size / transactions);
  const start = oneDay ? Date.now() - 3_600_000 : Date.now() - 91 * DAY;
  let clock = start;
  const store = await Store.open({ cwd: repo, env: {}, now: () => new Date(clock) });
  // Seeded IDs: the same repository every time (the store's own randomness is crypto-random).
  store.randomBytes = (n) => Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
  const actors = ["alice", "bob", "agent-1", "agent-2"];
  const ids = [];
  const open = [];
  let created = 0;
  let eventCount = 0;
  for (let tx = 0; tx < transactions && created < size; tx++) {
    clock = oneDay ? start + tx * 30_000 : start + Math.floor((tx * 90 * DAY) / transactions) + Math.floor(rand() * 3_600_000);
    const steps = [];
    const count = Math.min(perTx, size - created);
    for (let k = 0; k < count; k++) {
      const i = created + k;
      const deps = new Set();
      const want = Math.floor(rand() * 3);
      for (let d = 0; d < want && i > 0; d++) deps.add(Math.floor(rand() * i));
      const labels = new Set();
      for (let l = Math.floor(rand() * 3); l > 0; l--) labels.add(LABELS[Math.floor(rand() * LABELS.length)]);
      steps.push((state, ctx) => {
        const d = decideCreate({
          title: `${VERBS[i % VERBS.length]} ${NOUNS[(i * 7) % NOUNS.length]} (#${i})`,
          priority: Math.floor(rand() * 5),
          type: TYPES[Math.floor(rand() * TYPES.length)],
          labels: [...labels],
          deps: [...deps].map((j) => ids[j]),
          body: body(rand, i),
        })(state, ctx);
        ids.push(d.result.id);
        open.push(d.result.id);
        return d;
      });
    }
    created += count;
    // Complete enough older tasks to keep ~30% of the backlog done as it grows.
    const target = Math.floor(created * 0.3) - (created - count - open.length);
    for (let k = 0; k < Math.max(0, target); k++) {
      steps.push((state, ctx) => {
        // Only tasks from earlier batches: this batch's new ones sit at the end of `open`.
        const pick = Math.floor(rand() * (open.length - count));
        const [id] = open.splice(pick, 1);
        return decideDone(id, { force: true, summary: "done in the benchmark" })(state, ctx);
      });
    }
    for (let k = 0; k < padPerTx; k++) steps.push(toolCall(ids[created - 1 - (k % count)], k));
    const actor = actors[tx % actors.length];
    eventCount += (await store.transact(batch(steps, apply), { name: actor, email: `${actor}@example.com` })).events.length;
    if (size >= 50_000) log(`  ${created} of ${size} tasks`);
  }
  // A few live claims, as a busy backlog has.
  for (let k = 0; k < 5; k++) {
    clock += 60_000;
    const id = open[Math.floor(rand() * open.length)];
    await store.transact(decideClaim(id, { leaseMs: 3_650 * DAY, force: true }), { name: "agent-9", email: "agent-9@example.com" }).catch(() => undefined);
  }
  store.close();
  // What an aged repository looks like after `git gc`: packed, so copies for write runs are cheap.
  git(repo, ["repack", "-adq"]);
  git(repo, ["prune"]);
  const meta = { version: GEN_VERSION, day: today, size, events: eventCount, done: size - open.length, sample_id: ids[Math.floor(size / 2)], seconds: (Date.now() - t0) / 1000 };
  writeFileSync(marker, JSON.stringify(meta, null, 2));
  log(`generated ${size} tasks in ${meta.seconds.toFixed(1)} s`);
  return { dir: repo, meta };
}

// node bench/generate.mjs 10000 [100000 ...]; RW_GEN_EVENTS=1000000 pads each log to ~that many events.
if (import.meta.url === `file://${process.argv[1]}`) {
  for (const size of process.argv.slice(2).map(Number)) await ensureRepo(size, console.error, { events: Number(process.env.RW_GEN_EVENTS ?? 0) });
}
