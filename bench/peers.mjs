/* global process, console */
// rw against Backlog.md and Task Master on their own data (issue 17), as the issue measured them:
// N tasks written in each peer's own format (Backlog.md's backlog/tasks/*.md, Task Master's
// .taskmaster/tasks/tasks.json), the same folder imported into rw with `rw import`, then each
// operation run alternately peer / rw / node -e 0 so drift on a shared machine cancels; the
// figure is the median of the pairwise ratios rw / peer. Reported, never asserted.
//
//   node bench/peers.mjs                 # 10,000 tasks, 5 rounds (peers installed on first use)
//   RW_PEERS_SIZE=1000 RW_PEERS_RUNS=3 node bench/peers.mjs
//
// The peers are installed with npm into bench/.data/peers (pinned to the versions the issue
// names); nothing of theirs is committed. Task Master's `add-task` needs a model, so it has no
// create row; its `next`, `show` and `set-status` are plain file operations.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { DATA, rng } from "./generate.mjs"; // rng: the seeded PRNG, so every run writes the same data

const ROOT = resolve(import.meta.dirname, "..");
import { rwBin } from "./bin.mjs";
const RW = rwBin(process.env.RW_BENCH_DIST ?? join(ROOT, "dist"));
const SIZE = Number(process.env.RW_PEERS_SIZE ?? 10_000);
const RUNS = Math.max(3, Number(process.env.RW_PEERS_RUNS ?? 5));
const PEERS = join(DATA, "peers");
const VERSIONS = { "backlog.md": "1.52.0", "task-master-ai": "0.43.1" };
const load = () => loadavg().map((x) => x.toFixed(1)).join(" ");
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function installPeers() {
  const bin = (name) => join(PEERS, "node_modules", ".bin", name);
  if (!existsSync(bin("backlog")) || !existsSync(bin("task-master"))) {
    mkdirSync(PEERS, { recursive: true });
    writeFileSync(join(PEERS, "package.json"), JSON.stringify({ name: "rw-bench-peers", private: true }));
    console.error(`installing ${Object.entries(VERSIONS).map(([n, v]) => `${n}@${v}`).join(", ")} into ${PEERS}`);
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--silent", ...Object.entries(VERSIONS).map(([n, v]) => `${n}@${v}`)], { cwd: PEERS, stdio: "inherit" });
  }
  return { backlog: bin("backlog"), taskmaster: bin("task-master") };
}

/** The shared shape: ~30% done, a few in progress, 0-2 deps on earlier tasks, 0-2 labels. */
function tasks(n) {
  const r = rng(17);
  const words = ["parser", "cache", "login", "export", "sync", "board", "retry", "config", "docs", "index"];
  const labels = ["backend", "frontend", "bug", "perf", "infra"];
  const out = [];
  for (let i = 1; i <= n; i++) {
    const roll = r();
    const status = roll < 0.3 ? "done" : roll < 0.33 ? "in-progress" : "todo";
    const deps = [];
    for (let k = Math.floor(r() * 3); k > 0 && i > 1; k--) deps.push(1 + Math.floor(r() * (i - 1)));
    out.push({
      n: i,
      title: `Improve the ${words[i % words.length]} ${words[(i * 7) % words.length]} path (${i})`,
      status,
      priority: ["high", "medium", "low"][Math.floor(r() * 3)],
      labels: labels.filter(() => r() < 0.2),
      deps: [...new Set(deps)].sort((a, b) => a - b),
      body: `Make the ${words[i % words.length]} faster and clearer for case ${i}.`,
    });
  }
  return out;
}

function gitRepo(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const git = (args) => execFileSync("git", args, { cwd: dir, stdio: "ignore" });
  git(["init", "-q", "-b", "main"]);
  git(["config", "user.name", "bench"]);
  git(["config", "user.email", "bench@example.com"]);
  return git;
}

