import { z } from "zod";
import { decideClaim, decideClaimNext, decideHeartbeat } from "../domain/decide-lifecycle.ts";
import { getTask } from "../domain/decide.ts";
import { notReadyReasons, readyTasks } from "../domain/ready.ts";
import { resolveId, resolveTaskId } from "../domain/resolve-id.ts";
import { searchTasks } from "../domain/search.ts";
import { checkStatuses, dependentsOf, matchesFilter, explainInReadyOrder, parsePriorityRange, queryTasks, SORTS, type TaskFilter, type TaskSort } from "../domain/task-query.ts";
import { STATUSES, isClosed, type State, type Task } from "../domain/types.ts";
import { blockersOf, waitingTasks } from "../domain/waiting.ts";
import { parseDuration } from "../format/duration.ts";
import { readAllEvents } from "../store/snapshot.ts";
import { O, P, num, opt, str, strs, tool, write, type Brief, type ToolDef } from "./kit.ts";
import { cut, listLine, readyLine } from "./text.ts";
import { toToon } from "./toon.ts";

export function brief(t: Task): Brief {
  return {
    id: t.id, title: t.title, status: t.status, priority: t.priority, type: t.type, labels: t.labels,
    ...opt("assignee", t.assignee), ...opt("initiative", t.initiative), ...opt("phase", t.phase), ...opt("parent", t.parent), updated_at: t.updated_at,
  };
}

const filterInput = {
  type: z.array(z.string()).optional().describe("only these task types (e.g. [\"bug\"])"),
  label: z.array(z.string()).optional().describe("only tasks with all of these labels"),
  initiative: z.string().optional().describe("only tasks of this initiative (ID or unique prefix)"),
  phase: z.number().int().min(1).optional().describe("only tasks of this phase (with initiative)"),
  priority: z.union([z.number().int().min(0).max(4), z.string()]).optional().describe("a priority 0-4, or a range like \"0-1\""),
  parent: z.string().optional().describe("only children of this task"),
  assignee: z.array(z.string()).optional().describe("only tasks held (or, in ready, last held before the lease ran out) by these actors"),
};

/** The filter a tool's arguments ask for, with IDs resolved like every other ID argument. */
function filterOf(a: Record<string, unknown>, state: State): TaskFilter {
  const f: TaskFilter = { types: strs(a.type), labels: strs(a.label), assignees: strs(a.assignee) };
  const initiative = str(a.initiative);
  if (initiative !== undefined) f.initiative = resolveId(state.initiatives, initiative, "initiative");
  if (num(a.phase) !== undefined) f.phase = num(a.phase)!;
  if (a.priority !== undefined) f.priority = parsePriorityRange(typeof a.priority === "number" ? String(a.priority) : str(a.priority) ?? "");
  const parent = str(a.parent);
  if (parent !== undefined) f.parent = resolveTaskId(state, parent);
  return f;
}

const readyRow = z.object({
  id: z.string(), title: z.string(), priority: z.number().int(), type: z.string(), labels: z.array(z.string()), unblocks: z.number().int(),
  expired_claim: z.object({ assignee: z.string(), lease_until: z.string() }).optional(),
});
const explainRow = z.object({ id: z.string(), title: z.string(), ready: z.boolean(), reasons: z.array(z.string()) });

