import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import type { Card } from "../protocol.ts";
import { api } from "./api.ts";
import { CardView, CARD_H } from "./card.tsx";
import { NewTaskDialog, ReasonDialog } from "./dialogs.tsx";
import type { AppActions } from "./main.tsx";
import { facets, nextColumns, STATUS_NAMES, type Columns, type Filters, type Model } from "./model.ts";

interface Props { model: Model; filters: Filters; setFilters: (f: Filters) => void; actions: AppActions }

/** The kanban board: one virtualised column per status, filters, drag (or Shift+arrow) to move. */
export function BoardPage({ model, filters, setFilters, actions }: Props) {
  // Kept across renders: a delta moves only its cards in the previous columns (model.ts nextColumns).
  const colsRef = useRef<Columns | undefined>(undefined);
  const cols = (colsRef.current = nextColumns(colsRef.current, model, filters)).cols;
  const facet = useMemo(() => facets(model), [model.version]);
  const [focus, setFocus] = useState<string | undefined>();
  // The key handler reads focus from here: keys pressed faster than a render (j, k, Enter) must
  // see the focus the previous key set, not the one of the last render.
  const focusRef = useRef<string | undefined>(undefined);
  focusRef.current = focus;
  const focusCard = (id: string): void => {
    focusRef.current = id;
    setFocus(id);
  };
  const [asking, setAsking] = useState<{ id: string; status: string; expect: string } | undefined>();
  const [creating, setCreating] = useState(false);
  const [dropOn, setDropOn] = useState<string | undefined>();
  const textRef = useRef<HTMLInputElement>(null);

  const move = (id: string, status: string, reason?: string): void => {
    const card = model.cards.get(id);
    if (!card || card.status === status) return;
    if (status === "blocked" && reason === undefined) return setAsking({ id, status, expect: card.status });
    void actions.act(`moving ${id} to ${STATUS_NAMES[status] ?? status}`, () => api.move(id, status, card.status, reason));
  };

  const where = (id: string): { col: number; row: number } | undefined => {
    const statuses = model.statuses;
    for (let c = 0; c < statuses.length; c++) {
      const row = cols.get(statuses[c]!)?.findIndex((x) => x.id === id) ?? -1;
      if (row >= 0) return { col: c, row };
    }
    return undefined;
  };

  const onKey = (e: KeyboardEvent): void => {
    const t = e.target as HTMLElement;
    if (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT") return;
    if (e.key === "/") {
      textRef.current?.focus();
      e.preventDefault();
      return;
    }
    if (e.key === "n") {
      setCreating(true);
      e.preventDefault();
      return;
    }
    const keys = ["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "j", "k", "h", "l", "Enter"];
    if (!keys.includes(e.key) || e.ctrlKey || e.metaKey || e.altKey) return;
    e.preventDefault();
    const statuses = model.statuses;
    const current = focusRef.current;
    const at = current ? where(current) : undefined;
    if (!at) {
      const first = statuses.map((s) => cols.get(s)?.[0]).find(Boolean);
      if (first) focusCard(first.id);
      return;
    }
    const card = cols.get(statuses[at.col]!)![at.row]!;
    if (e.key === "Enter") return actions.go(`#/task/${encodeURIComponent(card.id)}`);
    const dx = e.key === "ArrowLeft" || e.key === "h" ? -1 : e.key === "ArrowRight" || e.key === "l" ? 1 : 0;
    const dy = e.key === "ArrowUp" || e.key === "k" ? -1 : e.key === "ArrowDown" || e.key === "j" ? 1 : 0;
    if (e.shiftKey && dx !== 0) {
      const target = statuses[at.col + dx];
      if (target) move(card.id, target);
      return;
    }
    if (dy !== 0) {
      const list = cols.get(statuses[at.col]!)!;
      const next = list[Math.max(0, Math.min(list.length - 1, at.row + dy))];
      if (next) focusCard(next.id);
      return;
    }
    for (let c = at.col + dx; c >= 0 && c < statuses.length; c += dx) {
      const list = cols.get(statuses[c]!)!;
      if (list.length) return focusCard(list[Math.min(at.row, list.length - 1)]!.id);
    }
  };

  // A layout effect: in place as soon as the board is in the DOM (a plain effect waits for the next
  // frame, and a key pressed right after the board showed, like `n`, was lost).
  useLayoutEffect(() => {
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  });

  const select = (key: keyof Filters, label: string, values: string[]) => (
    <label class="filter">
      <span>{label}</span>
      <select value={filters[key]} onChange={(e) => setFilters({ ...filters, [key]: (e.target as HTMLSelectElement).value })} aria-label={`filter by ${label}`}>
        <option value="">any</option>
        {values.map((v) => <option key={v} value={v}>{v}</option>)}
      </select>
    </label>
  );
  const shown = [...cols.values()].reduce((a, l) => a + l.length, 0);
  return (
    <div class="board-page">
      <div class="filters" role="search">
        <input ref={textRef} type="search" placeholder="filter: ID or title  ( / )" value={filters.text} aria-label="filter by text"
          onInput={(e) => setFilters({ ...filters, text: (e.target as HTMLInputElement).value })} />
        {select("label", "label", facet.labels)}
        {select("initiative", "initiative", facet.initiatives)}
        {select("assignee", "assignee", ["(nobody)", ...facet.assignees])}
        <span class="count">{shown === model.cards.size ? `${shown} tasks` : `${shown} of ${model.cards.size} tasks`}</span>
        <button type="button" class="primary" onClick={() => setCreating(true)} title="new task (n)">+ New task</button>
      </div>
      <div class="columns" style={{ gridTemplateColumns: `repeat(${model.statuses.length}, minmax(200px, 1fr))` }}>
        {model.statuses.map((s) => (
          <section key={s} class={`column${dropOn === s ? " drop" : ""}`} data-status={s} aria-label={`${STATUS_NAMES[s] ?? s} column`}
            onDragOver={(e) => {
              e.preventDefault();
              if (e.dataTransfer) e.dataTransfer.dropEffect = "move";
              if (dropOn !== s) setDropOn(s);
            }}
            onDragLeave={(e) => {
              if (!(e.currentTarget).contains(e.relatedTarget as Node | null)) setDropOn(undefined);
            }}
            onDrop={(e) => {
              e.preventDefault();
              setDropOn(undefined);
              const id = e.dataTransfer?.getData("text/plain");
              if (id) move(id, s);
            }}>
            <h2>{STATUS_NAMES[s] ?? s} <span class="n">{cols.get(s)?.length ?? 0}</span></h2>
            <VirtualColumn cards={cols.get(s) ?? []} model={model} focus={focus} wanted={focusRef} setFocus={focusCard} open={(id) => actions.go(`#/task/${encodeURIComponent(id)}`)} />
          </section>
        ))}
      </div>
      {asking && <ReasonDialog title={`Block ${asking.id}`} onCancel={() => setAsking(undefined)}
        onSubmit={(reason) => {
          setAsking(undefined);
          void actions.act(`blocking ${asking.id}`, () => api.move(asking.id, asking.status, asking.expect, reason || undefined));
        }} />}
      {creating && <NewTaskDialog model={model} actions={actions} onClose={() => setCreating(false)} />}
    </div>
  );
}

const OVERSCAN = 6;

/** Only the cards in view (plus a few) are in the DOM: 10,000 cards scroll like 20. */
function VirtualColumn({ cards, model, focus, wanted, setFocus, open }: { cards: Card[]; model: Model; focus: string | undefined; wanted: { readonly current: string | undefined }; setFocus: (id: string) => void; open: (id: string) => void }) {
  const ref = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  const [height, setHeight] = useState(800);
  useEffect(() => {
    const el = ref.current!;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  // Keyboard focus: scroll the focused card into the window, then give it the DOM focus.
  useEffect(() => {
    if (!focus) return;
    const i = cards.findIndex((c) => c.id === focus);
    const el = ref.current;
    if (i < 0 || !el) return;
    if (i * CARD_H < el.scrollTop) el.scrollTop = i * CARD_H;
    else if ((i + 1) * CARD_H > el.scrollTop + el.clientHeight) el.scrollTop = (i + 1) * CARD_H - el.clientHeight;
    setTop(el.scrollTop);
    // Only if the keys have not moved the focus on meanwhile: a stale focus() fires the card's
    // focus event, which sets the focus back to that card, and the next j/k/Enter acts on it.
    const frame = requestAnimationFrame(() => {
      if (wanted.current === focus) el.querySelector<HTMLElement>(`[data-id="${CSS.escape(focus)}"]`)?.focus();
    });
    return () => cancelAnimationFrame(frame);
  }, [focus]);
  const first = Math.max(0, Math.floor(top / CARD_H) - OVERSCAN);
  const last = Math.min(cards.length, Math.ceil((top + height) / CARD_H) + OVERSCAN);
  const frame = useRef(0);
  return (
    <div class="cards" ref={ref} role="list" onScroll={(e) => {
      const el = e.currentTarget;
      cancelAnimationFrame(frame.current);
      frame.current = requestAnimationFrame(() => setTop(el.scrollTop));
    }}>
      <div class="spacer" style={{ height: `${cards.length * CARD_H}px` }}>
        {cards.slice(first, last).map((c, k) => (
          <CardView key={c.id} card={c} model={model} top={(first + k) * CARD_H} focused={c.id === focus} onFocus={() => setFocus(c.id)} open={() => open(c.id)} />
        ))}
      </div>
      {cards.length === 0 && <p class="empty">nothing here</p>}
    </div>
  );
}
