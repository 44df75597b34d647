import { lookup, type Initiative, type InitiativeStatus, type Phase, type PhaseStatus, type RwEvent, type Session, type State } from "./types.ts";

/**
 * Folding of the events that are not about one task: initiatives and their phases, decisions and
 * agent sessions. Like the task handlers, these are lenient — an event naming something unknown
 * changes nothing — because `decide` refused bad input before it was ever written.
 */
type StateHandler = (state: State, e: RwEvent) => void;

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

const strings = (v: unknown): string[] => (Array.isArray(v) ? (v as unknown[]).filter((x): x is string => typeof x === "string" && x !== "") : []);

function phasesFrom(value: unknown): Phase[] {
  if (!Array.isArray(value)) return [];
  const out: Phase[] = [];
  for (const item of value as unknown[]) {
    if (!item || typeof item !== "object") continue;
    const p = item as Record<string, unknown>;
    const n = num(p.n);
    if (n === undefined) continue;
    const status = (["planned", "approved", "done"] as const).find((s) => s === p.status) ?? "planned";
    const phase: Phase = { n, title: str(p.title) ?? `Phase ${n}`, status };
    const verify = strings(p.verify);
    if (verify.length > 0) phase.verify = verify;
    out.push(phase);
  }
  return out;
}

/** Runs `fn` on the event's initiative (if it exists) and stamps its updated_at. */
const onInitiative = (fn: (i: Initiative, e: RwEvent) => void): StateHandler => (state, e) => {
  const initiative = e.initiative ? lookup(state.initiatives, e.initiative) : undefined;
  if (!initiative) return;
  fn(initiative, e);
  initiative.updated_at = e.ts;
};

const setStatus = (status: InitiativeStatus): StateHandler => onInitiative((i) => (i.status = status));

const setPhase = (status: PhaseStatus, also?: (i: Initiative) => void): StateHandler =>
  onInitiative((i, e) => {
    const phase = i.phases.find((p) => p.n === e.data.phase);
    if (phase) phase.status = status;
    also?.(i);
  });

function session(state: State, e: RwEvent): Session | undefined {
  const id = str(e.data.session);
  if (!id) return undefined;
  let s = state.sessions[id];
  if (!s) {
    s = { id, actor: e.actor, tasks: [], started_at: e.ts };
    state.sessions[id] = s;
  }
  const tasks = Array.isArray(e.data.tasks) ? (e.data.tasks as unknown[]).filter((t): t is string => typeof t === "string") : [];
  for (const t of [...(e.task ? [e.task] : []), ...tasks]) if (!s.tasks.includes(t)) s.tasks.push(t);
  return s;
}

/** Tokens may be reported as a total or split by direction; STATE.md shows the total. */
function tokensOf(v: unknown): number | undefined {
  if (typeof v === "number") return num(v);
  if (!v || typeof v !== "object") return undefined;
  const parts = Object.values(v as Record<string, unknown>).filter((x): x is number => typeof x === "number" && Number.isFinite(x));
  return parts.length > 0 ? parts.reduce((a, b) => a + b, 0) : undefined;
}

