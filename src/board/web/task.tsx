import { useEffect, useRef, useState } from "preact/hooks";
import type { TaskDetail } from "../protocol.ts";
import { api, ApiError, stream } from "./api.ts";
import { splitLabels } from "./dialogs.tsx";
import type { AppActions } from "./main.tsx";
import { ago, STATUS_NAMES, waitsOn, type Model } from "./model.ts";
import { ReviewPanel } from "./review.tsx";

/** The task page: body, criteria, notes, history, the agent's transcript (live), and edits. */
export function TaskPage({ model, id, actions }: { model: Model; id: string; actions: AppActions }) {
  const card = model.cards.get(id);
  const [detail, setDetail] = useState<TaskDetail | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [editing, setEditing] = useState(false);
  const stamp = card ? JSON.stringify(card) : "";
  useEffect(() => {
    let live = true;
    api.task(id).then((d) => live && (setDetail(d), setError(undefined)), (e: unknown) => live && setError(e instanceof ApiError ? e.message : String(e)));
    return () => {
      live = false;
    };
  }, [id, stamp, model.tip]);
  if (!card) return <section class="task-page"><p><a href="#/">← board</a></p><p role="alert">{error ?? `task ${id} not found`}</p></section>;
  const waits = waitsOn(model, card);
  return (
    <section class="task-page" aria-labelledby="task-title">
      <p><a href="#/">← board</a> <span class="hint">(Esc)</span></p>
      <header>
        <span class="id">{card.id}</span> <span class={`prio p${card.priority}`}>P{card.priority}</span> <span class={`status s-${card.status}`}>{STATUS_NAMES[card.status]}</span>
        <h1 id="task-title">{card.title}</h1>
        <p class="facts">
          {card.type} · created {ago(card.created_at)} · updated {ago(card.updated_at)}
          {card.assignee && <> · <b>@{card.assignee}</b>{card.lease_until ? ` (lease ends ${ago(card.lease_until)})` : ""}</>}
          {card.initiative && <> · {card.initiative}{card.phase !== undefined ? ` phase ${card.phase}` : ""}</>}
          {card.labels.map((l) => <span key={l} class="label">{l}</span>)}
        </p>
        {waits.length > 0 && <p class="waits">waits on {waits.join("; ")}</p>}
        <div class="actions">
          <label>Status <select aria-label="status" value={card.status} onChange={(e) => {
            const to = (e.target as HTMLSelectElement).value;
            const reason = to === "blocked" ? prompt("Why is it blocked?") ?? undefined : undefined;
            void actions.act(`moving ${id}`, () => api.move(id, to, card.status, reason));
          }}>{model.statuses.filter((s) => s !== "review" || card.status === "review").map((s) => <option key={s} value={s}>{STATUS_NAMES[s] ?? s}</option>)}</select></label>
          <button type="button" onClick={() => setEditing(!editing)}>{editing ? "Close editor" : "Edit"}</button>
        </div>
      </header>
      {editing && detail && <Editor detail={detail} actions={actions} done={() => setEditing(false)} />}
      {card.status === "review" && <ReviewPanel id={id} tip={model.tip} actions={actions} />}
      {error && <p role="alert" class="error">{error}</p>}
      {detail && (
        <div class="task-grid">
          <div>
            <article class="markdown" dangerouslySetInnerHTML={{ __html: detail.body_html || "<p class=\"empty\">no description</p>" }} />
            <Notes detail={detail} actions={actions} />
            {(detail.transcript || card.status === "in_progress") && <Transcript id={id} />}
          </div>
          <aside>
            {detail.criteria.length > 0 && (
              <section><h2>Acceptance criteria <span class="hint">{detail.criteria.filter((c) => c.checked).length} of {detail.criteria.length} met</span></h2><ul class="criteria">
                {detail.criteria.map((c) => <li key={c.index} class={c.checked ? "met" : ""}>{c.checked ? "☑" : "☐"} {c.text}</li>)}
              </ul></section>
            )}
            {detail.deps.length > 0 && <section><h2>Depends on</h2><ul>{detail.deps.map((d) => <li key={d}><a href={`#/task/${encodeURIComponent(d)}`}>{d}</a> {model.cards.get(d)?.title ?? ""} <span class="hint">{STATUS_NAMES[model.cards.get(d)?.status ?? ""] ?? ""}</span></li>)}</ul></section>}
            {detail.gates.length > 0 && <section><h2>Gates</h2><ul>{detail.gates.map((g) => <li key={g}><code>{g}</code></li>)}</ul></section>}
            {detail.usage && <section><h2>Agent spend</h2><p>{(detail.usage.input_tokens + detail.usage.output_tokens).toLocaleString()} tokens · ${detail.usage.cost_usd.toFixed(4)} · {detail.usage.calls} calls</p></section>}
            <section><h2>History</h2><ol class="history">
              {detail.history.slice().reverse().map((h, i) => (
                <li key={i}><time dateTime={h.ts} title={h.ts}>{ago(h.ts)}</time> <b>{h.type}</b> <span class="who">{h.actor}</span>{h.commit && <code class="commit">{h.commit.slice(0, 8)}</code>}<div class="text">{h.text}</div></li>
              ))}
            </ol></section>
          </aside>
        </div>
      )}
    </section>
  );
}