function writeBacklog(dir, list) {
  const git = gitRepo(dir);
  mkdirSync(join(dir, "backlog", "tasks"), { recursive: true });
  writeFileSync(join(dir, "backlog", "config.yml"), [
    'project_name: "bench"', 'default_status: "To Do"', 'statuses: ["To Do", "In Progress", "Done"]', "labels: []",
    "date_format: yyyy-mm-dd hh:mm", "auto_commit: false", "remote_operations: false", "check_active_branches: false", 'task_prefix: "task"', "",
  ].join("\n"));
  const status = { todo: "To Do", "in-progress": "In Progress", done: "Done" };
  for (const t of list) {
    const yamlList = (xs) => (xs.length === 0 ? " []" : `\n${xs.map((x) => `  - ${x}`).join("\n")}`);
    const text = [
      "---", `id: TASK-${t.n}`, `title: ${t.title}`, `status: ${status[t.status]}`,
      `assignee:${t.status === "in-progress" ? yamlList(["'@agent'"]) : " []"}`, "created_date: '2026-11-01 10:00'",
      `labels:${yamlList(t.labels)}`, `dependencies:${yamlList(t.deps.map((d) => `TASK-${d}`))}`, `priority: ${t.priority}`, "---", "",
      "## Description", "", "<!-- SECTION:DESCRIPTION:BEGIN -->", t.body, "<!-- SECTION:DESCRIPTION:END -->", "",
      "## Acceptance Criteria", "<!-- AC:BEGIN -->", `- [${t.status === "done" ? "x" : " "}] #1 The ${t.n} case passes`, "<!-- AC:END -->", "",
    ].join("\n");
    writeFileSync(join(dir, "backlog", "tasks", `task-${t.n} - ${t.title.replace(/[^A-Za-z0-9]+/g, "-")}.md`), text);
  }
  git(["add", "-A"]);
  git(["commit", "-q", "-m", "backlog"]);
}

function writeTaskMaster(dir, list) {
  const git = gitRepo(dir);
  mkdirSync(join(dir, ".taskmaster", "tasks"), { recursive: true });
  const tm = list.map((t) => ({
    id: t.n, title: t.title, description: t.body, status: t.status === "todo" ? "pending" : t.status, dependencies: t.deps,
    priority: t.priority, details: `Details for ${t.n}.`, testStrategy: `Run the ${t.n} case.`, subtasks: [],
  }));
  writeFileSync(join(dir, ".taskmaster", "tasks", "tasks.json"), JSON.stringify({ master: { tasks: tm, metadata: { created: "2026-11-01T10:00:00.000Z", description: "bench" } } }, null, 2));
  writeFileSync(join(dir, ".taskmaster", "config.json"), JSON.stringify({ global: { logLevel: "silent", defaultTag: "master" } }, null, 2));
  writeFileSync(join(dir, ".taskmaster", "state.json"), JSON.stringify({ currentTag: "master" }));
  git(["add", "-A"]);
  git(["commit", "-q", "-m", "taskmaster"]);
}

