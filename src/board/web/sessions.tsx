import { ago, duration, type Model } from "./model.ts";

export function SessionsPage({ model }: { model: Model }) {
  const t = model.totals;
  return (
    <section class="page">
      <h1>Sessions</h1>
      <p class="facts">All agent calls: <b>{t.tokens.toLocaleString()}</b> tokens, <b>${t.cost_usd.toFixed(4)}</b>.</p>
      {model.sessions.length === 0 ? <p class="empty">No sessions yet: <code>rw run</code> records one per run.</p> : (
        <table class="sessions">
          <thead><tr><th scope="col">Session</th><th scope="col">Who</th><th scope="col">Started</th><th scope="col">Duration</th><th scope="col">Outcome</th><th scope="col">Tasks</th><th scope="col" class="num">Tokens</th><th scope="col" class="num">Cost</th></tr></thead>
          <tbody>
            {model.sessions.map((s) => (
              <tr key={s.id}>
                <td><code>{s.id}</code></td>
                <td>{s.actor}</td>
                <td><time dateTime={s.started_at} title={s.started_at}>{ago(s.started_at)}</time></td>
                <td>{s.ended_at ? duration(s.duration_ms ?? Date.parse(s.ended_at) - Date.parse(s.started_at)) : <span class="live">running</span>}</td>
                <td>{s.outcome ?? ""}{s.done_count !== undefined ? ` (${s.done_count} done${s.failed_count ? `, ${s.failed_count} failed` : ""})` : ""}</td>
                <td>{s.tasks.slice(0, 6).map((id) => <a key={id} href={`#/task/${encodeURIComponent(id)}`}>{id} </a>)}{s.tasks.length > 6 ? `+${s.tasks.length - 6}` : ""}</td>
                <td class="num">{s.tokens?.toLocaleString() ?? ""}</td>
                <td class="num">{s.cost !== undefined ? `$${s.cost.toFixed(4)}` : ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