function Editor({ detail, actions, done }: { detail: TaskDetail; actions: AppActions; done: () => void }) {
  const [title, setTitle] = useState(detail.card.title);
  const [labels, setLabels] = useState(detail.card.labels.join(", "));
  const [body, setBody] = useState(detail.body);
  const save = async (): Promise<void> => {
    const patch: { title?: string; body?: string; labels?: string[] } = {};
    if (title !== detail.card.title) patch.title = title;
    if (body !== detail.body) patch.body = body;
    const l = splitLabels(labels);
    if (l.join(",") !== detail.card.labels.join(",")) patch.labels = l;
    if (Object.keys(patch).length === 0) return done();
    if (await actions.act(`editing ${detail.card.id}`, () => api.edit(detail.card.id, patch))) done();
  };
  return (
    <form class="editor" onSubmit={(e) => {
      e.preventDefault();
      void save();
    }}>
      <label>Title<input name="title" value={title} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} /></label>
      <label>Labels<input name="labels" value={labels} onInput={(e) => setLabels((e.target as HTMLInputElement).value)} /></label>
      <label>Body (Markdown)<textarea name="body" rows={14} value={body} onInput={(e) => setBody((e.target as HTMLTextAreaElement).value)} /></label>
      <div class="buttons"><button type="button" onClick={done}>Cancel</button><button type="submit" class="primary">Save</button></div>
    </form>
  );
}

function Notes({ detail, actions }: { detail: TaskDetail; actions: AppActions }) {
  const [text, setText] = useState("");
  return (
    <section class="notes"><h2>Notes</h2>
      {detail.notes.length === 0 ? <p class="empty">no notes</p> : <ul>{detail.notes.map((n, i) => <li key={i}><b>{n.actor}</b> <time dateTime={n.ts} title={n.ts}>{ago(n.ts)}</time><div class="note-text">{n.text}</div></li>)}</ul>}
      <form onSubmit={(e) => {
        e.preventDefault();
        void actions.act(`adding a note to ${detail.card.id}`, () => api.note(detail.card.id, text)).then((ok) => ok && setText(""));
      }}>
        <label>Add a note<textarea name="note" rows={3} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} /></label>
        <div class="buttons"><button type="submit" disabled={!text.trim()}>Add note</button></div>
      </form>
    </section>
  );
}

/** The agent's transcript from `rw run`'s log, streamed as it is written. */
function Transcript({ id }: { id: string }) {
  const [text, setText] = useState("");
  const ref = useRef<HTMLPreElement>(null);
  useEffect(() => {
    setText("");
    const es = stream(`/api/task/${encodeURIComponent(id)}/transcript`);
    const add = (e: Event): void => setText((t) => (t + (JSON.parse((e as MessageEvent<string>).data) as string)).slice(-200_000));
    es.addEventListener("text", add);
    es.addEventListener("reset", (e) => setText(JSON.parse((e as MessageEvent<string>).data) as string));
    return () => es.close();
  }, [id]);
  useEffect(() => {
    const el = ref.current;
    if (el && el.scrollHeight - el.scrollTop - el.clientHeight < 80) el.scrollTop = el.scrollHeight;
  }, [text]);
  return (
    <section class="transcript"><h2>Agent transcript <span class="hint">live from <code>rw logs {id}</code></span></h2>
      <pre ref={ref} tabIndex={0} aria-label="agent transcript">{text || "nothing yet"}</pre>
    </section>
  );
}
