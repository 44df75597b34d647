import { join } from "node:path";
import { EXIT, RwError, type ErrorCode } from "../domain/errors.ts";
import { namedActor } from "../domain/text.ts";

/*
 * Claims served by a running daemon (issue 17). `rw claim` finds the daemon's socket beside the
 * index (`<git-common-dir>/rewind/daemon.sock`) and sends one line of JSON; the daemon runs the
 * claim in its long-lived store (no base to read, no ready order to restore: ~10 ms instead of
 * ~90 ms of a one-shot process) and answers one line. Eight agents claiming at once then spend
 * their CPU on starting node rather than on eight copies of the same transaction. Nothing here
 * grants more than a local claim: the client resolves the actor exactly as a local claim does,
 * and the socket is the user's own (mode 0600, inside .git).
 */

export const SOCKET_NAME = "daemon.sock";
/** Longer socket paths do not fit a sockaddr_un (108 bytes with the terminating NUL on Linux). */
export const MAX_SOCKET_PATH = 100;
/** A request is a few hundred bytes: anything longer is not one. */
export const MAX_REQUEST = 16 * 1024;

export const socketPath = (rwDir: string): string => join(rwDir, SOCKET_NAME);

export interface ClaimRequest {
  v: 1;
  /** The client's rw version: a daemon of another version answers `fallback` (the client claims itself). */
  version: string;
  op: "claim";
  id?: string;
  next: boolean;
  lease_ms: number;
  force: boolean;
  actor: { name: string; email: string };
}

export interface WireError { code: ErrorCode | "internal"; message: string; hint?: string; data?: Record<string, unknown> }

export type ClaimReply =
  | { v: 1; ok: true; result: Record<string, unknown>; commit: string | null; events: Array<{ id: string; type: string; task?: string }> }
  | { v: 1; ok: false; error: WireError }
  | { v: 1; fallback: string };

const bad = (what: string): RwError => new RwError("invalid_input", `bad claim request: ${what}`);

/** A request line as the daemon accepts it; anything else is refused with a reason. */
export function parseClaimRequest(line: string): ClaimRequest {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    throw bad("not JSON");
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw bad("not an object");
  const r = raw as Record<string, unknown>;
  if (r.v !== 1 || r.op !== "claim") throw bad("unknown version or operation");
  if (typeof r.version !== "string" || r.version.length > 64) throw bad("version");
  if (typeof r.next !== "boolean" || typeof r.force !== "boolean") throw bad("next/force");
  if (r.next === (r.id !== undefined)) throw bad("name a task ID or next, not both");
  if (r.id !== undefined && (typeof r.id !== "string" || r.id.length > 200)) throw bad("id");
  if (typeof r.lease_ms !== "number" || !Number.isSafeInteger(r.lease_ms) || r.lease_ms <= 0) throw bad("lease_ms");
  const actor = r.actor as Record<string, unknown> | undefined;
  if (typeof actor?.name !== "string" || typeof actor.email !== "string" || actor.email.length > 200 || /[\n<>]/.test(actor.email)) throw bad("actor");
  const checked = namedActor(actor.name, actor.email); // the same rules as a local claim's actor
  return { v: 1, version: r.version, op: "claim", ...(r.id !== undefined ? { id: r.id } : {}), next: r.next, lease_ms: r.lease_ms, force: r.force, actor: checked };
}

/** An error as the reply carries it (an RwError keeps its code, hence its exit code). */
export function errorToWire(err: unknown): WireError {
  if (err instanceof RwError) return { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}), ...(Object.keys(err.data).length > 0 ? { data: err.data } : {}) };
  return { code: "internal", message: err instanceof Error ? err.message : String(err) };
}

/** The error a reply carries, as the client throws it (the same message and exit code as a local claim's). */
export function errorFromWire(e: WireError): Error {
  if (e.code !== "internal" && Object.hasOwn(EXIT, e.code)) return new RwError(e.code, String(e.message), { ...(e.hint ? { hint: String(e.hint) } : {}), ...(e.data ? { data: e.data } : {}) });
  return new Error(String(e.message));
}
