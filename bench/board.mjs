/* global process, console, performance, document, MutationObserver */
// `rw board` at 1,000 and 10,000 tasks in headless Chromium: first load (navigation until the
// cards are on screen) and update latency (a CLI write until its card sits in its new column),
// each as a median, with `node -e 0` measured in the same run for scale. The moment a card lands
// is taken in the page (a MutationObserver), not by Playwright's waitFor: that polls at
// 0/20/50/100/100/500 ms, so a card that lands after ~300 ms was seen up to 500 ms late.
// Run: npm run build && node bench/board.mjs [sizes...]   (needs /usr/bin/chromium)
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DATA, ensureRepo } from "./generate.mjs";
import { rwBin } from "./bin.mjs";

const ROOT = resolve(import.meta.dirname, "..");
const RW = rwBin(join(ROOT, "dist"));
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 5);
const env = { ...process.env, NO_COLOR: "1", RW_ACTOR: "bench-human" };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function nodeBaseline() {
  const t = [];
  for (let i = 0; i < 11; i++) {
    const t0 = performance.now();
    spawnSync(process.execPath, ["-e", "0"]);
    if (i > 0) t.push(performance.now() - t0);
  }
  return median(t);
}

async function startBoard(cwd) {
  const child = spawn(process.execPath, [RW, "board", "--json"], { cwd, env, stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise((res, rej) => {
    let out = "";
    child.stdout.on("data", (c) => {
      out += c.toString();
      const l = out.split("\n").find((x) => x.startsWith("{"));
      if (l) res(l);
    });
    child.on("exit", (code) => rej(new Error(`rw board exited ${code}`)));
  });
  return { child, url: JSON.parse(line).url };
}

/** In the page: when the first open card shows, and when each card first shows in the in-progress column (epoch ms). */
const LANDED = () => {
  const landed = (globalThis.__landed = {});
  new MutationObserver(() => {
    globalThis.__firstCard ??= document.querySelector('section.column[data-status="open"] .card') ? performance.timeOrigin + performance.now() : undefined;
    for (const el of document.querySelectorAll('section.column[data-status="in_progress"] .card')) {
      const id = el.getAttribute("data-id");
      if (id && !(id in landed)) landed[id] = performance.timeOrigin + performance.now();
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-id"] });
};

async function benchSize(browser, size) {
  const { dir: src } = await ensureRepo(size);
  const repo = join(DATA, `work-board-${size}`);
  rmSync(repo, { recursive: true, force: true });
  cpSync(src, repo, { recursive: true });
  const board = await startBoard(repo);
  try {
    const loads = [];
    for (let i = 0; i < SAMPLES + 1; i++) {
      const page = await browser.newPage();
      await page.addInitScript(LANDED);
      const t0 = performance.now();
      await page.goto(board.url);
      await page.locator('section.column[data-status="open"] .card').first().waitFor({ timeout: 60_000 });
      const shown = (await page.evaluate(() => globalThis.__firstCard)) - performance.timeOrigin;
      if (i > 0) loads.push(shown - t0); // the first load warms the server's snapshot
      await page.close();
    }
    const page = await browser.newPage();
    await page.addInitScript(LANDED);
    await page.goto(board.url);
    await page.locator('section.column[data-status="open"] .card').first().waitFor({ timeout: 60_000 });
    const domCards = await page.locator(".card").count();
    const updates = [];
    const afterCommit = [];
    const cliTimes = [];
    for (let i = 0; i < SAMPLES; i++) {
      // A card that waits on nothing: `rw claim` refuses one with open dependencies.
      const id = await page.locator('section.column[data-status="open"] .card:not(:has(.waits))').nth(i).getAttribute("data-id");
      const t0 = performance.now();
      const cli = spawn(process.execPath, [RW, "claim", id], { cwd: repo, env: { ...env, RW_ACTOR: "bench-agent" }, stdio: "ignore" });
      const exited = new Promise((r) => cli.on("exit", () => r(performance.now())));
      await page.locator(`section.column[data-status="in_progress"] .card[data-id="${id}"]`).waitFor({ timeout: 60_000 });
      // Both clocks count from the epoch (timeOrigin + now), so the page's stamp is comparable.
      const shown = (await page.evaluate((id) => globalThis.__landed[id], id)) - performance.timeOrigin;
      const done = await exited;
      updates.push(shown - t0);
      cliTimes.push(done - t0);
      afterCommit.push(shown - done); // negative: on screen before the CLI process had exited (it saves its cache after the ref moved)
    }
    await page.close();
    return { size, load: median(loads), update: median(updates), afterCommit: median(afterCommit), cli: median(cliTimes), domCards };
  } finally {
    board.child.kill("SIGTERM");
    rmSync(repo, { recursive: true, force: true });
  }
}

const sizes = process.argv.slice(2).map(Number).filter(Boolean);
const { chromium } = await import("playwright-core");
const profile = mkdtempSync(join(tmpdir(), "rw-bench-chromium-"));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.RW_CHROMIUM ?? "/usr/bin/chromium", headless: true, viewport: { width: 1400, height: 900 },
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
});
const base = nodeBaseline();
const rows = [];
for (const size of sizes.length ? sizes : [1000, 10000]) rows.push(await benchSize(browser, size));
await browser.close();
rmSync(profile, { recursive: true, force: true });
console.log(`node -e 0: ${base.toFixed(0)} ms`);
console.log("| tasks | first load (cards on screen) | update: CLI write -> card moved | the CLI process alone | card moved, from the CLI's exit | cards in the DOM |");
console.log("| ---: | ---: | ---: | ---: | ---: | ---: |");
for (const r of rows) {
  const x = (ms) => `${ms.toFixed(0)} ms (${(ms / base).toFixed(1)}x)`.replace("-0 ms", "0 ms");
  console.log(`| ${r.size.toLocaleString("en")} | ${x(r.load)} | ${x(r.update)} | ${x(r.cli)} | ${x(r.afterCommit)} | ${r.domCards} |`);
}
