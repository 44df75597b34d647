import { render } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { BoardDelta, BoardSnapshot } from "../protocol.ts";
import { ApiError, stream } from "./api.ts";
import { AnalyticsPage } from "./analytics.tsx";
import { BoardPage } from "./board.tsx";
import { InitiativesPage } from "./initiatives.tsx";
import { applyDelta, applySnapshot, emptyModel, noFilters, type Filters, type Model } from "./model.ts";
import { SessionsPage } from "./sessions.tsx";
import { TaskPage } from "./task.tsx";
import { Toasts, type Toast } from "./toasts.tsx";

type Route = { view: "board" } | { view: "task"; id: string } | { view: "initiatives" } | { view: "sessions" } | { view: "analytics" };

function parseRoute(hash: string): Route {
  const [, view, id] = hash.replace(/^#/, "").split("/");
  if (view === "task" && id) return { view: "task", id: decodeURIComponent(id) };
  if (view === "initiatives" || view === "sessions" || view === "analytics") return { view };
  return { view: "board" };
}

export interface AppActions {
  /** Runs a write; a refusal shows its message (the CLI's words) and resolves to false. */
  act: (label: string, run: () => Promise<{ message: string; outcome?: string }>) => Promise<boolean>;
  notify: (text: string, kind?: Toast["kind"]) => void;
  go: (hash: string) => void;
}

const THEME_KEY = "rw-board-theme";

function App() {
  const [model, setModel] = useState<Model>(emptyModel);
  const [route, setRoute] = useState<Route>(() => parseRoute(location.hash));
  const [filters, setFilters] = useState<Filters>(noFilters);
  const [toasts, setToasts] = useState<Toast[]>([]);
  const [theme, setTheme] = useState<string>(() => localStorage.getItem(THEME_KEY) ?? "auto");
  const toastId = useRef(0);
  const modelRef = useRef(model);
  modelRef.current = model;

  const notify = useCallback((text: string, kind: Toast["kind"] = "info") => {
    const id = ++toastId.current;
    setToasts((t) => [...t.slice(-4), { id, text, kind }]);
    setTimeout(() => setToasts((t) => t.filter((x) => x.id !== id)), kind === "error" ? 12_000 : 4_000);
  }, []);

  useEffect(() => {
    let es: EventSource | undefined;
    const connect = (): void => {
      es?.close();
      es = stream("/api/stream");
      es.addEventListener("snapshot", (e) => setModel(applySnapshot(JSON.parse((e as MessageEvent<string>).data) as BoardSnapshot)));
      es.addEventListener("delta", (e) => {
        const d = JSON.parse((e as MessageEvent<string>).data) as BoardDelta;
        const next = applyDelta(modelRef.current, d);
        if (next) setModel(next);
        else connect(); // a message was missed: start again from a fresh snapshot
      });
      es.onerror = () => setModel((m) => (m.offline ? m : { ...m, offline: true }));
      es.onopen = () => setModel((m) => (m.offline ? { ...m, offline: false } : m));
    };
    connect();
    return () => es?.close();
  }, []);

  useEffect(() => {
    const onHash = (): void => setRoute(parseRoute(location.hash));
    addEventListener("hashchange", onHash);
    return () => removeEventListener("hashchange", onHash);
  }, []);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem(THEME_KEY, theme);
  }, [theme]);

  const actions: AppActions = {
    notify,
    go: (hash) => {
      location.hash = hash;
    },
    act: async (label, run) => {
      try {
        const r = await run();
        // An approval whose merge failed did something (sent the task back), but not what was asked.
        notify(r.message, r.outcome === "sent_back" ? "error" : "ok");
        return true;
      } catch (err) {
        const msg = err instanceof ApiError ? `${err.message}${err.hint ? ` (${err.hint})` : ""}` : String(err);
        notify(`${label}: ${msg}`, "error");
        return false;
      }
    },
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) return;
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const to: Record<string, string> = { b: "#/", i: "#/initiatives", s: "#/sessions", a: "#/analytics" };
      if (to[e.key]) {
        location.hash = to[e.key]!;
        e.preventDefault();
      } else if (e.key === "t") {
        setTheme((x) => (x === "auto" ? "dark" : x === "dark" ? "light" : "auto"));
      } else if (e.key === "Escape" && parseRoute(location.hash).view === "task") {
        // The address, not the rendered route: a key pressed right after opening a task arrives
        // before the re-render (and, with a listener per route, went to the board's and was lost).
        location.hash = "#/";
      }
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, []);

  const tab = (hash: string, label: string, key: string, active: boolean) => (
    <a href={hash} class={active ? "tab active" : "tab"} aria-current={active ? "page" : undefined} title={`${label} (${key})`}>{label}</a>
  );
  return (
    <div class="app">
      <header class="top">
        <strong class="brand">rw board</strong>
        <nav aria-label="views">
          {tab("#/", "Board", "b", route.view === "board" || route.view === "task")}
          {tab("#/initiatives", "Initiatives", "i", route.view === "initiatives")}
          {tab("#/sessions", "Sessions", "s", route.view === "sessions")}
          {tab("#/analytics", "Analytics", "a", route.view === "analytics")}
        </nav>
        <span class="meta" title={model.repo}>
          {model.totals.tasks} tasks · acting as <b>{model.actor}</b>
          {model.offline ? <span class="offline" role="status"> · reconnecting…</span> : <span class="live" title="live: changes appear as they are committed"> · live</span>}
        </span>
        <button type="button" class="theme" onClick={() => setTheme((x) => (x === "auto" ? "dark" : x === "dark" ? "light" : "auto"))} title="theme (t)">
          {theme === "auto" ? "◐ auto" : theme === "dark" ? "☾ dark" : "☀ light"}
        </button>
      </header>
      <main>
        {!model.ready ? <p class="loading">Loading the board…</p>
          : route.view === "board" ? <BoardPage model={model} filters={filters} setFilters={setFilters} actions={actions} />
          : route.view === "task" ? <TaskPage model={model} id={route.id} actions={actions} />
          : route.view === "initiatives" ? <InitiativesPage model={model} actions={actions} setFilters={setFilters} />
          : route.view === "sessions" ? <SessionsPage model={model} />
          : <AnalyticsPage model={model} />}
      </main>
      <Toasts toasts={toasts} />
    </div>
  );
}

const root = document.getElementById("app")!;
root.textContent = ""; // the "loading" placeholder the server sent
render(<App />, root);
