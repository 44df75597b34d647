import type { IncomingMessage, ServerResponse } from "node:http";
import { RwError } from "../domain/errors.ts";
import type { ErrorBody } from "./protocol.ts";

/** The largest request body the board accepts (a task body edited in the page). */
const MAX_BODY = 1024 * 1024;

const STATUS_OF: Record<string, number> = {
  usage: 400, invalid_id: 400, invalid_input: 422, cycle: 422, not_found: 404, not_claimable: 409, conflict: 409, wrong_state: 409, exists: 409,
};

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** An error as the page shows it: the RwError's own message and hint, like the CLI prints them. */
export function sendError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err instanceof RwError) {
    const body: ErrorBody = { error: { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) } };
    return sendJson(res, STATUS_OF[err.code] ?? 500, body);
  }
  const message = err instanceof Error ? err.message : String(err);
  sendJson(res, 500, { error: { code: "internal", message } } satisfies ErrorBody);
}

/** The request's JSON body (an object), refused when too large or not JSON. */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const type = req.headers["content-type"] ?? "";
  if (!type.startsWith("application/json")) throw new RwError("usage", "send the request body as application/json");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new RwError("usage", `request body over ${MAX_BODY} bytes`);
    chunks.push(c as Buffer);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new RwError("usage", "the request body is not valid JSON");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new RwError("usage", "the request body must be a JSON object");
  return value as Record<string, unknown>;
}

/** Opens a server-sent event stream; returns a writer and a way to know it closed. */
export function openEventStream(req: IncomingMessage, res: ServerResponse): { send: (event: string, data: string) => void; closed: Promise<void> } {
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", connection: "keep-alive", "x-accel-buffering": "no" });
  res.flushHeaders();
  // A comment now and then keeps proxies and the browser from timing the stream out.
  const ping = setInterval(() => res.write(": ping\n\n"), 15_000);
  ping.unref();
  const closed = new Promise<void>((resolve) => {
    const done = (): void => {
      clearInterval(ping);
      resolve();
    };
    req.on("close", done);
    res.on("close", done);
  });
  // data lines must not contain a newline: JSON from JSON.stringify has none; text is split.
  const send = (event: string, data: string): void => {
    res.write(`event: ${event}\n${data.split("\n").map((l) => `data: ${l}`).join("\n")}\n\n`);
  };
  return { send, closed };
}

/** A string field of a request body, or undefined; anything else is a usage error naming the field. */
export function str(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw new RwError("usage", `${key} must be a string`);
  return v;
}

export function int(body: Record<string, unknown>, key: string): number | undefined {
  const v = body[key];
  if (v === undefined || v === null || v === "") return undefined;
  const n = typeof v === "number" ? v : typeof v === "string" && /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isInteger(n)) throw new RwError("usage", `${key} must be a whole number`);
  return n;
}

export function strings(body: Record<string, unknown>, key: string): string[] | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) throw new RwError("usage", `${key} must be a list of strings`);
  return v as string[];
}