export const STATE_HANDLERS: Record<string, StateHandler> = {
  "initiative.created": (state, e) => {
    if (!e.initiative) return;
    state.initiatives[e.initiative] = {
      id: e.initiative,
      title: str(e.data.title) ?? "(untitled)",
      status: "draft",
      phases: phasesFrom(e.data.phases),
      // Importers keep the source's creation time (as for tasks).
      created_at: str(e.data.created_at) ?? e.ts,
      updated_at: e.ts,
      body: typeof e.data.body === "string" ? e.data.body : "",
      ...(str(e.data.branch) ? { branch: { name: str(e.data.branch)! } } : {}),
    };
  },
  "initiative.edited": onInitiative((i, e) => {
    const title = str(e.data.title);
    if (title) i.title = title;
    if (typeof e.data.body === "string") i.body = e.data.body;
    if (Array.isArray(e.data.phases)) {
      // A phase's verification history is not part of an edit (a rename keeps it).
      const before = new Map(i.phases.map((p) => [p.n, p.verification]));
      i.phases = phasesFrom(e.data.phases).map((p) => (before.get(p.n) ? { ...p, verification: before.get(p.n)! } : p));
    }
  }),
  "initiative.branch_set": onInitiative((i, e) => {
    const name = str(e.data.branch);
    if (name) i.branch = { name, ...(str(e.data.base) ? { base: str(e.data.base)! } : {}) };
  }),
  "initiative.integrated": onInitiative((i, e) => {
    const name = str(e.data.branch) ?? i.branch?.name;
    if (!name) return;
    const { merged: _merged, ...rest } = i.branch?.name === name ? i.branch : { name };
    i.branch = { ...rest, name, ...(num(e.data.ahead) !== undefined ? { ahead: num(e.data.ahead)! } : {}), ...(str(e.data.base) ? { base: str(e.data.base)! } : {}) };
  }),
  "initiative.merged": onInitiative((i, e) => {
    if (!i.branch) return;
    i.branch = { ...i.branch, ahead: 0, merged: { into: str(e.data.into) ?? "", commit: str(e.data.commit) ?? "", at: e.ts } };
  }),
  "initiative.shipped": onInitiative((i, e) => {
    if (!i.branch) return;
    i.branch = { ...i.branch, shipped: { remote: str(e.data.remote) ?? "", at: e.ts, ...(str(e.data.pr) ? { pr: str(e.data.pr)! } : {}) } };
  }),
  "initiative.refined": onInitiative((i, e) => {
    const questions = Array.isArray(e.data.questions) ? (e.data.questions as unknown[]).filter((q): q is string => typeof q === "string") : [];
    i.refinement = { round: num(e.data.round) ?? (i.refinement?.round ?? 0) + 1, questions, at: e.ts };
  }),
  "initiative.submitted": setStatus("review"),
  "initiative.approved": setPhase("approved", (i) => {
    if (i.status === "draft" || i.status === "review") i.status = "approved";
  }),
  "initiative.started": setStatus("in_progress"),
  "initiative.completed": setStatus("completed"),
  "initiative.reopened": setStatus("in_progress"),
  "initiative.cancelled": setStatus("cancelled"),
  "phase.added": onInitiative((i, e) => {
    const n = num(e.data.phase);
    if (n === undefined || i.phases.some((p) => p.n === n)) return;
    i.phases.push({ n, title: str(e.data.title) ?? `Phase ${n}`, status: "planned" });
  }),
  "phase.edited": onInitiative((i, e) => {
    const phase = i.phases.find((p) => p.n === e.data.phase);
    if (!phase) return;
    if (typeof e.data.title === "string" && e.data.title !== "") phase.title = e.data.title;
    if (Array.isArray(e.data.verify)) {
      const verify = strings(e.data.verify);
      if (verify.length > 0) phase.verify = verify;
      else delete phase.verify;
    }
  }),
  "phase.verified": onInitiative((i, e) => {
    const phase = i.phases.find((p) => p.n === e.data.phase);
    const verdict = (["passed", "gaps", "blocked"] as const).find((v) => v === e.data.verdict);
    if (!phase || !verdict) return;
    const proposed = strings(e.data.proposed_verify);
    phase.verification = { verdict, at: e.ts, event: e.id, round: num(e.data.round) ?? 0, gaps: num(e.data.gaps) ?? 0, tasks: strings(e.data.tasks), ...(proposed.length > 0 ? { proposed_verify: proposed } : {}) };
  }),
  "phase.completed": setPhase("done"),
  "phase.reopened": onInitiative((i, e) => {
    const phase = i.phases.find((p) => p.n === e.data.phase);
    if (!phase) return;
    phase.status = "approved";
    // Its verdict was about the phase as it was; once done again it is verified again.
    if (phase.verification) phase.verification = { ...phase.verification, stale: true };
  }),
  "decision.recorded": (state, e) => {
    const d: State["decisions"][number] = { id: e.id, ts: e.ts, actor: e.actor, text: str(e.data.text) ?? "" };
    const why = str(e.data.why);
    if (why) d.why = why;
    if (e.initiative) d.initiative = e.initiative;
    if (e.task) d.task = e.task;
    state.decisions.push(d);
  },
  "session.started": (state, e) => {
    const s = session(state, e);
    if (s) s.started_at = e.ts;
  },
  "session.ended": (state, e) => {
    const s = session(state, e);
    if (!s) return;
    s.ended_at = e.ts;
    s.outcome = str(e.data.outcome) ?? (e.data.completed === true ? "completed" : e.data.failed === true ? "failed" : "ended");
    const tokens = tokensOf(e.data.tokens);
    if (tokens !== undefined) s.tokens = tokens;
    const cost = num(e.data.cost) ?? num(e.data.cost_usd);
    if (cost !== undefined) s.cost = cost;
    const done = num(e.data.completed);
    if (done !== undefined) s.done_count = done;
    const failed = num(e.data.failed);
    if (failed !== undefined) s.failed_count = failed;
    const duration = num(e.data.duration_ms) ?? Date.parse(e.ts) - Date.parse(s.started_at);
    if (Number.isFinite(duration)) s.duration_ms = duration;
  },
};

/**
 * Copy-on-write for one event: the state handed to a transaction may be a cached snapshot, so
 * the records an event will mutate are replaced by fresh copies first.
 */
export function cloneTouched(next: State, e: RwEvent, copied: Set<string>): void {
  if (e.task && next.tasks[e.task] && !copied.has(`t:${e.task}`)) {
    const t = next.tasks[e.task]!;
    next.tasks[e.task] = { ...t, labels: [...t.labels], deps: [...t.deps], gates: [...t.gates], notes: [...t.notes] };
    copied.add(`t:${e.task}`);
  }
  if (e.initiative && next.initiatives[e.initiative] && !copied.has(`i:${e.initiative}`)) {
    const i = next.initiatives[e.initiative]!;
    next.initiatives[e.initiative] = { ...i, phases: i.phases.map((p) => ({ ...p, ...(p.verify ? { verify: [...p.verify] } : {}) })), ...(i.refinement ? { refinement: { ...i.refinement, questions: [...i.refinement.questions] } } : {}) };
    copied.add(`i:${e.initiative}`);
  }
  const sid = str(e.data.session);
  const s = sid && e.type.startsWith("session.") ? next.sessions[sid] : undefined;
  if (sid && s && !copied.has(`s:${sid}`)) {
    next.sessions[sid] = { ...s, tasks: [...s.tasks] };
    copied.add(`s:${sid}`);
  }
}
