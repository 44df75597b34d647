import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { childProcesses } from "./git.ts";

/** rw's own commits between two maintenance runs: ~250 loose objects at 8 objects per commit. */
export const COMMITS_PER_MAINTENANCE = 32;

/*
 * Run detached, so no rw command waits for it: skipped when the user turned gc off
 * (gc.auto = 0) or another run is in progress (a lock folder; one older than 10 minutes is a
 * killed run's). `git repack -d -l` packs the reachable loose objects into one new (deltified)
 * pack and removes the loose copies; an object a writer has written but not yet referenced is not
 * reachable, so it stays loose. `git gc --auto` then does what the user's gc settings ask
 * (consolidating packs past gc.autoPackLimit) with git's own prune expiry: never --prune=now.
 */
const SCRIPT = `
[ "$(git config --get gc.auto)" = "0" ] && exit 0
find "$0" -maxdepth 0 -mmin +10 -exec rmdir {} \\; 2>/dev/null
mkdir "$0" 2>/dev/null || exit 0
trap 'rmdir "$0"' EXIT
git repack -d -l -q
git gc --auto --quiet
`;

/**
 * Keeps the repository's disk bounded: every COMMITS_PER_MAINTENANCE commits rw made (counted
 * across processes in a small file next to the index; a lost increment only delays a run), it
 * starts a detached maintenance run. Without it, rw's loose objects were never packed.
 */
export class Maintenance {
  constructor(private readonly commonDir: string, private readonly rwDir: string) {}

  /** Called after each commit rw made. Never throws, never waits. */
  afterCommit(): void {
    try {
      const counter = join(this.rwDir, "maintenance.count");
      let count = 0;
      try {
        count = Number.parseInt(readFileSync(counter, "utf8"), 10) || 0;
      } catch {
        mkdirSync(this.rwDir, { recursive: true });
      }
      count++;
      writeFileSync(counter, String(count >= COMMITS_PER_MAINTENANCE ? 0 : count));
      if (count >= COMMITS_PER_MAINTENANCE) this.start();
    } catch {
      // Maintenance is an optimisation: a read-only or full disk must not fail the write that succeeded.
    }
  }

  /** Starts the detached run; returns without waiting. */
  start(): void {
    const child = childProcesses().spawn("sh", ["-c", SCRIPT, join(this.rwDir, "maintenance.lock")], {
      cwd: this.commonDir,
      detached: true,
      stdio: "ignore",
      env: { ...process.env, GIT_DIR: this.commonDir, LC_ALL: "C" },
    });
    child.on("error", () => undefined); // no sh (or no git): nothing to maintain with
    child.unref();
  }
}
