import { statSync } from "node:fs";
import { connect } from "node:net";
import { RwError } from "../domain/errors.ts";
import { errorFromWire, socketPath, type ClaimReply, type ClaimRequest } from "../daemon/claim-protocol.ts";
import { packageVersion } from "../store/package-root.ts";
import { rwDir } from "../store/repo.ts";
import type { Store } from "../store/store.ts";
import type { TxOutcome } from "../store/transact.ts";

/** Whether a daemon's socket is there (it may still be one a killed daemon left: then nobody answers). */
export function daemonServes(store: Store): boolean {
  return store.ctx.env.RW_DAEMON !== "off" && statSync(socketPath(rwDir(store.repo)), { throwIfNoEntry: false })?.isSocket() === true;
}

/** How long a served claim may take (the daemon may be in the middle of a sync round). */
const ANSWER_MS = 120_000;

/**
 * `rw claim` through a running daemon (daemon/claim-protocol.ts), once `daemonServes` said so:
 * the outcome as a local claim would have it, or undefined when no daemon answers (a socket
 * left by a killed daemon or gone since, another version): the caller then claims itself. Once
 * the request is sent, a lost answer is an error, never a second claim.
 */
export async function claimThroughDaemon<R>(store: Store, req: Omit<ClaimRequest, "v" | "version" | "op">): Promise<TxOutcome<R> | undefined> {
  const path = socketPath(rwDir(store.repo));
  const reply = await new Promise<ClaimReply | undefined>((resolve, reject) => {
    const sock = connect(path);
    let sent = false;
    let text = "";
    sock.setEncoding("utf8");
    sock.setTimeout(ANSWER_MS, () => sock.destroy(new Error(`no answer within ${ANSWER_MS / 1000} s`)));
    sock.on("connect", () => {
      sent = true;
      sock.write(`${JSON.stringify({ v: 1, version: packageVersion(), op: "claim", ...req } satisfies ClaimRequest)}\n`);
    });
    sock.on("data", (chunk: string) => (text += chunk));
    sock.on("error", (err: NodeJS.ErrnoException) => {
      // Nobody listening (a daemon that was killed): claim here.
      if (!sent) return resolve(undefined);
      reject(lost(`${err.code ?? err.message}`, req.actor.name));
    });
    sock.on("close", () => {
      const line = text.split("\n")[0] ?? "";
      try {
        resolve(JSON.parse(line) as ClaimReply);
      } catch {
        if (sent) reject(lost("the connection closed", req.actor.name));
      }
    });
  });
  if (!reply || "fallback" in reply) return undefined;
  if (!reply.ok) throw errorFromWire(reply.error);
  return { result: reply.result as R, commit: reply.commit, events: reply.events as TxOutcome<R>["events"], attempts: 1 };
}

const lost = (why: string, actor: string): RwError =>
  new RwError("conflict", `the daemon did not answer the claim (${why}): it may or may not have been made`, {
    hint: `\`rw list --assignee ${actor}\` shows what ${actor} holds; RW_DAEMON=off claims without the daemon`,
  });
