import { api } from "./api.ts";
import type { AppActions } from "./main.tsx";
import { noFilters, type Filters, type Model } from "./model.ts";

export function Progress({ done, total, label }: { done: number; total: number; label: string }) {
  const pct = total === 0 ? 0 : Math.round((done / total) * 100);
  return (
    <span class="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={total} aria-valuenow={done}>
      <span class="bar"><span class="fill" style={{ width: `${pct}%` }} /></span>
      <span class="pct">{done}/{total}</span>
    </span>
  );
}

/** Initiatives with their phases, progress bars and the rolling approval of the next phase. */
export function InitiativesPage({ model, actions, setFilters }: { model: Model; actions: AppActions; setFilters: (f: Filters) => void }) {
  if (model.initiatives.length === 0) return <section class="page"><h1>Initiatives</h1><p class="empty">No initiatives yet: <code>rw initiative new</code> or <code>rw plan prd.md</code>.</p></section>;
  return (
    <section class="page">
      <h1>Initiatives</h1>
      {model.initiatives.map((i) => (
        <article key={i.id} class="initiative" data-initiative={i.id}>
          <header>
            <span class="id">{i.id}</span> <span class={`status i-${i.status}`}>{i.status.replace("_", " ")}</span>
            <h2>{i.title}</h2>
            <Progress done={i.done} total={i.total} label={`${i.id} progress`} />
            <button type="button" onClick={() => {
              setFilters({ ...noFilters(), initiative: i.id });
              actions.go("#/");
            }}>Show its tasks</button>
          </header>
          <ol class="phases">
            {i.phases.map((p) => (
              <li key={p.n} class={`phase ph-${p.status}`} data-phase={p.n}>
                <span class="n">Phase {p.n}</span> <span class="ptitle">{p.title}</span> <span class={`status ph-${p.status}`}>{p.status}</span>
                <Progress done={p.done} total={p.total} label={`phase ${p.n} progress`} />
                {p.status === "planned" && (
                  <button type="button" class="primary" onClick={() => void actions.act(`approving phase ${p.n} of ${i.id}`, () => api.approve(i.id, p.n))}>
                    Approve phase {p.n}
                  </button>
                )}
              </li>
            ))}
          </ol>
        </article>
      ))}
    </section>
  );
}
