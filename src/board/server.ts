import { randomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { RwError } from "../domain/errors.ts";
import { assertValidId } from "../domain/ids.ts";
import { transcriptPath } from "../orchestrator/transcript.ts";
import type { Actor, Store } from "../store/store.ts";
import { webAsset } from "./assets.ts";
import { BoardFeed } from "./feed.ts";
import { openEventStream, readJson, sendError, sendJson } from "./http.ts";
import { analytics, taskDetail } from "./reads.ts";
import { tailFile } from "./tail.ts";
import { reviewTask, reviewView, type ReviewEnv } from "./review.ts";
import { approvePhase, createTask, editTask, moveTask, noteTask } from "./writes.ts";

export interface BoardOptions {
  store: Store;
  actor: Actor;
  /** 127.0.0.1 unless the person asked for another address (the command warns). */
  host: string;
  /** 0: any free port. */
  port: number;
  /** A fixed token (tests); otherwise a random one. */
  token?: string;
  now: () => Date;
  log: (line: string) => void;
  beforeWrite?: () => Promise<void>;
  /** The board's environment: approving a review runs the gates in it (secrets left out). */
  env?: Record<string, string | undefined>;
}

export interface BoardServer { url: string; port: number; token: string; close: () => Promise<void> }

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/** Security headers on every answer: no framing, no inline script, nothing loaded from elsewhere. */
const SECURITY = {
  "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

const page = (token: string, repo: string): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="rw-token" content="${token}"><title>rw board · ${repo.replace(/[<>&"]/g, "")}</title>
<link rel="icon" href="data:,"><link rel="stylesheet" href="/app.css?token=${token}"></head>
<body><div id="app"><p class="loading">Loading the board…</p></div><script type="module" src="/app.js?token=${token}"></script></body></html>
`;

/**
 * `rw board`'s HTTP server: the web app, an event stream of the state ref, reads, and writes
 * through Store.transact with the same deciders as the CLI. Every request needs the token
 * (query `token=` for what the browser loads by URL, the `x-rw-token` header for writes, so a
 * page on another site cannot post to it), and a Host header naming this server (DNS rebinding).
 */
export async function startBoard(o: BoardOptions): Promise<BoardServer> {
  const token = o.token ?? randomBytes(24).toString("base64url");
  const tokenBuf = Buffer.from(token);
  const repoName = o.store.repo.mainWorktree ?? o.store.repo.commonDir;
  // A review column when `execution.review = "human"` (the page adds one too when a task is in review anyway).
  const review = o.store.config.execution.review === "human";
  const feed = new BoardFeed(o.store, {
    repo: repoName, actor: o.actor.name, statuses: ["open", "in_progress", ...(review ? ["review"] : []), "blocked", "done", "cancelled"], review,
  }, (err) => o.log(`error: ${err instanceof Error ? err.message : String(err)}`));
  await feed.start();
  const env: ReviewEnv = {
    store: o.store, actor: o.actor, ...(o.beforeWrite ? { beforeWrite: o.beforeWrite } : {}),
    env: o.env ?? {}, now: () => o.now().getTime(), log: o.log,
  };
  const streams = new Set<() => void>();
  let port = 0;

  const tokenOk = (given: string | undefined): boolean => {
    if (!given) return false;
    const b = Buffer.from(given);
    return b.length === tokenBuf.length && timingSafeEqual(b, tokenBuf);
  };
  const hostOk = (req: IncomingMessage): boolean => {
    if (o.host === "0.0.0.0" || o.host === "::") return true; // the person opened it to the network (warned)
    const h = (req.headers.host ?? "").toLowerCase();
    const name = h.startsWith("[") ? h.slice(0, h.indexOf("]") + 1) : h.replace(/:\d+$/, "");
    const hostPort = h.slice(name.length + 1);
    return (LOOPBACK.has(name) || name === o.host.toLowerCase()) && hostPort === String(port);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    for (const [k, v] of Object.entries(SECURITY)) res.setHeader(k, v);
    const url = new URL(req.url ?? "/", "http://board.invalid");
    if (!hostOk(req)) return sendJson(res, 421, { error: { code: "host", message: `this board answers only on 127.0.0.1:${port}` } });
    const write = req.method === "POST";
    const given = write ? headerOf(req, "x-rw-token") : url.searchParams.get("token") ?? headerOf(req, "x-rw-token");
    if (!tokenOk(given)) {
      return sendJson(res, 403, { error: { code: "token", message: "this board needs its token: open the URL `rw board` printed (it ends in ?token=…)" } });
    }
    if (write) {
      const origin = req.headers.origin;
      if (origin !== undefined && origin !== `http://${req.headers.host ?? ""}`) return sendJson(res, 403, { error: { code: "origin", message: `requests from ${origin} are refused` } });
    } else if (req.method !== "GET" && req.method !== "HEAD") {
      return sendJson(res, 405, { error: { code: "method", message: `${req.method ?? ""} is not allowed` } });
    }
    const path = url.pathname;
    const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    if (!write) {
      if (path === "/" || path === "/index.html") {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
        return void res.end(page(token, repoName));
      }
      if (path === "/app.js" || path === "/app.css") {
        const file = webAsset(path === "/app.js" ? "app.js" : "app.css");
        res.writeHead(200, { "content-type": path.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8", "cache-control": "no-cache" });
        return void res.end(readFileSync(file));
      }
      if (path === "/api/stream") return stream(req, res);
      if (path === "/api/analytics") return sendJson(res, 200, await analytics(o.store, o.now().toISOString()));
      if (parts[0] === "api" && parts[1] === "task" && parts[2] !== undefined) {
        const id = assertValidId(parts[2]);
        if (parts.length === 3) return sendJson(res, 200, await taskDetail(o.store, id));
        if (parts[3] === "transcript" && parts.length === 4) return transcript(req, res, id);
        if (parts[3] === "review" && parts.length === 4) return sendJson(res, 200, await reviewView(o.store, id));
      }
      return sendJson(res, 404, { error: { code: "not_found", message: `no such page: ${path}` } });
    }
    const body = await readJson(req);
    let result;
    if (path === "/api/task") result = await createTask(env, body);
    else if (parts[0] === "api" && parts[1] === "task" && parts[2] !== undefined && parts.length === 4) {
      const id = assertValidId(parts[2]);
      if (parts[3] === "status") result = await moveTask(env, id, body);
      else if (parts[3] === "edit") result = await editTask(env, id, body);
      else if (parts[3] === "note") result = await noteTask(env, id, body);
      else if (parts[3] === "review") result = await reviewTask(env, id, body);
    } else if (parts[0] === "api" && parts[1] === "initiative" && parts[2] !== undefined && parts[3] === "phase" && parts[5] === "approve" && parts.length === 6) {
      const n = Number(parts[4]);
      if (!Number.isInteger(n)) throw new RwError("usage", `phase must be a number, not ${JSON.stringify(parts[4])}`);
      result = await approvePhase(env, assertValidId(parts[2], "initiative ID"), n);
    }
    if (!result) return sendJson(res, 404, { error: { code: "not_found", message: `no such action: POST ${path}` } });
    o.log(`${o.actor.name}: ${result.message}`);
    await feed.check(); // the page sees its own write at once, not at the next poll
    sendJson(res, 200, result);
  };

  const stream = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const json = await feed.snapshotJson();
    const s = openEventStream(req, res);
    // Written and subscribed in one turn: every delta that follows starts at this snapshot's tip.
    s.send("snapshot", json);
    const off = feed.subscribe((event, data) => s.send(event, data));
    const end = (): void => void res.end();
    streams.add(end);
    await s.closed;
    off();
    streams.delete(end);
  };

  const transcript = async (req: IncomingMessage, res: ServerResponse, id: string): Promise<void> => {
    const s = openEventStream(req, res);
    const stop = tailFile(transcriptPath(o.store.repo, id), (text, reset) => s.send(reset ? "reset" : "text", JSON.stringify(text)));
    const end = (): void => void res.end();
    streams.add(end);
    await s.closed;
    stop();
    streams.delete(end);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => sendError(res, err));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(err.code === "EADDRINUSE" ? new RwError("usage", `port ${o.port} is in use`, { hint: "pick another with --port N, or --port 0 for any free port" }) : err));
    server.listen(o.port, o.host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = o.host.includes(":") ? `[${o.host}]` : o.host === "0.0.0.0" ? "127.0.0.1" : o.host;
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      feed.stop();
      for (const end of streams) end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
