import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { filterEvents, logLine } from "../analytics/events.ts";
import { decideRecordDecision } from "../domain/decide-initiative.ts";
import { getTask } from "../domain/decide.ts";
import { getInitiative, phaseProgress } from "../domain/initiative-lifecycle.ts";
import { byAge } from "../domain/order.ts";
import { resolveInitiativeId, resolveTaskId } from "../domain/resolve-id.ts";
import { INITIATIVE_STATUSES, isClosed, type RwEvent, type State } from "../domain/types.ts";
import { describeEntry, taskHistory } from "../store/history.ts";
import { readAllEvents } from "../store/snapshot.ts";
import { O, P, num, opt, str, strs, tool, type ToolDef } from "./kit.ts";
import { cut, historyText } from "./text.ts";
import { write } from "./kit.ts";

const decisionRow = z.object({ id: z.string(), ts: z.string(), actor: z.string(), text: z.string(), why: z.string().optional(), initiative: z.string().optional(), task: z.string().optional() });
const short = (iso: string): string => iso.replace(/\.\d{3}Z$/, "Z");
const link = (state: State, v: string | undefined, resolve: (s: State, x: string) => string): string | undefined => (v === undefined ? v : resolve(state, v));

/** The initiative's progress as `initiative_list` shows it. */
function progress(state: State, id: string) {
  const i = state.initiatives[id]!;
  const { phases, unphased } = phaseProgress(state, i);
  const tasks = [...phases.flatMap((p) => p.tasks), ...unphased];
  return {
    id: i.id, title: i.title, status: i.status,
    phases_total: i.phases.length, phases_done: i.phases.filter((p) => p.status === "done").length,
    tasks_total: tasks.length, tasks_done: tasks.filter((t) => isClosed(t.status)).length,
  };
}

