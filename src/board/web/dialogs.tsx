import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "./api.ts";
import type { AppActions } from "./main.tsx";
import type { Model } from "./model.ts";

/** A modal <dialog>: focus moves into it, Escape closes it, focus goes back where it was. */
function Modal({ title, onClose, children }: { title: string; onClose: () => void; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    ref.current?.showModal();
    return () => before?.focus();
  }, []);
  return (
    <dialog ref={ref} aria-label={title} onCancel={(e) => {
      e.preventDefault();
      onClose();
    }}>
      <h2>{title}</h2>
      {children}
    </dialog>
  );
}

export function ReasonDialog({ title, onSubmit, onCancel }: { title: string; onSubmit: (reason: string) => void; onCancel: () => void }) {
  const [reason, setReason] = useState("");
  return (
    <Modal title={title} onClose={onCancel}>
      <form method="dialog" onSubmit={(e) => {
        e.preventDefault();
        onSubmit(reason.trim());
      }}>
        <label>Why? (recorded with the change)<input autoFocus name="reason" value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} /></label>
        <div class="buttons"><button type="button" onClick={onCancel}>Cancel</button><button type="submit" class="primary">Block</button></div>
      </form>
    </Modal>
  );
}

export const splitLabels = (s: string): string[] => s.split(",").map((x) => x.trim()).filter(Boolean);

export function NewTaskDialog({ model, actions, onClose }: { model: Model; actions: AppActions; onClose: () => void }) {
  const [f, setF] = useState({ title: "", priority: "2", labels: "", initiative: "", phase: "", body: "" });
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.target as HTMLInputElement).value });
  const ini = model.initiatives.find((i) => i.id === f.initiative);
  const submit = async (): Promise<void> => {
    setBusy(true);
    const ok = await actions.act("creating a task", () => api.create({
      title: f.title, priority: Number(f.priority), labels: splitLabels(f.labels), ...(f.body ? { body: f.body } : {}),
      ...(f.initiative ? { initiative: f.initiative } : {}), ...(f.phase ? { phase: Number(f.phase) } : {}),
    }));
    setBusy(false);
    if (ok) onClose();
  };
  return (
    <Modal title="New task" onClose={onClose}>
      <form onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}>
        <label>Title<input autoFocus required name="title" value={f.title} onInput={set("title")} /></label>
        <div class="row">
          <label>Priority<select name="priority" value={f.priority} onChange={set("priority")}>{[0, 1, 2, 3, 4].map((p) => <option key={p} value={String(p)}>P{p}</option>)}</select></label>
          <label>Labels<input name="labels" placeholder="api, auth" value={f.labels} onInput={set("labels")} /></label>
        </div>
        <div class="row">
          <label>Initiative<select name="initiative" value={f.initiative} onChange={set("initiative")}><option value="">none</option>{model.initiatives.map((i) => <option key={i.id} value={i.id}>{i.id} {i.title}</option>)}</select></label>
          {ini && <label>Phase<select name="phase" value={f.phase} onChange={set("phase")}><option value="">none</option>{ini.phases.map((p) => <option key={p.n} value={String(p.n)}>{p.n}. {p.title}</option>)}</select></label>}
        </div>
        <label>Body (Markdown)<textarea name="body" rows={8} value={f.body} onInput={set("body")} placeholder={"What and why.\n\n## Acceptance criteria\n- [ ] …"} /></label>
        <div class="buttons"><button type="button" onClick={onClose}>Cancel</button><button type="submit" class="primary" disabled={busy}>Create</button></div>
      </form>
    </Modal>
  );
}
