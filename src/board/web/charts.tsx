export interface Bar { label: string; value: number; title: string }

const W = 720;
const H = 220;
const PAD = { l: 36, r: 8, t: 10, b: 28 };

/** A bar chart as SVG: axis with round ticks, one <rect> per bar with its value in a tooltip. */
export function BarChart({ id, data, empty }: { id: string; data: Bar[]; empty: string }) {
  const max = Math.max(0, ...data.map((d) => d.value));
  if (data.length === 0 || max === 0) return <p class="empty">{empty}</p>;
  const step = niceStep(max);
  const top = Math.ceil(max / step) * step;
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);
  const iw = W - PAD.l - PAD.r;
  const ih = H - PAD.t - PAD.b;
  const bw = iw / data.length;
  const y = (v: number): number => PAD.t + ih - (v / top) * ih;
  const every = Math.ceil(data.length / 12); // at most ~12 labels on the axis
  return (
    <svg class="chart" id={`chart-${id}`} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={data.map((d) => d.title).join("; ")}>
      {ticks.map((t) => (
        <g key={t} class="tick">
          <line x1={PAD.l} x2={W - PAD.r} y1={y(t)} y2={y(t)} />
          <text x={PAD.l - 6} y={y(t) + 4} text-anchor="end">{t}</text>
        </g>
      ))}
      {data.map((d, i) => (
        <g key={i} class="bar">
          <rect x={PAD.l + i * bw + bw * 0.12} y={y(d.value)} width={bw * 0.76} height={Math.max(0, PAD.t + ih - y(d.value))}><title>{d.title}</title></rect>
          {i % every === 0 && <text x={PAD.l + i * bw + bw / 2} y={H - 10} text-anchor="middle">{d.label}</text>}
        </g>
      ))}
    </svg>
  );
}

function niceStep(max: number): number {
  const raw = max / 4;
  const mag = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  for (const m of [1, 2, 5, 10]) if (raw <= m * mag) return Math.max(1, m * mag);
  return mag * 10;
}
