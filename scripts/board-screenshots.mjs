/* global process, console */
// The README's pictures of `rw board` (docs/board/*.png), taken from the real thing: a throw-away
// repository filled through the built `rw` (an initiative, tasks, agents holding some, and a
// `rw run --review` with the fake provider so two tasks wait for review), the board started on
// it, and headless Chromium (Debian's package, driven by playwright-core).
// Run: npm run build && node scripts/board-screenshots.mjs   (needs /usr/bin/chromium)
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");
const RW = join(ROOT, "dist", "cli", "main.js");
const OUT = join(ROOT, "docs", "board");
const tmp = mkdtempSync(join(tmpdir(), "rw-shots-"));
const repo = join(tmp, "repo");
const env = { ...process.env, NO_COLOR: "1", GIT_CONFIG_NOSYSTEM: "1" };
delete env.RW_ACTOR;

const git = (...args) => execFileSync("git", args, { cwd: repo, env, encoding: "utf8" });
const rw = (args, actor) => execFileSync(process.execPath, [RW, ...args], { cwd: repo, env: actor ? { ...env, RW_ACTOR: actor } : env, encoding: "utf8" }).trim();

function fill() {
  mkdirSync(repo);
  git("init", "-q", "-b", "main");
  git("config", "user.name", "Alice Example");
  git("config", "user.email", "alice@example.com");
  writeFileSync(join(repo, "README.md"), "# greeter\n");
  git("add", "README.md");
  git("commit", "-q", "-m", "initial");
  rw(["init"]);
  const scripts = join(tmp, "scripts");
  mkdirSync(scripts);
  writeFileSync(join(repo, ".rewind", "config.toml"), [
    "version = 1", "[ids]", 'prefix = "gr"',
    "[execution]", `worktree_dir = ${JSON.stringify(join(tmp, "wt"))}`, 'review = "human"', 'gates = ["test -s greet.js"]',
    "[agents]", 'provider = "fake"',
    "[roles.worker]", `script = ${JSON.stringify(join(scripts, "worker-{id}.json"))}`,
    "[roles.verifier]", `script = ${JSON.stringify(join(scripts, "verifier-{id}.json"))}`,
    "[pricing.fake]", "input = 3", "output = 15", "",
  ].join("\n"));
  git("add", ".rewind");
  git("commit", "-q", "-m", "rw config");

  const reviewed = [
    ["Greet by name", "greet.js", 'export const greet = (name) => `Hello, ${name}!`;\n', "greets by name"],
    ["Shout the greeting", "shout.js", 'import { greet } from "./greet.js";\nexport const shout = (name) => greet(name).toUpperCase();\n', "shouts"],
  ];
  for (const [title, file, text, criterion] of reviewed) {
    const id = rw(["create", title, "-p", "1", "--label", "cli", "--body", `Add ${file}.\n\n## Acceptance criteria\n- [ ] it ${criterion}\n`]);
    const files = file === "greet.js" ? [[file, text]] : [["greet.js", 'export const greet = (name) => `Hello, ${name}!`;\n'], [file, text]];
    writeFileSync(join(scripts, `worker-${id}.json`), JSON.stringify({ turns: [
      { text: `Reading the task, then writing ${file}.`, tool_calls: files.map(([path, content]) => ({ name: "write_file", input: { path, content } })) },
      { tool_calls: [{ name: "finish", input: { summary: `added ${file}` } }] },
    ] }));
    writeFileSync(join(scripts, `verifier-${id}.json`), JSON.stringify({ turns: [
      { tool_calls: [{ name: "verdict", input: { verdicts: [{ index: 0, met: true, evidence: `${file} does it; the gate passed` }] } }] },
    ] }));
  }
  execFileSync(process.execPath, [RW, "run", "--review", "--parallel", "2"], { cwd: repo, env, stdio: "ignore" });

  const ini = rw(["initiative", "new", "Internationalise the greeter", "--phase", "Message catalogue", "--phase", "French and German", "--phase", "Release"]);
  rw(["initiative", "submit", ini]);
  rw(["initiative", "approve", ini, "--phase", "1"]);
  const format = rw(["create", "Pick the catalogue format", "-p", "1", "--initiative", ini, "--phase", "1", "--label", "i18n"]);
  rw(["claim", format], "agent-1");
  rw(["done", format, "--summary", "JSON, one file per language"], "agent-1");
  const catalogue = rw(["create", "Move messages into a catalogue", "-p", "1", "--initiative", ini, "--phase", "1", "--label", "i18n"]);
  const loader = rw(["create", "Load the catalogue at start-up", "--initiative", ini, "--phase", "1", "--label", "i18n", "--dep", catalogue]);
  rw(["create", "French messages", "--initiative", ini, "--phase", "2", "--label", "i18n"]);
  rw(["create", "German messages", "--initiative", ini, "--phase", "2", "--label", "i18n"]);
  rw(["create", "Tag v1.0 and publish", "-p", "3", "--initiative", ini, "--phase", "3"]);
  const docs = rw(["create", "Document the --name flag", "-p", "2", "--label", "docs"]);
  const flaky = rw(["create", "Fix the flaky start-up test", "-p", "0", "--label", "test"]);
  const colour = rw(["create", "Colour output on terminals", "-p", "3", "--label", "cli"]);
  rw(["create", "Windows line endings in the catalogue", "-p", "2", "--label", "i18n"]);
  rw(["claim", catalogue], "agent-1");
  rw(["claim", flaky], "agent-2");
  rw(["claim", docs], "bob");
  rw(["done", docs, "--summary", "documented"], "bob");
  rw(["block", colour, "--reason", "waiting for the terminal library decision"]);
  return { loader };
}

async function shoot() {
  const { chromium } = await import("playwright-core");
  const board = spawn(process.execPath, [RW, "board", "--json", "--actor", "alice"], { cwd: repo, env, stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise((res, rej) => {
    let out = "";
    board.stdout.on("data", (c) => {
      out += c.toString();
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line) res(JSON.parse(line).url);
    });
    board.on("exit", (code) => rej(new Error(`rw board exited ${code}`)));
  });
  const profile = join(tmp, "chromium");
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.RW_CHROMIUM ?? "/usr/bin/chromium", headless: true, viewport: { width: 1280, height: 640 }, colorScheme: "light",
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
  });
  try {
    const page = browser.pages()[0] ?? (await browser.newPage());
    await page.goto(url);
    await page.locator('section.column[data-status="review"] .card').nth(1).waitFor();
    await page.screenshot({ path: join(OUT, "board-light.png") });

    const review = await page.locator('section.column[data-status="review"] .card').first().getAttribute("data-id");
    await page.emulateMedia({ colorScheme: "dark" });
    await page.goto(`${url}#/task/${review}`);
    await page.getByRole("region", { name: "review" }).locator(".diff").waitFor();
    await page.screenshot({ path: join(OUT, "review-dark.png") });

    await page.emulateMedia({ colorScheme: "light" });
    await page.goto(`${url}#/initiatives`);
    await page.locator(".initiative").first().waitFor();
    await page.screenshot({ path: join(OUT, "initiatives.png") });
  } finally {
    await browser.close();
    board.kill("SIGTERM");
  }
}

try {
  fill();
  await shoot();
  console.log(`wrote ${["board-light.png", "review-dark.png", "initiatives.png"].map((f) => join("docs", "board", f)).join(", ")}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
