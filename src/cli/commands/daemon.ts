import { spawn } from "node:child_process";
import { closeSync, openSync, statSync } from "node:fs";
import { join } from "node:path";
import { socketPath } from "../../daemon/claim-protocol.ts";
import { RwError } from "../../domain/errors.ts";
import { rwDir } from "../../store/repo.ts";
import { jsonArg, openStore, resolveActor } from "../args.ts";
import { defineRw } from "../command.ts";
import { context, type Context } from "../context.ts";
import { printJson } from "../output.ts";

// The daemon's modules load only when a daemon command runs.
const lockModule = () => import("../../daemon/lock.ts");
const daemonModule = () => import("../../daemon/daemon.ts");

const stamp = (ctx: Context): string => ctx.now().toISOString().slice(11, 23);

async function lockDir(ctx: Context): Promise<string> {
  const store = await openStore(ctx, { sync: false });
  try {
    return rwDir(store.repo);
  } finally {
    store.close();
  }
}

const status = defineRw({
  meta: { name: "status", description: "Say whether a daemon runs for this repository" },
  args: { ...jsonArg },
  examples: ["rw daemon status", "rw daemon status --json"],
  async run({ args }) {
    const ctx = context();
    const { readLock, lockIsLive } = await lockModule();
    const dir = await lockDir(ctx);
    const info = readLock(dir);
    const live = info !== undefined && lockIsLive(info);
    // Exit 3 when nothing runs (the exit-code table's "the state refuses"; LSB's "not running"), so scripts can test it.
    if (!live) ctx.exitCode = 3;
    // The socket `rw claim` goes through (daemon/claim-server.ts), when this daemon serves claims.
    const sock = socketPath(dir);
    const claims = live && statSync(sock, { throwIfNoEntry: false })?.isSocket() === true ? sock : null;
    if (args.json) return printJson(ctx, { running: live, ...(live ? { pid: info.pid, started_at: info.started_at, log: info.log ?? null, claims_socket: claims } : {}) });
    ctx.stdout(live ? `running: pid ${info.pid}, since ${info.started_at}${info.log ? `, log ${info.log}` : ""}${claims ? `, serving claims on ${claims}` : ""}\n` : "not running\n");
  },
});

const stop = defineRw({
  meta: { name: "stop", description: "Stop the daemon of this repository" },
  args: { ...jsonArg },
  examples: ["rw daemon stop"],
  async run({ args }) {
    const ctx = context();
    const { readLock, lockIsLive } = await lockModule();
    const dir = await lockDir(ctx);
    const info = readLock(dir);
    if (!info || !lockIsLive(info)) {
      if (args.json) return printJson(ctx, { stopped: false, running: false });
      return ctx.stdout("not running\n");
    }
    process.kill(info.pid, "SIGTERM");
    const deadline = Date.now() + 15_000;
    for (;;) {
      const now = readLock(dir);
      if (!now || now.pid !== info.pid || !lockIsLive(now)) break;
      if (Date.now() > deadline) throw new RwError("conflict", `the daemon (pid ${info.pid}) did not stop within 15 s`, { hint: `kill it with \`kill ${info.pid}\`` });
      await new Promise((r) => setTimeout(r, 50));
    }
    if (args.json) return printJson(ctx, { stopped: true, pid: info.pid });
    ctx.stdout(`stopped the daemon (pid ${info.pid})\n`);
  },
});

export default defineRw({
  meta: { name: "daemon", description: "Watch .rewind/: Markdown edits become events, ref changes become files" },
  args: {
    detach: { type: "boolean", alias: "d", description: "run in the background, logging under the git common dir" },
    actor: { type: "string", description: "who the mirror's edits are recorded as (default: $RW_ACTOR, else git user.name)", valueHint: "name" },
    "log-file": { type: "string", description: "append output to this file (used by --detach)" },
  },
  subCommands: { status, stop },
  examples: ["rw daemon", "rw daemon --detach", "rw daemon status", "rw daemon stop"],
  async run({ args }) {
    const ctx = context();
    if (args.detach) return detach(ctx, args.actor);
    const store = await openStore(ctx, { sync: false });
    const actor = await resolveActor(store, args.actor);
    const ac = new AbortController();
    const stopOn = (): void => ac.abort();
    process.once("SIGTERM", stopOn);
    process.once("SIGINT", stopOn);
    const logFile = typeof args["log-file"] === "string" ? args["log-file"] : undefined;
    try {
      const { runDaemon } = await daemonModule();
      await runDaemon({ store, actor, signal: ac.signal, log: (line) => ctx.stdout(`${stamp(ctx)} ${line}\n`), ...(logFile ? { logFile } : {}) });
    } finally {
      process.off("SIGTERM", stopOn);
      process.off("SIGINT", stopOn);
      store.close();
    }
  },
});

/** Starts a detached copy of `rw daemon` with its output in <git-common-dir>/rewind/daemon.log. */
async function detach(ctx: Context, actor: unknown): Promise<void> {
  const dir = await lockDir(ctx);
  const { readLock, lockIsLive } = await lockModule();
  const running = readLock(dir);
  if (running && lockIsLive(running)) {
    throw new RwError("conflict", `a daemon is already running for this repository (pid ${running.pid}, since ${running.started_at})`, { hint: "`rw daemon stop` stops it", data: { pid: running.pid } });
  }
  const log = join(dir, "daemon.log");
  const fd = openSync(log, "a");
  const argv = [process.argv[1]!, "daemon", "--log-file", log, ...(typeof actor === "string" ? ["--actor", actor] : [])];
  const child = spawn(process.execPath, argv, { cwd: ctx.cwd, detached: true, stdio: ["ignore", fd, fd], env: { ...ctx.env } });
  closeSync(fd);
  const status: { exited: number | null } = { exited: null };
  child.on("exit", (code) => (status.exited = code ?? 1));
  child.unref();
  const deadline = Date.now() + 15_000;
  for (;;) {
    const info = readLock(dir);
    if (info && info.pid === child.pid && lockIsLive(info)) break;
    if (status.exited !== null) throw new RwError("conflict", `the daemon exited at start (code ${status.exited})`, { hint: `see ${log}` });
    if (Date.now() > deadline) throw new RwError("conflict", "the daemon did not start within 15 s", { hint: `see ${log}` });
    await new Promise((r) => setTimeout(r, 50));
  }
  ctx.stdout(`daemon started (pid ${child.pid ?? "?"}); log: ${log}\n`);
}