const env = { ...process.env, NO_COLOR: "1", RW_ACTOR: "bench", FORCE_COLOR: "0", CI: "1" };
function time(cmd, args, cwd) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 28 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} (in ${cwd}) exited ${r.status}: ${r.stderr.toString().slice(0, 500)}`);
  return { ms, out: r.stdout.toString() };
}

/** The rw repository for a peer's folder: the same files, `rw init`, `rw import --from <source>`. */
function rwCopy(src, dir, from) {
  rmSync(dir, { recursive: true, force: true });
  cpSync(src, dir, { recursive: true });
  time(process.execPath, [RW, "init"], dir);
  time(process.execPath, [RW, "import", ".", "--from", from], dir);
  return dir;
}

const bins = installPeers();
const list = tasks(SIZE);
const base = join(DATA, `peers-${SIZE}`);
console.error(`writing ${SIZE} tasks for each peer under ${base}`);
writeBacklog(join(base, "backlog"), list);
writeTaskMaster(join(base, "taskmaster"), list);
const rwBacklog = rwCopy(join(base, "backlog"), join(base, "rw-backlog"), "backlog");
const rwTm = rwCopy(join(base, "taskmaster"), join(base, "rw-taskmaster"), "taskmaster");
const open = list.filter((t) => t.status === "todo").map((t) => t.n);
// Claims need a task rw calls ready (open, every dependency done), so both tools edit those.
const done = new Set(list.filter((t) => t.status === "done").map((t) => t.n));
const claimable = list.filter((t) => t.status === "todo" && t.deps.every((d) => done.has(d))).map((t) => t.n);
const bl = join(base, "backlog");
const tmDir = join(base, "taskmaster");

/** Each row: [name, peer command per round, rw command per round]. */
const rows = [
  ["ready (top 10)", "Backlog.md", () => [bins.backlog, ["task", "list", "--ready", "--limit", "10", "--plain"], bl], rwBacklog, () => ["ready", "--limit", "10"]],
  ["show one task", "Backlog.md", (i) => [bins.backlog, ["task", "view", `task-${open[i]}`, "--plain"], bl], rwBacklog, (i, id) => ["show", id(open[i])]],
  ["create", "Backlog.md", (i) => [bins.backlog, ["task", "create", `Bench task ${i}`, "--plain"], bl], rwBacklog, (i) => ["create", `Bench task ${i}`]],
  ["claim / status edit", "Backlog.md", (i) => [bins.backlog, ["task", "edit", `task-${claimable[i]}`, "-s", "In Progress", "-a", "@bench", "--plain"], bl], rwBacklog, (i, id) => ["claim", id(claimable[i])]],
  ["ready (next)", "Task Master", () => [bins.taskmaster, ["next"], tmDir], rwTm, () => ["ready", "--limit", "1"]],
  ["show one task", "Task Master", (i) => [bins.taskmaster, ["show", String(open[i])], tmDir], rwTm, (i, id) => ["show", id(open[i])]],
  ["claim / status edit", "Task Master", (i) => [bins.taskmaster, ["set-status", `--id=${claimable[RUNS + i]}`, "--status=in-progress"], tmDir], rwTm, (i, id) => ["claim", id(claimable[RUNS + i])]],
];

const ids = new Map();
const idIn = (dir) => (n) => {
  if (!ids.has(dir)) ids.set(dir, null);
  if (ids.get(dir) === null) {
    const all = JSON.parse(time(process.execPath, [RW, "list", "--json", "--all"], dir).out);
    const rowsOf = Array.isArray(all) ? all : all.tasks;
    ids.set(dir, new Map(rowsOf.map((t) => [t.title, t.id])));
  }
  const id = ids.get(dir).get(list[n - 1].title);
  if (!id) throw new Error(`no rw task for source item ${n} in ${dir}`);
  return id;
};

console.error(`${SIZE} tasks, ${RUNS} rounds, ${cpus().length} CPUs, load ${load()}`);
const results = [];
for (const [op, peer, peerCmd, rwDir, rwArgs] of rows) {
  const ratios = [];
  const peerMs = [];
  const rwMs = [];
  const nodeMs = [];
  for (let i = 0; i < RUNS; i++) {
    const [cmd, args, cwd] = peerCmd(i);
    const p = time(cmd, args, cwd).ms;
    const r = time(process.execPath, [RW, ...rwArgs(i, idIn(rwDir))], rwDir).ms;
    nodeMs.push(time(process.execPath, ["-e", "0"], rwDir).ms);
    peerMs.push(p);
    rwMs.push(r);
    ratios.push(r / p);
  }
  const row = { op, peer, peerMs: median(peerMs), rwMs: median(rwMs), nodeMs: median(nodeMs), ratio: median(ratios) };
  results.push(row);
  console.error(`${peer} ${op}: peer ${row.peerMs.toFixed(0)} ms, rw ${row.rwMs.toFixed(0)} ms, rw/peer ${row.ratio.toFixed(3)}`);
}

console.log(`\n${SIZE} tasks in each peer's own format, imported into rw; ${RUNS} alternating rounds (peer, rw, node -e 0), medians; rw/peer = median of pairwise ratios. ${cpus().length} CPUs, load at the end ${load()}.\n`);
console.log("| operation | peer | peer ms | rw ms | node -e 0 ms | rw x node | rw/peer | rw faster by |");
console.log("|---|---|---:|---:|---:|---:|---:|---:|");
for (const r of results) {
  console.log(`| ${r.op} | ${r.peer} | ${r.peerMs.toFixed(0)} | ${r.rwMs.toFixed(0)} | ${r.nodeMs.toFixed(0)} | ${(r.rwMs / r.nodeMs).toFixed(2)}x | ${r.ratio.toFixed(3)} | ${(1 / r.ratio).toFixed(1)}x |`);
}
writeFileSync(join(DATA, "peers-last.json"), JSON.stringify({ size: SIZE, runs: RUNS, load: load(), results }, null, 2));
