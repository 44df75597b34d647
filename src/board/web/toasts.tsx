export interface Toast { id: number; text: string; kind: "info" | "ok" | "error" }

/** Messages after a write: a refusal is an alert (read out by screen readers), success a status. */
export function Toasts({ toasts }: { toasts: Toast[] }) {
  return (
    <div class="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} class={`toast ${t.kind}`} role={t.kind === "error" ? "alert" : "status"} data-kind={t.kind}>{t.text}</div>
      ))}
    </div>
  );
}
