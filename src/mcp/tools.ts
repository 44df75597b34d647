import { z } from "zod";
import { bodyText } from "../cli/args.ts";
import type { Decider } from "../domain/decide.ts";
import { decideClaim, decideClaimNext, decideDone, decideFail, decideRelease } from "../domain/decide-lifecycle.ts";
import { decideRecordDecision } from "../domain/decide-initiative.ts";
import { decideCreate, decideEdit, decideNote, type EditInput } from "../domain/decide-task.ts";
import { getTask } from "../domain/decide.ts";
import { RwError } from "../domain/errors.ts";
import { notReadyReasons, readyTasks } from "../domain/ready.ts";
import { STATUSES, isClosed, type Status, type TaskPatch } from "../domain/types.ts";
import { parseDuration } from "../format/duration.ts";
import { taskHistory } from "../store/history.ts";
import { taskPath } from "../store/layout.ts";
import type { Actor, Store } from "../store/store.ts";
import { cut, historyText, listLine, readyText } from "./text.ts";
import { byPriority } from "../domain/order.ts";

/** What a tool handler gets: the open store and a way to name the actor. */
export interface ToolApi {
  store: Store;
  actor(arg: string | undefined): Actor;
  now(): string;
}

export interface ToolDef {
  description: string;
  shape: z.ZodRawShape;
  readOnly: boolean;
  run(args: Record<string, unknown>, api: ToolApi): Promise<string>;
}

const id = z.string().describe("task ID, e.g. rw-7k2f");
const actor = z.string().optional().describe("who is acting (default: $RW_ACTOR, else \"mcp\")");
const force = z.boolean().optional().describe("act without holding the claim");
const labels = z.array(z.string());

async function write<R>(api: ToolApi, who: unknown, decide: Decider<R>): Promise<R> {
  const tx = await api.store.transact(decide, api.actor(typeof who === "string" ? who : undefined));
  return tx.result;
}

const s = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const n = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);
const opt = <K extends string, V>(key: K, v: V | undefined): Partial<Record<K, V>> => (v === undefined ? {} : ({ [key]: v } as Record<K, V>));