export const PLAN_TOOLS: Record<string, ToolDef> = {
  decide: tool({
    tier: "standard",
    description: "Record a decision (it shows in STATE.md): what was decided and why, optionally for an initiative or task.",
    input: {
      text: z.string().describe("the decision, one sentence"),
      why: z.string().optional().describe("the reason, one sentence"),
      initiative: z.string().optional().describe("initiative ID it belongs to"),
      task: z.string().optional().describe("task ID it is about"),
      actor: P.actor,
    },
    output: { id: z.string() },
    readOnly: false,
    async run(a, api) {
      const r = await write(api, a.actor, (state, ctx) => decideRecordDecision({
        text: String(a.text), ...opt("why", str(a.why)), ...opt("initiative", link(state, str(a.initiative), resolveInitiativeId)), ...opt("task", link(state, str(a.task), resolveTaskId)),
      })(state, ctx));
      return { text: `recorded decision ${r.id}`, data: { id: r.id } };
    },
  }),
  decisions: tool({
    tier: "standard",
    description: "Recorded decisions, newest first: read them before deciding something again.",
    input: { initiative: z.string().optional().describe("only decisions of this initiative"), task: z.string().optional().describe("only decisions about this task"), limit: P.limit(200, 20) },
    output: { count: z.number().int(), total: z.number().int(), decisions: z.array(decisionRow) },
    readOnly: true,
    async run(a, api) {
      const snap = await api.store.snapshot();
      const initiative = link(snap.state, str(a.initiative), resolveInitiativeId);
      const task = link(snap.state, str(a.task), resolveTaskId);
      const all = snap.state.decisions.filter((d) => (initiative === undefined || d.initiative === initiative) && (task === undefined || d.task === task)).slice().reverse();
      const shown = all.slice(0, num(a.limit) ?? 20).map((d) => ({ id: d.id, ts: d.ts, actor: d.actor, text: d.text, ...opt("why", d.why), ...opt("initiative", d.initiative), ...opt("task", d.task) }));
      const lines = shown.map((d) => `${short(d.ts)} ${d.actor}: ${d.text}${d.why ? ` (why: ${d.why})` : ""}${d.initiative || d.task ? ` [${[d.initiative, d.task].filter(Boolean).join(", ")}]` : ""}`);
      if (all.length > shown.length) lines.push(`… and ${all.length - shown.length} more (raise limit)`);
      return { text: lines.join("\n") || "no decisions recorded", data: { count: shown.length, total: all.length, decisions: shown } };
    },
  }),
  history: tool({
    tier: "standard",
    description: "Who did what to a task and when: its events (agent tool calls included) with their commits on the state ref, oldest first.",
    input: { id: P.id, limit: P.limit(500, 30) },
    output: {
      id: z.string(), count: z.number().int(), total: z.number().int(),
      entries: z.array(z.object({ ts: z.string(), actor: z.string(), type: z.string(), commit: z.string().optional(), text: z.string() })),
    },
    readOnly: true,
    async run(a, api) {
      const snap = await api.store.snapshot();
      const task = getTask(snap.state, resolveTaskId(snap.state, String(a.id)));
      const entries = await taskHistory(api.store, task.id);
      const limit = num(a.limit) ?? 30;
      const shown = entries.slice(-limit).map((x) => ({ ts: x.ts, actor: x.actor, type: x.type, ...opt("commit", x.commit), text: describeEntry(x) }));
      return { text: `${task.id}: ${cut(task.title, 72)} (${task.status})\n${historyText(entries, limit)}`, data: { id: task.id, count: shown.length, total: entries.length, entries: shown } };
    },
  }),
  log: tool({
    tier: "all",
    description: "The event stream (every change by every actor), newest last; filter by task, initiative, actor, type or time.",
    input: {
      task: z.string().optional().describe("only events about this task"),
      initiative: z.string().optional().describe("only events about this initiative"),
      actor: z.array(z.string()).optional().describe("only events by these actors"),
      type: z.array(z.string()).optional().describe("only these event types, or families like \"task.*\""),
      since: z.string().optional().describe("only events at or after this ISO time"),
      limit: P.limit(500, 30),
    },
    output: {
      count: z.number().int(), total: z.number().int(),
      events: z.array(z.object({ id: z.string(), ts: z.string(), actor: z.string(), type: z.string(), task: z.string().optional(), initiative: z.string().optional(), text: z.string() })),
    },
    readOnly: true,
    async run(a, api) {
      const snap = await api.store.snapshot();
      const task = link(snap.state, str(a.task), resolveTaskId);
      const initiative = link(snap.state, str(a.initiative), resolveInitiativeId);
      const since = str(a.since);
      const { events } = await readAllEvents(api.store.source, snap.root);
      const matched = filterEvents(events, { actors: strs(a.actor), types: strs(a.type), ...opt("task", task), ...opt("initiative", initiative), ...opt("since", since) });
      const shown = matched.slice(-(num(a.limit) ?? 30));
      const rows = shown.map((e: RwEvent) => ({ id: e.id, ts: e.ts, actor: e.actor, type: e.type, ...opt("task", e.task), ...opt("initiative", e.initiative), text: logLine(e).split(/ {2,}/).slice(4).join(" ") }));
      const lines = shown.map((e) => logLine(e).replace(/ {2,}/g, " "));
      if (matched.length > shown.length) lines.unshift(`(${matched.length - shown.length} earlier events left out)`);
      return { text: lines.join("\n") || "no events match", data: { count: shown.length, total: matched.length, events: rows } };
    },
  }),
  initiative_list: tool({
    tier: "all",
    description: "Initiatives (planned bodies of work in phases) with their phase and task progress, oldest first.",
    input: { status: z.array(z.enum(INITIATIVE_STATUSES)).optional().describe(`only these statuses: ${INITIATIVE_STATUSES.join(", ")}`) },
    output: {
      count: z.number().int(),
      initiatives: z.array(z.object({ id: z.string(), title: z.string(), status: z.string(), phases_total: z.number().int(), phases_done: z.number().int(), tasks_total: z.number().int(), tasks_done: z.number().int() })),
    },
    readOnly: true,
    async run(a, api) {
      const snap = await api.store.snapshot();
      const statuses = strs(a.status);
      const rows = Object.values(snap.state.initiatives).filter((i) => statuses.length === 0 || statuses.includes(i.status)).sort(byAge).map((i) => progress(snap.state, i.id));
      const lines = rows.map((r) => `${r.id} ${r.status} ${cut(r.title, 60)} (phases ${r.phases_done}/${r.phases_total}, tasks ${r.tasks_done}/${r.tasks_total})`);
      return { text: lines.join("\n") || "no initiatives", data: { count: rows.length, initiatives: rows } };
    },
  }),
  initiative_show: tool({
    tier: "all",
    description: "An initiative: its concept, each phase with its status and tasks, and its decisions.",
    input: { id: z.string().describe("initiative ID (a unique prefix is enough)") },
    output: {
      initiative: z.object({ id: z.string(), title: z.string(), status: z.string(), body: z.string() }),
      phases: z.array(z.object({ n: z.number().int(), title: z.string(), status: z.string(), done: z.number().int(), total: z.number().int(), tasks: z.array(O.ref) })),
      unphased: z.array(O.ref),
      decisions: z.array(decisionRow),
    },
    readOnly: true,
    async run(a, api) {
      const snap = await api.store.snapshot();
      const i = getInitiative(snap.state, resolveInitiativeId(snap.state, String(a.id)));
      const { phases, unphased } = phaseProgress(snap.state, i);
      const ref = (t: { id: string; title: string; status: string }) => ({ id: t.id, title: t.title, status: t.status });
      const decisions = snap.state.decisions.filter((d) => d.initiative === i.id).map((d) => ({ id: d.id, ts: d.ts, actor: d.actor, text: d.text, ...opt("why", d.why), ...opt("initiative", d.initiative), ...opt("task", d.task) }));
      const lines = [`${i.id} ${i.title} (${i.status})`];
      if (i.body.trim() !== "") lines.push(i.body.trimEnd());
      for (const p of phases) {
        lines.push(`phase ${p.n}: ${p.title} (${p.status}) ${p.done}/${p.total}`);
        for (const t of p.tasks) lines.push(`  ${t.id} ${t.status} ${cut(t.title, 60)}`);
      }
      if (unphased.length > 0) lines.push("not in a phase:", ...unphased.map((t) => `  ${t.id} ${t.status} ${cut(t.title, 60)}`));
      for (const d of decisions) lines.push(`decision: ${d.text}${d.why ? ` (why: ${d.why})` : ""}`);
      return {
        text: lines.join("\n"),
        data: {
          initiative: { id: i.id, title: i.title, status: i.status, body: i.body },
          phases: phases.map((p) => ({ n: p.n, title: p.title, status: p.status, done: p.done, total: p.total, tasks: p.tasks.map(ref) })),
          unphased: unphased.map(ref), decisions,
        },
      };
    },
  }),
  plan: tool({
    tier: "all",
    description: "Draft an initiative from a PRD through the planner role (a model call): phases and tasks with dependencies, written as a draft a human reviews and approves. dry_run shows the plan without writing.",
    input: {
      prd: z.string().min(1).describe("the product requirements, Markdown (a '# Title' line names the initiative)"),
      dry_run: z.boolean().optional().describe("answer with the plan; write nothing"),
      actor: P.actor,
    },
    output: {
      written: z.boolean(), initiative: z.string().optional().describe("the new initiative's ID (when written)"), status: z.string().optional(),
      title: z.string(), phases: z.array(z.string()),
      tasks: z.array(z.object({ key: z.string(), id: z.string().optional(), title: z.string(), phase: z.number().int(), deps: z.array(z.string()) })),
    },
    readOnly: false,
    async run(a, api) {
      // Loaded only when planning: the agent layer and its SDKs stay out of every other tool.
      const [{ planFromPrd }, { createAgentPlanner }] = await Promise.all([import("../orchestrator/plan.ts"), import("../orchestrator/agent-planner.ts")]);
      const actor = api.actor(str(a.actor));
      const planner = await createAgentPlanner(api.store, api.env, actor);
      const dir = await mkdtemp(join(tmpdir(), "rw-mcp-plan-"));
      try {
        await writeFile(join(dir, "prd.md"), String(a.prd));
        // No `approve` here: approving a phase is the human's step (DESIGN §7), never an agent's.
        const out = await planFromPrd(api.store, planner, { file: "prd.md", cwd: dir, dryRun: a.dry_run === true, approve: false, actor });
        const idOf = new Map((out.written?.tasks ?? []).map((t) => [t.key, t.id]));
        const tasks = out.draft.tasks.map((t) => ({ key: t.key, ...opt("id", idOf.get(t.key)), title: t.title, phase: t.phase, deps: (t.deps ?? []).map((d) => idOf.get(d) ?? d) }));
        const head = out.written
          ? `planned ${out.written.initiative}: ${out.draft.initiative.title} (draft; ${out.draft.phases.length} phases, ${tasks.length} tasks); a human submits and approves it`
          : `would plan: ${out.draft.initiative.title} (${out.draft.phases.length} phases, ${tasks.length} tasks); nothing written`;
        const lines = [head, ...out.draft.phases.flatMap((p, n) => [`phase ${n + 1}: ${p.title}`, ...tasks.filter((t) => t.phase === n + 1).map((t) => `  ${t.id ?? t.key} ${t.title}${t.deps.length ? ` (after ${t.deps.join(", ")})` : ""}`)])];
        return {
          text: lines.join("\n"),
          data: { written: out.written !== undefined, ...opt("initiative", out.written?.initiative), ...opt("status", out.written?.status), title: out.draft.initiative.title, phases: out.draft.phases.map((p) => p.title), tasks },
        };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  }),
};
