import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decideCreate } from "../../src/domain/decide-task.ts";
import { Store } from "../../src/store/store.ts";
import { baseEnv, makeRepo, runRw, waitFor, type TempRepo } from "./repo.ts";

/** A bare repository standing in for GitHub/GitLab: the shared remote of several clones. */
export interface BareRemote {
  dir: string;
  url: string;
  git(args: string[]): string;
  cleanup(): void;
}

export function makeBare(): BareRemote {
  const root = mkdtempSync(join(tmpdir(), "rw-remote-"));
  const dir = join(root, "remote.git");
  const git = (args: string[]): string => execFileSync("git", args, { cwd: dir, env: baseEnv(), encoding: "utf8" });
  execFileSync("git", ["init", "-q", "--bare", "-b", "main", dir], { env: baseEnv() });
  git(["config", "gc.auto", "0"]);
  return { dir, url: `file://${dir}`, git, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/**
 * A clone of `url` as a user would have it: `git clone`, a git user, then `rw init` (which must
 * pick up the remote's state ref rather than start a new one). `sync` lines go into its config.
 */
export async function makeClone(url: string, name: string, sync: string[] = []): Promise<TempRepo> {
  const repo = makeRepo({ commit: false });
  rmSync(join(repo.dir, ".git"), { recursive: true, force: true });
  execFileSync("git", ["clone", "-q", url, repo.dir], { env: baseEnv(), stdio: "ignore" });
  repo.git(["config", "user.name", name]);
  repo.git(["config", "user.email", `${name}@example.com`]);
  repo.git(["config", "gc.auto", "0"]);
  await repo.rwOk(["init"]);
  if (sync.length > 0) setSyncConfig(repo, sync);
  return repo;
}

/** Puts `lines` into the [sync] table of the clone's .rewind/config.toml. */
export function setSyncConfig(repo: TempRepo, lines: string[]): void {
  const file = join(repo.dir, ".rewind", "config.toml");
  const text = readFileSync(file, "utf8");
  writeFileSync(file, text.includes("\n[sync]\n") ? text.replace("\n[sync]\n", `\n[sync]\n${lines.join("\n")}\n`) : `${text}\n[sync]\n${lines.join("\n")}\n`);
}

/** The first machine: a repository with rw initialised, `tasks` created, pushed to a new remote. */
export async function seedRemote(remote: BareRemote, tasks: number, prefix = "t"): Promise<TempRepo> {
  const repo = makeRepo();
  repo.git(["remote", "add", "origin", remote.url]);
  await repo.rwOk(["init"]);
  repo.git(["add", ".rewind"]);
  repo.git(["commit", "-q", "-m", "rw init"]);
  repo.git(["push", "-q", "origin", "main"]);
  await createMany(repo.dir, tasks, prefix);
  await repo.rwOk(["sync"]);
  return repo;
}

/**
 * `count` tasks in one transaction through the library's write path (the same decide and
 * compare-and-swap as `rw create`): a process per task would spend the test's time starting node.
 */
async function createMany(dir: string, count: number, prefix: string): Promise<void> {
  if (count === 0) return;
  const store = await Store.open({ cwd: dir, env: baseEnv(), now: () => new Date() });
  try {
    await store.transact((state, ctx) => {
      const events = Array.from({ length: count }, (_, k) => decideCreate({ title: `Task ${k + 1}`, id: `${prefix}-${k + 1}`, priority: (k + 1) % 5 })(state, ctx).events).flat();
      return { events, summary: `create ${count} tasks`, result: null };
    }, { name: "seed", email: "seed@example.com" });
  } finally {
    store.close();
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const addr = server.address();
      server.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * `git daemon` serving `remote` on 127.0.0.1 with pushes enabled: the git:// wire protocol, for real.
 * The port is free when picked but may be taken before git binds it (another suite running beside
 * this one, whose daemon would then answer our URL): only this daemon's own "Ready to rumble"
 * counts, and a daemon that could not bind is replaced by one on another port.
 */
export async function serveGitDaemon(remote: BareRemote): Promise<{ url: string; stop: () => void }> {
  const base = join(remote.dir, "..");
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child: ChildProcess = spawn("git", [
      "daemon", "--verbose", "--reuseaddr", "--export-all", "--enable=receive-pack", `--base-path=${base}`, "--listen=127.0.0.1", `--port=${port}`, base,
    ], { env: baseEnv(), stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    child.stderr!.on("data", (c: Buffer) => (log += c.toString()));
    const state = await waitFor(() => (/Ready to rumble/.test(log) ? "ready" : child.exitCode !== null || child.signalCode !== null ? "exited" : undefined), { what: `git daemon to listen (${log})`, timeoutMs: 15_000 });
    if (state === "ready") return { url: `git://127.0.0.1:${port}/remote.git`, stop: () => void child.kill() };
    if (attempt >= 5) throw new Error(`git daemon could not listen after ${attempt} ports: ${log}`);
  }
}

export { runRw };