/** The tools of `rw mcp`; each calls the same deciders as the CLI verb of the same name. */
export const TOOLS: Record<string, ToolDef> = {
  ready: {
    description: "Tasks ready to work on, best first (priority, then how much each unblocks, then age).",
    shape: { limit: z.number().int().min(1).max(100).optional().describe("at most this many (default 10)") },
    readOnly: true,
    async run(a, api) {
      const snap = await api.store.snapshot();
      return readyText(readyTasks(snap.state, api.now()), n(a.limit) ?? 10);
    },
  },
  claim: {
    description: "Take a task atomically (exactly one claimer wins). Give an id, or none for the best ready task.",
    shape: { id: id.optional(), lease: z.string().optional().describe("claim duration, e.g. 45m (default 30m)"), force, actor },
    readOnly: false,
    async run(a, api) {
      const lease = s(a.lease);
      const opts = { ...opt("leaseMs", lease === undefined ? undefined : parseDuration(lease, "lease")), force: a.force === true };
      const taskId = s(a.id);
      const r = await write(api, a.actor, taskId === undefined ? decideClaimNext(opts) : decideClaim(taskId, opts));
      const how = r.renewed ? "renewed claim on" : r.takeover_from ? `took over from ${r.takeover_from}` : "claimed";
      return `${how} ${r.id}: ${r.title} (lease until ${r.lease_until})`;
    },
  },
  show: {
    description: "A task: its file (frontmatter and body), whether it is ready and why not, and its notes.",
    shape: { id },
    readOnly: true,
    async run(a, api) {
      const snap = await api.store.snapshot();
      const task = getTask(snap.state, String(a.id));
      const reasons = isClosed(task.status) || task.status === "blocked" ? [`status is ${task.status}`] : notReadyReasons(snap.state, task, api.now());
      const file = (await api.store.readPath(taskPath(task.id), snap.tip)) ?? "";
      const lines = [file.trimEnd(), "", reasons.length === 0 ? "ready: yes" : `ready: no (${reasons.join("; ")})`];
      for (const note of task.notes) lines.push(`note ${note.ts} ${note.actor}: ${note.text}`);
      return lines.join("\n");
    },
  },
  list: {
    description: "Tasks by priority; unfinished ones unless status or all is given.",
    shape: {
      status: z.array(z.enum(STATUSES)).optional(),
      label: labels.optional().describe("all of these labels"),
      assignee: z.string().optional(),
      all: z.boolean().optional().describe("include done and cancelled"),
      limit: z.number().int().min(1).max(1000).optional().describe("default 50"),
    },
    readOnly: true,
    async run(a, api) {
      const snap = await api.store.snapshot();
      const statuses = (a.status as Status[] | undefined) ?? [];
      const want = (a.label as string[] | undefined) ?? [];
      const tasks = Object.values(snap.state.tasks).filter((t) =>
        (statuses.length > 0 ? statuses.includes(t.status) : a.all === true || !isClosed(t.status)) &&
        want.every((l) => t.labels.includes(l)) && (a.assignee === undefined || t.assignee === a.assignee),
      ).sort(byPriority);
      const limit = n(a.limit) ?? 50;
      const lines = tasks.slice(0, limit).map(listLine);
      if (tasks.length > limit) lines.push(`… and ${tasks.length - limit} more`);
      return lines.join("\n") || "no tasks match";
    },
  },
  create: {
    description: "Create a task; answers with its ID.",
    shape: {
      title: z.string(),
      priority: z.number().int().min(0).max(4).optional().describe("0 critical .. 4; default 2"),
      type: z.string().optional().describe("task, feature, bug, chore, docs, ..."),
      labels: labels.optional(),
      deps: z.array(z.string()).optional().describe("IDs this task waits on"),
      parent: z.string().optional(),
      initiative: z.string().optional(),
      phase: z.number().int().min(1).optional().describe("phase of the initiative"),
      body: z.string().optional().describe("Markdown; acceptance criteria as a checklist under '## Acceptance criteria'"),
      id: z.string().optional().describe("use this ID instead of a generated one"),
      actor,
    },
    readOnly: false,
    async run(a, api) {
      const body = s(a.body);
      const r = await write(api, a.actor, decideCreate({
        title: String(a.title), labels: (a.labels as string[] | undefined) ?? [], deps: (a.deps as string[] | undefined) ?? [],
        ...opt("priority", n(a.priority)), ...opt("type", s(a.type)), ...opt("parent", s(a.parent)), ...opt("id", s(a.id)),
        ...opt("initiative", s(a.initiative)), ...opt("phase", n(a.phase)),
        ...opt("body", body === undefined ? undefined : bodyText(body)),
      }));
      return r.id;
    },
  },
  update: {
    description: "Change a task's fields; only the ones given change. status moves it through its lifecycle (reason recorded).",
    shape: {
      id,
      title: z.string().optional(),
      priority: z.number().int().min(0).max(4).optional(),
      type: z.string().optional(),
      status: z.enum(STATUSES).optional(),
      reason: z.string().optional(),
      add_labels: labels.optional(),
      remove_labels: labels.optional(),
      deps: z.array(z.string()).optional().describe("replaces the dependencies"),
      parent: z.string().optional().describe("\"\" clears it"),
      initiative: z.string().optional().describe("\"\" clears it"),
      phase: z.number().int().min(1).optional(),
      body: z.string().optional(),
      actor,
    },
    readOnly: false,
    async run(a, api) {
      const patch: TaskPatch = {
        ...opt("title", s(a.title)), ...opt("priority", n(a.priority)), ...opt("type", s(a.type)), ...opt("parent", s(a.parent)),
        ...opt("initiative", s(a.initiative)), ...opt("phase", n(a.phase)),
      };
      if (Array.isArray(a.deps)) patch.deps = a.deps as string[];
      const body = s(a.body);
      if (body !== undefined) patch.body = bodyText(body);
      const input: EditInput = {
        patch, addLabels: (a.add_labels as string[] | undefined) ?? [], removeLabels: (a.remove_labels as string[] | undefined) ?? [],
        ...opt("status", a.status as Status | undefined), ...opt("reason", s(a.reason)),
      };
      if (Object.keys(patch).length === 0 && !input.status && input.addLabels!.length === 0 && input.removeLabels!.length === 0) {
        throw new RwError("usage", "nothing to change", { hint: "give at least one field, e.g. title or priority" });
      }
      const r = await write(api, a.actor, decideEdit(String(a.id), input));
      return r.changed === 0 ? `${r.id}: nothing changed` : `${r.id}: updated`;
    },
  },
  done: {
    description: "Complete a task you hold.",
    shape: { id, summary: z.string().optional().describe("what was done"), force, actor },
    readOnly: false,
    async run(a, api) {
      const r = await write(api, a.actor, decideDone(String(a.id), { force: a.force === true, ...opt("summary", s(a.summary)) }));
      return `${r.id} is done`;
    },
  },
  fail: {
    description: "Report a failed attempt: open again for a retry, or blocked after max_retries.",
    shape: { id, reason: z.string().describe("what went wrong"), force, actor },
    readOnly: false,
    async run(a, api) {
      const r = await write(api, a.actor, decideFail(String(a.id), { reason: String(a.reason), force: a.force === true }));
      return r.will_retry ? `${r.id} failed (attempt ${r.retry_count}); open again for a retry` : `${r.id} failed ${r.retry_count} times: now blocked`;
    },
  },
  release: {
    description: "Give up your claim: the task is open again.",
    shape: { id, reason: z.string().optional(), force, actor },
    readOnly: false,
    async run(a, api) {
      const r = await write(api, a.actor, decideRelease(String(a.id), { force: a.force === true, ...opt("reason", s(a.reason)) }));
      return `released ${r.id}`;
    },
  },
  note: {
    description: "Add a note to a task's history (findings, decisions, hand-over).",
    shape: { id, text: z.string(), actor },
    readOnly: false,
    async run(a, api) {
      const r = await write(api, a.actor, decideNote(String(a.id), String(a.text)));
      return `noted on ${r.id}`;
    },
  },
  decide: {
    description: "Record a decision (it shows in STATE.md): what was decided and why, optionally for an initiative or task.",
    shape: {
      text: z.string().describe("the decision, one sentence"),
      why: z.string().optional(),
      initiative: z.string().optional(),
      task: z.string().optional(),
      actor,
    },
    readOnly: false,
    async run(a, api) {
      const r = await write(api, a.actor, decideRecordDecision({ text: String(a.text), ...opt("why", s(a.why)), ...opt("initiative", s(a.initiative)), ...opt("task", s(a.task)) }));
      return `recorded decision ${r.id}`;
    },
  },
  history: {
    description: "Who did what to a task and when: its events (agent tool calls included) with their commits on the state ref.",
    shape: { id, limit: z.number().int().min(1).max(500).optional().describe("the newest N entries (default 30)") },
    readOnly: true,
    async run(a, api) {
      const snap = await api.store.snapshot();
      const task = getTask(snap.state, String(a.id));
      return `${task.id}: ${cut(task.title, 72)} (${task.status})\n${historyText(await taskHistory(api.store, task.id), n(a.limit) ?? 30)}`;
    },
  },
};
