import { RwError } from "../domain/errors.ts";
import { approveReview, assertReviewer, rejectReview, reviewInfo } from "../orchestrator/review.ts";
import type { Store } from "../store/store.ts";
import { str } from "./http.ts";
import { BOARD_PROTOCOL, type ReviewView } from "./protocol.ts";
import type { WriteEnv, WriteResult } from "./writes.ts";

/** The most diff a page gets; a bigger change is cut (with a note) and read whole with `rw review ID`. */
const DIFF_SHOWN = 400_000;

/** `rw review ID` for the page: the diff as it would land, the gates and the verifier's verdicts. */
export async function reviewView(store: Store, id: string): Promise<ReviewView> {
  const info = await reviewInfo(store, id);
  const r = info.request;
  const cut = Buffer.byteLength(info.diff) > DIFF_SHOWN;
  return {
    v: BOARD_PROTOCOL, id, attempt: r.attempt, requested_at: info.requested_at, commit: r.commit, branch: info.branch, integration: info.integration,
    ...(r.reason ? { reason: r.reason } : {}),
    gates: r.gates.map((g) => ({ gate: g.gate, passed: g.exit_code === 0 && !g.timed_out, exit_code: g.exit_code, timed_out: g.timed_out, duration_ms: g.duration_ms, output_tail: g.output_tail })),
    verdicts: r.verdicts,
    diffstat: info.diffstat,
    diff: cut ? Buffer.from(info.diff).subarray(0, DIFF_SHOWN).toString("utf8") : info.diff,
    ...(cut ? { diff_cut: DIFF_SHOWN } : {}),
  };
}

export interface ReviewEnv extends WriteEnv {
  /** The board's environment: approving runs the gates (with secrets left out, as `rw run` does). */
  env: Record<string, string | undefined>;
  now: () => number;
  log: (line: string) => void;
}

/** Approvals in flight, per task: a second click must not land the same branch twice. */
const approving = new Set<string>();

/**
 * Approve or reject a task waiting for review, as the person running the board: the same library
 * calls as `rw review ID --approve` / `--reject "feedback"`. The page names the commit it showed;
 * if a newer attempt is waiting now, nothing is done.
 */
export async function reviewTask(env: ReviewEnv, id: string, body: Record<string, unknown>): Promise<WriteResult & { outcome: string }> {
  const verdict = str(body, "verdict");
  if (verdict !== "approve" && verdict !== "reject") throw new RwError("usage", `verdict must be "approve" or "reject", not ${JSON.stringify(verdict ?? "")}`);
  assertReviewer(env.actor, env.env);
  const feedback = str(body, "feedback")?.trim() ?? "";
  if (verdict === "reject" && feedback === "") throw new RwError("usage", "say what to change: the feedback goes into the next attempt's prompt");
  const shown = str(body, "commit");
  if (approving.has(id)) throw new RwError("conflict", `${id} is being approved already (its gates are running)`, { hint: "the board shows the outcome when it lands" });
  approving.add(id); // before any await: a second click waits for nothing and is refused
  try {
    await env.beforeWrite?.();
    const current = await reviewInfo(env.store, id);
    if (shown !== undefined && current.request.commit !== shown) {
      throw new RwError("conflict", `${id} has a newer attempt waiting for review than the one shown; nothing was changed`, { hint: "the page shows the new one: review that" });
    }
    const tip = async (): Promise<string | null> => (await env.store.snapshot()).tip || null;
    if (verdict === "reject") {
      await rejectReview(env.store, id, env.actor, feedback);
      return { ok: true, id, changed: 1, commit: await tip(), outcome: "rejected", message: `${id} sent back to a worker with your feedback (it is open again)` };
    }
    const r = await approveReview(env.store, id, env.actor, { env: env.env, now: env.now, onStep: (s) => env.log(`${id}: ${s}`) });
    if (r.outcome === "landed") {
      return { ok: true, id, changed: 1, commit: await tip(), outcome: "landed", message: `${id} approved and merged into ${current.integration} (${r.commit.slice(0, 10)}, ${r.files.length} file${r.files.length === 1 ? "" : "s"})` };
    }
    return { ok: true, id, changed: 1, commit: await tip(), outcome: "sent_back", message: `${id} could not be merged: ${r.reason}; it went back to a worker with that as feedback` };
  } finally {
    approving.delete(id);
  }
}
