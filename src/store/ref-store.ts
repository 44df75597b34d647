import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { RwError } from "../domain/errors.ts";
import { childProcesses, git } from "./git.ts";
import { casLooseRef, localRefSupport, type LocalCas, type ReflogEntry } from "./ref-local.ts";

/**
 * Moves `ref` from `expected` to `next` only if it still points at `expected` (compare-and-swap).
 * Git takes `<ref>.lock` with O_EXCL and checks the old value under the lock, so of any number of
 * racing writers exactly one wins. Returns false when another writer got there first.
 */
export async function compareAndSwap(gitDir: string, ref: string, next: string, expected: string | null, zeroOid: string, reason: string): Promise<boolean> {
  const r = await git(["--git-dir", gitDir, "update-ref", "-m", reason, ref, next, expected ?? zeroOid], { cwd: gitDir });
  if (r.code === 0) return true;
  // Lost races read as "is at X but expected Y", "reference already exists" or a held lock file.
  if (/but expected|already exists|unable to create .*\.lock|cannot lock ref|File exists/i.test(r.stderr)) return false;
  throw new RwError("git", `could not update ${ref}: ${r.stderr.trim()}`);
}

/**
 * One long-lived `git update-ref --stdin` per store, so a process that commits many transactions
 * (daemon, MCP server, orchestrator) does not pay a git process per commit (measured ~3 ms each,
 * a third of the in-process budget). Each CAS is its own `start/update/prepare/commit` transaction:
 * `prepare` takes `<ref>.lock` and checks the old value under it, exactly as the one-shot form.
 * A lost race makes git exit with "is at X but expected Y"; the next call starts a new process.
 * NOTE: `-m` is per process, so reflog entries read "rw" (the commit message carries the summary).
 */
export class RefUpdater {
  private session: Session | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  /** Whether refs may be moved in-process here (ref-local.ts), judged at the first write. */
  private local: boolean | undefined;

  constructor(private readonly gitDir: string, private readonly commonDir?: string) {}

  /**
   * Same contract as compareAndSwap; calls on one updater run one after another. With `log`
   * (the reflog line's identity and message) the ref is moved in-process where that is what git
   * would do (ref-local.ts), else through the `--stdin` session.
   */
  cas(ref: string, next: string, expected: string | null, zeroOid: string, log?: ReflogEntry): Promise<boolean> {
    const run = this.chain.then(async () => {
      if (log && this.commonDir && (this.local ??= localRefSupport(this.commonDir))) {
        const r = await casLocal(this.commonDir, ref, next, expected ?? zeroOid, zeroOid, log);
        if (r !== "unsupported") return r === "moved";
      }
      return this.attempt(ref, next, expected ?? zeroOid, true);
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async attempt(ref: string, next: string, expected: string, mayRespawn: boolean): Promise<boolean> {
    const s = this.session ?? (this.session = new Session(this.gitDir));
    s.child.stdin.write(`start\nupdate ${ref} ${next} ${expected}\nprepare\ncommit\n`);
    const started = await s.line();
    const prepared = started === null ? null : await s.line();
    const committed = prepared === null ? null : await s.line();
    if (committed === "commit: ok") return true;
    this.session = undefined;
    await s.closed;
    if (started === null && mayRespawn && s.stderr === "") return this.attempt(ref, next, expected, false); // it had exited while idle
    if (/but expected|already exists|unable to create .*\.lock|cannot lock ref|File exists/i.test(s.stderr)) return false;
    throw new RwError("git", `could not update ${ref}: ${s.stderr.trim() || "git update-ref exited"}`);
  }

  close(): void {
    this.session?.child.stdin.end();
    this.session = undefined;
  }
}

/**
 * git waits up to core.filesRefLockTimeout (100 ms by default) for a held `<ref>.lock` before it
 * gives up; so does this. Without the wait, a `git gc` packing refs made every write that came
 * while it held the lock build its commit again (and leave the first one dangling).
 */
const REF_LOCK_WAIT_MS = 100;

async function casLocal(commonDir: string, ref: string, next: string, expected: string, zeroOid: string, log: ReflogEntry): Promise<LocalCas> {
  const until = Date.now() + REF_LOCK_WAIT_MS;
  for (let delay = 1; ; delay = Math.min(delay * 2, 16)) {
    const r = casLooseRef(commonDir, ref, next, expected, zeroOid, log);
    if (r !== "busy") return r;
    if (Date.now() >= until) return "lost";
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/** One `git update-ref --stdin` process and the lines it has answered. */
class Session {
  readonly child: ChildProcessWithoutNullStreams;
  readonly closed: Promise<void>;
  stderr = "";
  private lines: string[] = [];
  private waiters: Array<(line: string | null) => void> = [];
  private done = false;

  constructor(gitDir: string) {
    this.child = childProcesses().spawn("git", ["--git-dir", gitDir, "update-ref", "--stdin", "-m", "rw"], {
      env: { ...process.env, LC_ALL: "C", GIT_OPTIONAL_LOCKS: "0" },
    });
    let partial = "";
    this.child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      partial += chunk;
      for (let nl = partial.indexOf("\n"); nl >= 0; nl = partial.indexOf("\n")) {
        const line = partial.slice(0, nl);
        partial = partial.slice(nl + 1);
        const w = this.waiters.shift();
        if (w) w(line);
        else this.lines.push(line);
      }
    });
    this.child.stderr.setEncoding("utf8").on("data", (chunk: string) => (this.stderr += chunk));
    this.child.stdin.on("error", () => undefined); // EPIPE after git exited: seen through "close"
    this.closed = new Promise((resolve) => {
      this.child.on("error", (err) => {
        this.stderr += err.message;
      });
      this.child.on("close", () => {
        this.done = true;
        for (const w of this.waiters.splice(0)) w(null);
        resolve();
      });
    });
  }

  line(): Promise<string | null> {
    const ready = this.lines.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.done) return Promise.resolve(null);
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
