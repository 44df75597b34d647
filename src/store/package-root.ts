import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const PACKAGE_NAME = "rewind-rw";
let found: { root: string; version: string } | undefined;

/**
 * rw's own package folder (templates/, dist/board/web/, package.json), found by walking up from
 * this module. A fixed `../..` would break: the same code runs from src/ (tests), dist/<layer>/
 * (tsc's output) and dist/cli/chunks/ (the bundled CLI, scripts/build-cli.mjs).
 */
function packageInfo(): { root: string; version: string } {
  if (found) return found;
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === PACKAGE_NAME) return (found = { root: dir, version: pkg.version ?? "0.0.0" });
    }
    if (dirname(dir) === dir) throw new Error(`rw's package.json (${PACKAGE_NAME}) was not found above ${start}`);
  }
}

/** A path inside rw's package, e.g. `packagePath("templates", "demo")`. */
export const packagePath = (...parts: string[]): string => join(packageInfo().root, ...parts);

/** rw's version, from its package.json. */
export const packageVersion = (): string => packageInfo().version;
