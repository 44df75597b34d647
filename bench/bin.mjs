import { existsSync } from "node:fs";
import { join } from "node:path";

/** The CLI's bin in a build's dist/: rw.cjs, or main.js for a build older than it (RW_BENCH_DIST of an earlier commit). */
export function rwBin(dist) {
  const bin = join(dist, "cli", "rw.cjs");
  return existsSync(bin) ? bin : join(dist, "cli", "main.js");
}
