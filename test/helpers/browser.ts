import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterEach, it } from "vitest";
import { baseEnv, RW_BIN, waitFor, type TempRepo } from "./repo.ts";

/**
 * Headless Chromium from Debian's `chromium` package, driven by playwright-core (which never
 * downloads a browser). `.ci/run` installs the package; where none can be installed the browser
 * tests are skipped with this message, never silently.
 */
export const CHROMIUM = process.env.RW_CHROMIUM ?? ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
export const NO_BROWSER = CHROMIUM ? undefined : "no Chromium at /usr/bin/chromium (apt-get install -y chromium; or set RW_CHROMIUM): browser tests skipped";

/** Where failure screenshots go (the test output names each file). */
export const SHOTS = resolve(import.meta.dirname, "../../test-results");

export interface BrowserSession { browser: BrowserContext; page: Page; close: () => Promise<void> }

export async function openBrowser(opts: { colorScheme?: "light" | "dark"; width?: number; height?: number } = {}): Promise<BrowserSession> {
  const { chromium } = await import("playwright-core");
  const profile = mkdtempSync(join(tmpdir(), "rw-chromium-"));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM!,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
    viewport: { width: opts.width ?? 1400, height: opts.height ?? 860 },
    colorScheme: opts.colorScheme ?? "light",
  });
  const page = browser.pages()[0] ?? (await browser.newPage());
  page.setDefaultTimeout(30_000);
  return {
    browser, page,
    close: async () => {
      await browser.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export type { Browser, Page };

/** A real `rw board` process on a repository; its URL comes from the `--json` line it prints. */
export interface BoardProc { child: ChildProcess; url: string; port: number; token: string; output: () => string; stop: () => Promise<void> }

export async function startBoard(repo: TempRepo, opts: { args?: string[]; actor?: string } = {}): Promise<BoardProc> {
  const env = baseEnv();
  if (opts.actor) env.RW_ACTOR = opts.actor;
  const child = spawn(process.execPath, [RW_BIN, "board", "--json", ...(opts.args ?? [])], { cwd: repo.dir, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr.on("data", (c: Buffer) => (err += c.toString()));
  const exited = new Promise<void>((r) => child.on("exit", () => r()));
  const line = await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`rw board exited ${child.exitCode}: ${err}${out}`);
    return out.split("\n").find((l) => l.startsWith("{"));
  }, { timeoutMs: 40_000, what: `rw board's URL line (${err})` });
  const info = JSON.parse(line) as { url: string; port: number };
  return {
    child, url: info.url, port: info.port, token: new URL(info.url).searchParams.get("token") ?? "",
    output: () => out + err,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

export function screenshotPath(name: string): string {
  mkdirSync(SHOTS, { recursive: true });
  return join(SHOTS, `${name.replace(/[^A-Za-z0-9_-]+/g, "-").slice(0, 80)}.png`);
}

/**
 * `it` for browser tests: when the test fails, a screenshot of the page is saved under
 * test-results/, named in the output and attached to the test (an annotation), with `output()`
 * (the board's log) printed beside it.
 */
export function browserIt(page: () => Page | undefined, output: () => string = () => "") {
  return (name: string, fn: () => Promise<void>, timeout?: number): void => {
    it(name, async (ctx) => {
      try {
        await fn();
      } catch (err) {
        const p = page();
        if (p) {
          const path = screenshotPath(name);
          await p.screenshot({ path, fullPage: true }).catch(() => undefined);
          console.error(`screenshot of the failed board test: ${path}\nboard output:\n${output()}`);
          await ctx.annotate("screenshot of the page when the test failed", { path, contentType: "image/png" }).catch(() => undefined);
        }
        throw err;
      }
    }, timeout);
  };
}

/** What one browser test started: torn down after each test, whatever the test did. */
export interface BoardRig { repo?: TempRepo | undefined; board?: BoardProc | undefined; session?: BrowserSession | undefined; cleanups: Array<() => void> }

/**
 * The shared frame of a board test file: the rig its tests fill in, an afterEach that closes the
 * browser, stops the board and removes the repository (and anything in `cleanups`), `it` with
 * the screenshot on failure, and the skip message when there is no Chromium.
 */
export function boardRig(label: string): { rig: BoardRig; it: ReturnType<typeof browserIt> } {
  const rig: BoardRig = { cleanups: [] };
  afterEach(async () => {
    await rig.session?.close();
    await rig.board?.stop();
    rig.repo?.cleanup();
    for (const f of rig.cleanups.splice(0)) f();
    rig.session = rig.board = rig.repo = undefined;
  });
  if (NO_BROWSER) console.warn(`${label}: ${NO_BROWSER}`);
  return { rig, it: browserIt(() => rig.session?.page, () => rig.board?.output() ?? "") };
}