export const WORK_TOOLS: Record<string, ToolDef> = {
  ready: tool({
    tier: "core",
    description: "Tasks ready to work on, best first (priority, then how much each unblocks, then age). With explain: every unfinished task and why it is or is not ready.",
    input: { limit: P.limit(100, 10), explain: z.boolean().optional().describe("also list waiting tasks with the reasons they wait"), ...filterInput },
    output: { count: z.number().int().describe("rows returned"), total: z.number().int().describe("rows matching"), tasks: z.array(readyRow).optional(), explain: z.array(explainRow).optional() },
    readOnly: true,
    async run(a, api) {
      const snap = await api.store.snapshot();
      const limit = num(a.limit) ?? 10;
      const f = filterOf(a, snap.state);
      const now = api.now();
      if (a.explain === true) {
        const all = explainInReadyOrder(snap.state, now).filter((x) => matches(snap.state, x.id, f));
        const shown = all.slice(0, limit);
        const lines = shown.map((x) => `${x.id} ${x.ready ? "ready" : "waiting"} ${cut(x.title, 60)}${x.ready ? "" : `: ${x.reasons.join("; ")}`}`);
        if (all.length > shown.length) lines.push(`… and ${all.length - shown.length} more (raise limit)`);
        return { text: lines.join("\n") || "no unfinished tasks", data: { count: shown.length, total: all.length, explain: shown } };
      }
      const all = readyTasks(snap.state, now).filter((r) => matches(snap.state, r.task.id, f));
      const shown = all.slice(0, limit);
      const head = all.length === 0 ? "nothing is ready (call ready with explain: true to see why)" : shown.length < all.length ? `${all.length} ready, best ${shown.length}:` : `${all.length} ready:`;
      const rows = shown.map((r) => ({ id: r.task.id, title: r.task.title, priority: r.task.priority, type: r.task.type, labels: r.task.labels, unblocks: r.unblocks, ...opt("expired_claim", r.expired_claim) }));
      return { text: [head, ...shown.map(readyLine)].join("\n"), data: { count: shown.length, total: all.length, tasks: rows } };
    },
  }),
  claim: tool({
    tier: "core",
    description: "Take a task atomically (exactly one claimer wins). Give id, or no id for the best ready task. Claiming a task you already hold renews its lease.",
    input: { id: P.id.optional(), lease: z.string().optional().describe("how long the claim lasts without a heartbeat, e.g. 45m (default 30m)"), force: P.force, actor: P.actor },
    output: { id: z.string(), title: z.string(), lease_until: z.string(), renewed: z.boolean(), takeover_from: z.string().optional() },
    readOnly: false,
    async run(a, api) {
      const lease = str(a.lease);
      const opts = { ...opt("leaseMs", lease === undefined ? undefined : parseDuration(lease, "lease")), force: a.force === true };
      const id = str(a.id);
      const r = await write(api, a.actor, id === undefined ? decideClaimNext(opts) : (s, c) => decideClaim(resolveTaskId(s, id), opts)(s, c));
      const how = r.renewed ? "renewed claim on" : r.takeover_from ? `took over from ${r.takeover_from}` : "claimed";
      return { text: `${how} ${r.id}: ${r.title} (lease until ${r.lease_until})`, data: { id: r.id, title: r.title, lease_until: r.lease_until, renewed: Boolean(r.renewed), ...opt("takeover_from", r.takeover_from) } };
    },
  }),
  heartbeat: tool({
    tier: "core",
    description: "Renew the lease on a task you hold, so nobody takes it over while you work. Call it well before lease_until.",
    input: { id: P.id, lease: z.string().optional().describe("new lease length from now, e.g. 30m (default from config)"), actor: P.actor },
    output: { id: z.string(), lease_until: z.string() },
    readOnly: false,
    async run(a, api) {
      const lease = str(a.lease);
      const opts = lease === undefined ? {} : { leaseMs: parseDuration(lease, "lease") };
      const r = await write(api, a.actor, (s, c) => decideHeartbeat(resolveTaskId(s, String(a.id)), opts)(s, c));
      return { text: `${r.id}: lease until ${r.lease_until}`, data: { id: r.id, lease_until: r.lease_until } };
    },
  }),
  show: tool({
    tier: "core",
    description: "A task: its file (frontmatter and body), whether it is ready and why not, what it waits on, what it blocks, its completion summary and notes.",
    input: { id: P.id },
    output: {
      task: O.brief.extend({ body: z.string(), deps: z.array(z.string()), lease_until: z.string().optional(), blocked_reason: z.string().optional(), created_at: z.string() }),
      ready: z.boolean(), reasons: z.array(z.string()).describe("why it is not ready (empty when ready)"),
      waits_on: z.array(O.ref).describe("unfinished tasks it depends on"), blocks: z.array(O.ref).describe("tasks that depend on it"),
      summary: z.string().optional().describe("what was done, as given when it was completed"),
      notes: z.array(z.object({ ts: z.string(), actor: z.string(), text: z.string() })),
    },
    readOnly: true,
    async run(a, api) {
      const snap = await api.store.snapshot();
      const task = getTask(snap.state, resolveTaskId(snap.state, String(a.id)));
      const reasons = isClosed(task.status) ? [`status is ${task.status}`] : notReadyReasons(snap.state, task, api.now());
      const file = (await api.store.readTaskFile(task.id, snap.tip)) ?? "";
      const waitsOn = blockersOf(snap.state, task).map((b) => ({ id: b.id, title: b.title, status: b.status }));
      const blocks = dependentsOf(snap.state, task.id).map((t) => ({ id: t.id, title: t.title, status: t.status }));
      let summary: string | undefined;
      if (task.status === "done") {
        const { events } = await readAllEvents(api.store.source, snap.root);
        const done = events.filter((e) => e.task === task.id && e.type === "task.completed").pop();
        summary = typeof done?.data.summary === "string" ? done.data.summary : undefined;
      }
      const lines = [file.trimEnd(), "", reasons.length === 0 ? "ready: yes" : `ready: no (${reasons.join("; ")})`];
      if (blocks.length > 0) lines.push(`blocks: ${blocks.map((b) => `${b.id} (${b.status})`).join(", ")}`);
      if (summary !== undefined) lines.push(`summary: ${summary}`);
      for (const note of task.notes) lines.push(`note ${note.ts} ${note.actor}: ${note.text}`);
      return {
        text: lines.join("\n"),
        data: {
          task: { ...brief(task), body: task.body, deps: task.deps, ...opt("lease_until", task.lease_until), ...opt("blocked_reason", task.blocked_reason), created_at: task.created_at },
          ready: reasons.length === 0, reasons, waits_on: waitsOn, blocks, ...opt("summary", summary), notes: task.notes.map((n) => ({ ts: n.ts, actor: n.actor, text: n.text })),
        },
      };
    },
  }),
  list: tool({
    tier: "standard",
    description: "Tasks in backlog order; unfinished ones unless status or all is given. Filters combine (all must hold).",
    input: {
      status: z.array(z.enum(STATUSES)).optional().describe(`only these statuses: ${STATUSES.join(", ")}`),
      all: z.boolean().optional().describe("include done and cancelled tasks"),
      ...filterInput,
      sort: z.enum(SORTS).optional().describe("priority (default, backlog order), age (oldest first) or updated (latest change first)"),
      limit: P.limit(1000, 50),
      format: P.format,
    },
    output: { count: z.number().int().describe("rows returned"), total: z.number().int().describe("rows matching"), tasks: z.array(O.brief) },
    readOnly: true,
    async run(a, api) {
      const snap = await api.store.snapshot();
      const f: TaskFilter = { ...filterOf(a, snap.state), statuses: checkStatuses(strs(a.status)), all: a.all === true };
      const tasks = queryTasks(snap.state, f, (str(a.sort) ?? "priority") as TaskSort);
      const limit = num(a.limit) ?? 50;
      const shown = tasks.slice(0, limit);
      const data = { count: shown.length, total: tasks.length, tasks: shown.map(brief) };
      const more = tasks.length > limit ? `… and ${tasks.length - limit} more (raise limit)` : "";
      if (a.format === "toon") {
        const rows = shown.map((t) => ({ id: t.id, priority: t.priority, status: t.status, type: t.type, title: t.title, assignee: t.assignee ?? "" }));
        return { text: [toToon({ total: tasks.length, tasks: rows }), more].filter(Boolean).join("\n"), data };
      }
      return { text: [...shown.map(listLine), more].filter(Boolean).join("\n") || "no tasks match", data };
    },
  }),
  search: tool({
    tier: "standard",
    description: "Find tasks by text: every word must occur in the title, body or notes (case-insensitive, plain text). Title matches first.",
    input: { text: z.string().min(1).describe("words to look for"), all: z.boolean().optional().describe("include done and cancelled tasks"), limit: P.limit(200, 20) },
    output: { count: z.number().int(), total: z.number().int(), tasks: z.array(O.ref.extend({ priority: z.number().int(), field: z.enum(["title", "body", "note"]), snippet: z.string() })) },
    readOnly: true,
    async run(a, api) {
      const snap = await api.store.snapshot();
      const hits = searchTasks(snap.state, String(a.text), { all: a.all === true });
      const shown = hits.slice(0, num(a.limit) ?? 20);
      const rows = shown.map((h) => ({ id: h.task.id, title: h.task.title, status: h.task.status, priority: h.task.priority, field: h.field, snippet: h.snippet }));
      const lines = shown.map((h) => `${h.task.id} P${h.task.priority} ${h.task.status} ${cut(h.task.title, 60)}${h.field === "title" ? "" : ` [${h.field}: ${cut(h.snippet, 60)}]`}`);
      if (hits.length > shown.length) lines.push(`… and ${hits.length - shown.length} more (raise limit)`);
      return { text: lines.join("\n") || `no task mentions ${JSON.stringify(String(a.text))}${a.all === true ? "" : " (call search with all: true to include closed tasks)"}`, data: { count: shown.length, total: hits.length, tasks: rows } };
    },
  }),
  blocked: tool({
    tier: "standard",
    description: "What is stuck: tasks in status blocked with their reason, and open tasks waiting on unfinished dependencies or an unapproved phase, with what they wait on.",
    input: { limit: P.limit(500, 50) },
    output: {
      count: z.number().int(), total: z.number().int(),
      tasks: z.array(z.object({
        id: z.string(), title: z.string(), status: z.string(), priority: z.number().int(), blocked_reason: z.string().optional(),
        waits_on: z.array(O.ref), gate: z.string().optional(),
      })),
    },
    readOnly: true,
    async run(a, api) {
      const snap = await api.store.snapshot();
      const all = waitingTasks(snap.state);
      const shown = all.slice(0, num(a.limit) ?? 50);
      const lines = shown.map((w) => {
        const why = [w.blocked_reason !== undefined ? `blocked: ${w.blocked_reason}` : "", w.waits_on.length > 0 ? `waits on ${w.waits_on.map((b) => `${b.id} (${b.status})`).join(", ")}` : "", w.gate ?? ""].filter(Boolean).join("; ");
        return `${w.id} P${w.priority} ${cut(w.title, 60)}: ${why}`;
      });
      if (all.length > shown.length) lines.push(`… and ${all.length - shown.length} more (raise limit)`);
      return { text: lines.join("\n") || "nothing is blocked or waiting", data: { count: shown.length, total: all.length, tasks: shown } };
    },
  }),
};

const matches = (state: State, id: string, f: TaskFilter): boolean => matchesFilter(state.tasks[id]!, { ...f, all: true });
