/* global process, console */
// Token sizes of rw mcp's answers (issue 16): `ready` (10 tasks), `list` (50), `show` and
// `history`, as the text an agent reads, the same answer's structuredContent as JSON, and (for
// list) TOON. Measured through the MCP SDK's own client against the built `rw mcp` over stdio,
// on a fresh repository of 60 realistic tasks written through rw's own write path.
// Reported, never asserted. `node bench/mcp-tokens.mjs` (after `npm run build`); --json for JSON.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { rwBin } from "./bin.mjs";

const ROOT = resolve(import.meta.dirname, "..");
const DIST = process.env.RW_BENCH_DIST ?? join(ROOT, "dist");
const RW = rwBin(DIST);
const imp = (p) => import(pathToFileURL(join(DIST, p)).href);
const { Client } = await import("@modelcontextprotocol/sdk/client/index.js");
const { StdioClientTransport } = await import("@modelcontextprotocol/sdk/client/stdio.js");

// The tokenizer approximation: ~4 characters per token, the usual rule of thumb for English
// and code under the OpenAI and Anthropic BPE vocabularies (JSON's quotes and braces make real
// counts somewhat higher for JSON, so the comparison favours JSON if anything).
const TOKENIZER = "tokens ≈ ceil(characters / 4)";
const tokens = (text) => Math.ceil(text.length / 4);

const LABELS = ["api", "ui", "db", "infra", "docs", "auth"];
const VERBS = ["Add", "Fix", "Refactor", "Document", "Speed up", "Test"];
const NOUNS = ["login endpoint", "session cache", "billing export", "search index", "retry loop", "config loader", "audit log", "rate limiter"];

async function makeRepo() {
  const dir = mkdtempSync(join(tmpdir(), "rw-mcp-tokens-"));
  const git = (args) => execFileSync("git", args, { cwd: dir, encoding: "utf8", env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1" } });
  git(["init", "-q", "-b", "main"]);
  git(["config", "user.name", "bench"]);
  git(["config", "user.email", "bench@example.com"]);
  git(["commit", "-q", "--allow-empty", "-m", "initial"]);
  execFileSync(process.execPath, [RW, "init"], { cwd: dir, env: { ...process.env, RW_ACTOR: "bench" } });
  const { Store } = await imp("store/store.js");
  const { decideCreate, decideNote } = await imp("domain/decide-task.js");
  const { decideClaim, decideDone } = await imp("domain/decide-lifecycle.js");
  const store = await Store.open({ cwd: dir, env: {}, now: () => new Date() });
  const who = { name: "bench", email: "bench@example.com" };
  const ids = [];
  for (let i = 0; i < 60; i++) {
    const deps = i % 5 === 4 ? [ids[i - 1]] : [];
    const body = `Why: task ${i} keeps the numbers realistic.\n\nSee \`src/module${i % 9}.ts\`.\n\n## Acceptance criteria\n- [ ] the ${NOUNS[i % 8]} works\n- [ ] tests cover it\n`;
    const r = await store.transact(decideCreate({ title: `${VERBS[i % 6]} the ${NOUNS[(i * 3) % 8]} (${i})`, priority: i % 4, labels: [LABELS[i % 6]], deps, body }), who);
    ids.push(r.result.id);
  }
  const busy = ids[0];
  const agent = { name: "agent-1", email: "agent-1@example.com" };
  await store.transact(decideClaim(busy, {}), agent);
  for (let n = 1; n <= 3; n++) await store.transact(decideNote(busy, `progress note ${n}: the ${NOUNS[n]} is halfway`), agent);
  await store.transact(decideDone(busy, { summary: "added the endpoint and its tests" }), agent);
  store.close();
  return { dir, busy };
}

async function main() {
  const { dir, busy } = await makeRepo();
  const transport = new StdioClientTransport({ command: process.execPath, args: [RW, "mcp"], cwd: dir, env: { ...process.env, RW_ACTOR: "bench" }, stderr: "pipe" });
  const client = new Client({ name: "rw-bench", version: "1.0.0" });
  await client.connect(transport);
  const call = async (name, args) => {
    const r = await client.callTool({ name, arguments: args });
    if (r.isError) throw new Error(`${name}: ${r.content.map((c) => c.text).join("")}`);
    return { text: r.content.map((c) => c.text ?? "").join(""), json: JSON.stringify(r.structuredContent) };
  };
  const rows = [];
  const measure = async (label, name, args, toon) => {
    const a = await call(name, args);
    const row = { call: label, text_chars: a.text.length, text_tokens: tokens(a.text), json_chars: a.json.length, json_tokens: tokens(a.json) };
    if (toon) {
      const t = await call(name, { ...args, format: "toon" });
      Object.assign(row, { toon_chars: t.text.length, toon_tokens: tokens(t.text) });
    }
    rows.push(row);
  };
  try {
    await measure("ready (10 tasks)", "ready", { limit: 10 }, false);
    await measure("list (50 tasks)", "list", { limit: 50 }, true);
    await measure("show (a done task, 3 notes)", "show", { id: busy }, false);
    await measure("history (that task)", "history", { id: busy }, false);
    const listed = await client.listTools();
    const toolsJson = JSON.stringify(listed.tools);
    rows.push({ call: `tools/list (all, ${listed.tools.length} tools)`, json_chars: toolsJson.length, json_tokens: tokens(toolsJson) });
    for (const tier of ["core", "standard"]) {
      const t = new StdioClientTransport({ command: process.execPath, args: [RW, "mcp"], cwd: dir, env: { ...process.env, RW_ACTOR: "bench", RW_MCP_TOOLS: tier }, stderr: "pipe" });
      const c = new Client({ name: "rw-bench", version: "1.0.0" });
      await c.connect(t);
      const l = await c.listTools();
      const j = JSON.stringify(l.tools);
      rows.push({ call: `tools/list (${tier}, ${l.tools.length} tools)`, json_chars: j.length, json_tokens: tokens(j) });
      await c.close();
    }
  } finally {
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  }
  if (process.argv.includes("--json")) {
    console.log(JSON.stringify({ tokenizer: TOKENIZER, rows }, null, 2));
    return;
  }
  console.log(`rw mcp answer sizes (${TOKENIZER})`);
  console.log("call                             text tok (chars)   JSON tok (chars)   TOON tok (chars)");
  for (const r of rows) {
    const cell = (t, c) => (t === undefined ? "" : `${t} (${c})`).padEnd(19);
    console.log(`${r.call.padEnd(33)}${cell(r.text_tokens, r.text_chars)}${cell(r.json_tokens, r.json_chars)}${cell(r.toon_tokens, r.toon_chars)}`);
  }
  console.log("text: the content an agent reads; JSON: the same answer's structuredContent; TOON: list with format \"toon\".");
}

await main();
