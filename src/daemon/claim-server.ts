import { chmodSync, rmSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { decideClaim, decideClaimNext } from "../domain/decide-lifecycle.ts";
import { onTask } from "../domain/resolve-id.ts";
import { packageVersion } from "../store/package-root.ts";
import { rwDir } from "../store/repo.ts";
import type { Store } from "../store/store.ts";
import { errorToWire, MAX_REQUEST, MAX_SOCKET_PATH, parseClaimRequest, socketPath, type ClaimReply } from "./claim-protocol.ts";

export interface ClaimServerOptions {
  store: Store;
  log: (line: string) => void;
  /** Runs `fn` after the daemon's other work in flight (one transaction of the store at a time). */
  enqueue: <T>(fn: () => Promise<T>) => Promise<T>;
}

/** How long a connection may take to send its request line. */
const REQUEST_MS = 5_000;

/**
 * Serves `rw claim` over the daemon's socket (claim-protocol.ts) until the returned function is
 * called. Only the daemon (holding the daemon lock) creates the socket, so one left by a daemon
 * that was killed is removed first. Undefined when the path is too long for a socket.
 */
export async function serveClaims(opts: ClaimServerOptions): Promise<(() => Promise<void>) | undefined> {
  const { store, log } = opts;
  const path = socketPath(rwDir(store.repo));
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH || process.platform === "win32") {
    log(`claims are not served by the daemon here (socket path too long or no Unix sockets): ${path}`);
    return undefined;
  }
  const version = packageVersion();
  const answer = async (line: string): Promise<ClaimReply> => {
    try {
      const req = parseClaimRequest(line);
      if (req.version !== version) return { v: 1, fallback: `the daemon runs rw ${version}, this is ${req.version}` };
      if (store.config.sync.claims === "remote") return { v: 1, fallback: "claims go through the remote (sync.claims)" };
      const opts2 = { leaseMs: req.lease_ms, force: req.force };
      const decide = req.id === undefined ? decideClaimNext(opts2) : onTask(req.id, (rid) => decideClaim(rid, opts2));
      const tx = await opts.enqueue(() => store.transact(decide, req.actor));
      log(`claimed ${tx.result.id} for ${req.actor.name}`);
      return { v: 1, ok: true, result: tx.result as unknown as Record<string, unknown>, commit: tx.commit, events: tx.events.map((e) => ({ id: e.id, type: e.type, ...(e.task ? { task: e.task } : {}) })) };
    } catch (err) {
      return { v: 1, ok: false, error: errorToWire(err) };
    }
  };
  const serve = (conn: Socket): void => {
    let text = "";
    let done = false;
    conn.setEncoding("utf8");
    conn.setTimeout(REQUEST_MS, () => conn.destroy());
    conn.on("error", () => conn.destroy());
    conn.on("data", (chunk: string) => {
      if (done) return;
      text += chunk;
      const nl = text.indexOf("\n");
      if (nl < 0 && text.length <= MAX_REQUEST) return;
      done = true;
      conn.setTimeout(0);
      const reply = nl < 0 || nl > MAX_REQUEST ? Promise.resolve<ClaimReply>({ v: 1, ok: false, error: { code: "invalid_input", message: "bad claim request: longer than a request" } }) : answer(text.slice(0, nl));
      void reply.then((r) => conn.end(`${JSON.stringify(r)}\n`));
    });
  };
  rmSync(path, { force: true }); // a socket left by a daemon that was killed
  const server = createServer(serve);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    // Created with no access for anyone else (connecting to a Unix socket needs write permission on it).
    const umask = process.umask(0o177);
    try {
      server.listen(path, () => resolve());
    } finally {
      process.umask(umask);
    }
  });
  chmodSync(path, 0o600);
  log(`serving claims on ${path}`);
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      rmSync(path, { force: true });
    });
}
