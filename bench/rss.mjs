/* global process */
// Preloaded into benchmarked node processes (NODE_OPTIONS=--import): writes the process's peak
// resident set size in kB to the file named by RW_BENCH_RSS when the process exits.
import { appendFileSync } from "node:fs";

const out = process.env.RW_BENCH_RSS;
if (out) {
  process.on("exit", () => {
    try {
      appendFileSync(out, `${process.resourceUsage().maxRSS}\n`);
    } catch {
      // a benchmark helper must never change the exit of the process it measures
    }
  });
}
