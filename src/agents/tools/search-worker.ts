import { Worker } from "node:worker_threads";

/**
 * The `search` tool's matching, in a worker thread with a deadline. JavaScript's regex engine
 * backtracks, so a pattern like `^(a+)+$` on a long line runs for minutes; in the main thread
 * that stops everything else rw does (heartbeats, the session's own timeout). A worker can be
 * terminated mid-match, which keeps the full JavaScript syntax the model expects (a linear-time
 * engine would refuse lookarounds and backreferences). The worker is inline code, so it works
 * the same from the build and from the sources.
 */

const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const { readFileSync } = require("node:fs");
const re = new RegExp(workerData.source);
const hits = [];
for (const f of workerData.files) {
  let text;
  try { text = readFileSync(f.abs, "utf8"); } catch { continue; }
  if (text.includes("\\0")) continue;
  const lines = text.split("\\n");
  for (let i = 0; i < lines.length && hits.length < workerData.max; i++) {
    if (re.test(lines[i])) {
      hits.push(f.rel + ":" + (i + 1) + ": " + lines[i].slice(0, 200));
      parentPort.postMessage({ hit: hits[hits.length - 1] });
    }
  }
  if (hits.length >= workerData.max) break;
}
parentPort.postMessage({ done: true });
`;

export interface SearchOutcome { hits: string[]; timedOut: boolean }

/** Matches `source` against each file's lines (at most `max` hits), stopping after `timeMs`. */
export function searchFiles(source: string, files: Array<{ rel: string; abs: string }>, max: number, timeMs: number): Promise<SearchOutcome> {
  return new Promise((resolve, reject) => {
    const hits: string[] = [];
    const worker = new Worker(WORKER, { eval: true, workerData: { source, files, max }, resourceLimits: { maxOldGenerationSizeMb: 256 } });
    let settled = false;
    const finish = (outcome: SearchOutcome | Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const timer = setTimeout(() => finish({ hits, timedOut: true }), timeMs);
    worker.on("message", (m: { hit?: string; done?: boolean }) => {
      if (m.hit !== undefined) hits.push(m.hit);
      if (m.done) finish({ hits, timedOut: false });
    });
    worker.on("error", (err) => finish(err));
    worker.on("exit", () => finish({ hits, timedOut: false }));
  });
}
