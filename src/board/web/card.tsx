import type { Card } from "../protocol.ts";
import { ago, waitsOn, type Model } from "./model.ts";

/** Every card has the same height (virtualised columns position them by index). */
export const CARD_H = 104;

export function CardView({ card: c, model, top, focused, onFocus, open }: { card: Card; model: Model; top: number; focused: boolean; onFocus: () => void; open: () => void }) {
  const waits = waitsOn(model, c);
  const lease = c.status === "in_progress" && c.lease_until ? (c.lease_until < new Date().toISOString() ? "lease expired" : `lease ends ${ago(c.lease_until)}`) : "";
  return (
    <div class={`card p${c.priority}${focused ? " focused" : ""}`} role="listitem" tabIndex={0} data-id={c.id} draggable
      style={{ transform: `translateY(${top}px)` }}
      aria-label={`${c.id} ${c.title}, priority ${c.priority}${c.assignee ? `, ${c.assignee}` : ""}`}
      onDragStart={(e) => {
        e.dataTransfer?.setData("text/plain", c.id);
        if (e.dataTransfer) e.dataTransfer.effectAllowed = "move";
      }}
      onClick={open} onFocus={onFocus}>
      <div class="row1">
        <span class="id">{c.id}</span>
        <span class={`prio p${c.priority}`} title={`priority ${c.priority}`}>P{c.priority}</span>
        {c.retry_count ? <span class="retry" title="failed attempts">↻{c.retry_count}</span> : null}
        {c.initiative && <span class="ini" title="initiative · phase">{c.initiative}{c.phase !== undefined ? `·${c.phase}` : ""}</span>}
      </div>
      <div class="title" title={c.title}>{c.title}</div>
      <div class="row3">
        {c.labels.slice(0, 4).map((l) => <span key={l} class="label">{l}</span>)}
        {c.assignee && <span class="who" title={lease}>@{c.assignee}{lease ? ` · ${lease}` : ""}</span>}
      </div>
      {waits.length > 0 && <div class="waits" title={waits.join("; ")}>waits: {waits.join("; ")}</div>}
    </div>
  );
}
