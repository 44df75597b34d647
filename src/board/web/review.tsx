import { useEffect, useState } from "preact/hooks";
import type { ReviewView } from "../protocol.ts";
import { api, ApiError } from "./api.ts";
import type { AppActions } from "./main.tsx";
import { ago, duration } from "./model.ts";

/**
 * A task waiting for a person (`execution.review = "human"`): the diff as it would land, the
 * gates and the verifier's verdicts, then approve (merged through the merge queue, as
 * `rw review ID --approve`) or reject with feedback (in the next attempt's prompt).
 */
export function ReviewPanel({ id, tip, actions }: { id: string; tip: string; actions: AppActions }) {
  const [view, setView] = useState<ReviewView | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [feedback, setFeedback] = useState("");
  const [busy, setBusy] = useState<"approve" | "reject" | undefined>();
  useEffect(() => {
    let live = true;
    api.reviewOf(id).then((v) => live && (setView(v), setError(undefined)), (e: unknown) => live && setError(e instanceof ApiError ? e.message : String(e)));
    return () => {
      live = false;
    };
  }, [id, tip]);
  if (error) return <section class="review" aria-label="review"><h2>Review</h2><p role="alert" class="error">{error}</p></section>;
  if (!view) return <section class="review" aria-label="review"><h2>Review</h2><p class="loading">Loading the diff…</p></section>;
  const decide = async (verdict: "approve" | "reject"): Promise<void> => {
    setBusy(verdict);
    const ok = await actions.act(verdict === "approve" ? `approving ${id}` : `sending ${id} back`, () => api.review(id, verdict, view.commit, verdict === "reject" ? feedback : undefined));
    setBusy(undefined);
    if (ok && verdict === "reject") setFeedback("");
  };
  return (
    <section class="review" aria-label="review">
      <h2>Waiting for your review <span class="hint">attempt {view.attempt} · since {ago(view.requested_at)} · <code>{view.branch}</code> into <code>{view.integration}</code></span></h2>
      {view.reason && <p class="waits">{view.reason}</p>}
      <div class="review-checks">
        <div>
          <h3>Gates</h3>
          {view.gates.length === 0 ? <p class="empty">none configured</p> : (
            <ul class="gates">{view.gates.map((g, i) => (
              <li key={i} class={g.passed ? "pass" : "fail"}>
                <b>{g.passed ? "pass" : g.timed_out ? "timed out" : "FAIL"}</b> <code>{g.gate}</code> <span class="hint">{duration(g.duration_ms)}</span>
                {!g.passed && g.output_tail && <pre>{g.output_tail}</pre>}
              </li>
            ))}</ul>
          )}
        </div>
        <div>
          <h3>Verifier</h3>
          {view.verdicts.length === 0 ? <p class="empty">no open acceptance criteria</p> : (
            <ul class="verdicts">{view.verdicts.map((v) => (
              <li key={v.index} class={v.met ? "pass" : "fail"}><b>{v.met ? "met" : "NOT met"}</b> {v.text}{v.evidence && <div class="hint">{v.evidence}</div>}</li>
            ))}</ul>
          )}
        </div>
      </div>
      <h3>Diff</h3>
      {view.diffstat ? <pre class="diffstat">{view.diffstat}</pre> : <p class="empty">no changes</p>}
      {view.diff && <Diff text={view.diff} />}
      {view.diff_cut !== undefined && <p class="hint">The diff is cut at {Math.round(view.diff_cut / 1000)} KB: <code>rw review {id}</code> shows all of it.</p>}
      <form class="review-form" onSubmit={(e) => {
        e.preventDefault();
        void decide("reject");
      }}>
        <label>Feedback for the next attempt (sent with a rejection)
          <textarea name="feedback" rows={3} value={feedback} onInput={(e) => setFeedback((e.target as HTMLTextAreaElement).value)} placeholder="what to change" />
        </label>
        <div class="buttons">
          <button type="submit" disabled={busy !== undefined || feedback.trim() === ""}>{busy === "reject" ? "Sending back…" : "Reject with feedback"}</button>
          <button type="button" class="primary" disabled={busy !== undefined} onClick={() => void decide("approve")}>{busy === "approve" ? "Approving (gates run again)…" : "Approve and merge"}</button>
        </div>
      </form>
    </section>
  );
}

/** A unified diff, one element per line so added and removed lines are coloured (text only, never HTML). */
function Diff({ text }: { text: string }) {
  const lines = text.replace(/\n$/, "").split("\n");
  const kind = (l: string): string => (l.startsWith("+++") || l.startsWith("---") || l.startsWith("diff ") || l.startsWith("index ") ? "meta" : l.startsWith("@@") ? "hunk" : l.startsWith("+") ? "add" : l.startsWith("-") ? "del" : "");
  return <pre class="diff" tabIndex={0} aria-label="diff">{lines.map((l, i) => <span key={i} class={kind(l)}>{l}{"\n"}</span>)}</pre>;
}
