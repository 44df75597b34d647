import { useEffect, useState } from "preact/hooks";
import type { AnalyticsView } from "../protocol.ts";
import { api, ApiError } from "./api.ts";
import { BarChart } from "./charts.tsx";
import { duration, type Model } from "./model.ts";

/** Throughput per day and the cycle-time distribution, drawn as SVG; refreshed when the ref moves. */
export function AnalyticsPage({ model }: { model: Model }) {
  const [a, setA] = useState<AnalyticsView | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    // Many commits in a burst (a run) ask once, a moment after the last.
    const t = setTimeout(() => api.analytics().then(setA, (e: unknown) => setError(e instanceof ApiError ? e.message : String(e))), a ? 800 : 0);
    return () => clearTimeout(t);
  }, [model.tip]);
  if (error) return <section class="page"><h1>Analytics</h1><p role="alert">{error}</p></section>;
  if (!a) return <section class="page"><h1>Analytics</h1><p class="loading">Loading…</p></section>;
  const p = (x: AnalyticsView["cycle_time"]) => (x.count === 0 ? "no data" : `p50 ${duration(x.p50)} · p90 ${duration(x.p90)} · p99 ${duration(x.p99)} · ${x.count} tasks`);
  return (
    <section class="page analytics">
      <h1>Analytics</h1>
      <div class="stats">
        <div><span>Cycle time (claim → done)</span><b>{p(a.cycle_time)}</b></div>
        <div><span>Lead time (created → done)</span><b>{p(a.lead_time)}</b></div>
        <div><span>Success rate</span><b>{a.success_rate === null ? "no data" : `${Math.round(a.success_rate * 100)}%`}</b></div>
        <div><span>Agent spend</span><b>{a.tokens.total.toLocaleString()} tokens · ${a.tokens.cost.toFixed(4)}</b></div>
      </div>
      <figure>
        <figcaption>Throughput: tasks done per day</figcaption>
        <BarChart id="throughput" data={a.throughput.map((d) => ({ label: d.day.slice(5), value: d.done, title: `${d.day}: ${d.done} done` }))} empty="nothing done yet" />
      </figure>
      <figure>
        <figcaption>Cycle-time distribution</figcaption>
        <BarChart id="cycle" data={a.cycle_histogram.map((b) => ({ label: b.label, value: b.count, title: `${b.label}: ${b.count} tasks` }))} empty="no completed claims yet" />
      </figure>
    </section>
  );
}
