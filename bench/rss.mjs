/* global process */
// Preloaded into benchmarked node processes (NODE_OPTIONS=--import): writes the process's peak
// resident set size in kB and its own CPU time in ms (user + system, without child processes)
// to the file named by RW_BENCH_RSS when the process exits.
import { appendFileSync } from "node:fs";

const out = process.env.RW_BENCH_RSS;
if (out) {
  process.on("exit", () => {
    try {
      const u = process.resourceUsage();
      appendFileSync(out, `${u.maxRSS} ${(u.userCPUTime + u.systemCPUTime) / 1000}\n`);
    } catch {
      // a benchmark helper must never change the exit of the process it measures
    }
  });
}
