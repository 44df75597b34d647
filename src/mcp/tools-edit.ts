import { z } from "zod";
import { bodyText } from "../domain/text.ts";
import type { Decider } from "../domain/decide.ts";
import { decideBlock, decideCancel, decideDone, decideFail, decideRelease, decideReopen, decideUnblock } from "../domain/decide-lifecycle.ts";
import { decideCreate, decideDepAdd, decideDepRemove, decideEdit, decideNote, type EditInput } from "../domain/decide-task.ts";
import { RwError } from "../domain/errors.ts";
import { resolveDep, resolveId, resolveInitiativeId, resolveTaskId } from "../domain/resolve-id.ts";
import { STATUSES, type State, type Status, type TaskPatch } from "../domain/types.ts";
import { O, P, num, opt, str, strs, tool, write, type ToolDef } from "./kit.ts";

/** A decider on the task `a.id` names (resolved against the state the transaction decides on). */
const on = <R>(a: Record<string, unknown>, decide: (id: string, state: State) => Decider<R>): Decider<R> => (state, ctx) => {
  const id = resolveTaskId(state, String(a.id));
  return decide(id, state)(state, ctx);
};
const deps = (state: State, ids: string[]): string[] => ids.map((d) => resolveId(state.tasks, d, "task", "dependency"));
const link = (state: State, v: string | undefined, resolve: (s: State, x: string) => string): string | undefined => (v === undefined || v === "" ? v : resolve(state, v));

type Transition = (id: string, reason?: string) => Decider<{ id: string; status: Status }>;
function transition(name: string, decide: Transition, description: string, reasonRequired: boolean): ToolDef {
  return tool({
    tier: "standard",
    description,
    input: { id: P.id, reason: reasonRequired ? P.reason : P.reason.optional(), actor: P.actor },
    output: O.status,
    readOnly: false,
    destructive: name === "cancel",
    async run(a, api) {
      const r = await write(api, a.actor, on(a, (id) => decide(id, str(a.reason))));
      return { text: `${r.id} is now ${r.status}`, data: { id: r.id, status: r.status } };
    },
  });
}

export const EDIT_TOOLS: Record<string, ToolDef> = {
  create: tool({
    tier: "core",
    description: "Create a task; answers with its ID.",
    input: {
      title: z.string().describe("one line saying what to do"),
      priority: z.number().int().min(0).max(4).optional().describe("0 critical .. 4 lowest; default 2"),
      type: z.string().optional().describe("task (default), feature, bug, chore, docs, ..."),
      labels: P.labels.optional(),
      deps: z.array(z.string()).optional().describe("IDs of tasks this one waits on"),
      parent: z.string().optional().describe("ID of the parent task"),
      initiative: z.string().optional().describe("ID of the initiative it belongs to"),
      phase: z.number().int().min(1).optional().describe("phase of the initiative (1-based)"),
      body: z.string().optional().describe("Markdown; acceptance criteria as a checklist under '## Acceptance criteria'"),
      id: z.string().optional().describe("use this ID instead of a generated one"),
      actor: P.actor,
    },
    output: { id: z.string() },
    readOnly: false,
    async run(a, api) {
      const body = str(a.body);
      const r = await write(api, a.actor, (state, ctx) => decideCreate({
        title: String(a.title), labels: strs(a.labels), deps: deps(state, strs(a.deps)),
        ...opt("priority", num(a.priority)), ...opt("type", str(a.type)), ...opt("parent", link(state, str(a.parent), resolveTaskId)), ...opt("id", str(a.id)),
        ...opt("initiative", link(state, str(a.initiative), resolveInitiativeId)), ...opt("phase", num(a.phase)),
        ...opt("body", body === undefined ? undefined : bodyText(body)),
      })(state, ctx));
      return { text: r.id, data: { id: r.id } };
    },
  }),
  update: tool({
    tier: "standard",
    description: "Change a task's fields; only the ones given change. status moves it through its lifecycle (reason recorded). For one dependency use dep.",
    input: {
      id: P.id,
      title: z.string().optional().describe("new title"),
      priority: z.number().int().min(0).max(4).optional().describe("0 critical .. 4 lowest"),
      type: z.string().optional().describe("new type"),
      status: z.enum(STATUSES).optional().describe(`new status: ${STATUSES.join(", ")}`),
      reason: P.reason.optional(),
      add_labels: P.labels.optional(),
      remove_labels: P.labels.optional(),
      deps: z.array(z.string()).optional().describe("replaces the whole list of dependencies"),
      parent: z.string().optional().describe("new parent task ID (\"\" clears it)"),
      initiative: z.string().optional().describe("new initiative ID (\"\" clears it)"),
      phase: z.number().int().min(1).optional().describe("new phase of the initiative"),
      body: z.string().optional().describe("new Markdown body (replaces it)"),
      actor: P.actor,
    },
    output: { id: z.string(), changed: z.number().int().describe("fields changed (0: nothing to do)") },
    readOnly: false,
    async run(a, api) {
      const r = await write(api, a.actor, on(a, (id, state) => {
        const patch: TaskPatch = {
          ...opt("title", str(a.title)), ...opt("priority", num(a.priority)), ...opt("type", str(a.type)), ...opt("parent", link(state, str(a.parent), resolveTaskId)),
          ...opt("initiative", link(state, str(a.initiative), resolveInitiativeId)), ...opt("phase", num(a.phase)),
        };
        if (Array.isArray(a.deps)) patch.deps = deps(state, strs(a.deps));
        const body = str(a.body);
        if (body !== undefined) patch.body = bodyText(body);
        const input: EditInput = { patch, addLabels: strs(a.add_labels), removeLabels: strs(a.remove_labels), ...opt("status", a.status as Status | undefined), ...opt("reason", str(a.reason)) };
        if (Object.keys(patch).length === 0 && !input.status && input.addLabels!.length === 0 && input.removeLabels!.length === 0) {
          throw new RwError("usage", "nothing to change", { hint: "give at least one field, e.g. title or priority" });
        }
        return decideEdit(id, input);
      }));
      return { text: r.changed === 0 ? `${r.id}: nothing changed` : `${r.id}: updated`, data: { id: r.id, changed: r.changed } };
    },
  }),
  dep: tool({
    tier: "standard",
    description: "Add or remove ONE dependency: id waits on on. Refuses cycles and unknown tasks.",
    input: {
      id: z.string().describe("the task that waits"),
      on: z.string().describe("the task it waits on"),
      remove: z.boolean().optional().describe("remove this dependency instead of adding it"),
      actor: P.actor,
    },
    output: { id: z.string(), deps: z.array(z.string()).describe("its dependencies now") },
    readOnly: false,
    async run(a, api) {
      const on = String(a.on);
      const r = await write(api, a.actor, (state, ctx) => {
        const id = resolveTaskId(state, String(a.id));
        if (a.remove === true) return decideDepRemove(id, resolveDep(state, id, on))(state, ctx);
        return decideDepAdd(id, resolveId(state.tasks, on, "task", "dependency"))(state, ctx);
      });
      return { text: `${r.id} now depends on: ${r.deps.join(", ") || "nothing"}`, data: { id: r.id, deps: r.deps } };
    },
  }),
  done: tool({
    tier: "core",
    description: "Complete a task you hold.",
    input: { id: P.id, summary: z.string().optional().describe("what was done, in a sentence or two (shown by show)"), force: P.force, actor: P.actor },
    output: O.status,
    readOnly: false,
    async run(a, api) {
      const r = await write(api, a.actor, on(a, (id) => decideDone(id, { force: a.force === true, ...opt("summary", str(a.summary)) })));
      return { text: `${r.id} is done`, data: { id: r.id, status: "done" } };
    },
  }),
  fail: tool({
    tier: "core",
    description: "Report a failed attempt on a task you hold: open again for a retry, or blocked after max_retries.",
    input: { id: P.id, reason: z.string().describe("what went wrong"), force: P.force, actor: P.actor },
    output: { id: z.string(), status: z.string(), retry_count: z.number().int(), will_retry: z.boolean() },
    readOnly: false,
    destructive: true,
    async run(a, api) {
      const r = await write(api, a.actor, on(a, (id) => decideFail(id, { reason: String(a.reason), force: a.force === true })));
      const text = r.will_retry ? `${r.id} failed (attempt ${r.retry_count}); open again for a retry` : `${r.id} failed ${r.retry_count} times: now blocked`;
      return { text, data: { id: r.id, status: r.will_retry ? "open" : "blocked", retry_count: r.retry_count, will_retry: r.will_retry } };
    },
  }),
  release: tool({
    tier: "core",
    description: "Give up your claim: the task is open again for someone else.",
    input: { id: P.id, reason: P.reason.optional(), force: P.force, actor: P.actor },
    output: O.status,
    readOnly: false,
    async run(a, api) {
      const r = await write(api, a.actor, on(a, (id) => decideRelease(id, { force: a.force === true, ...opt("reason", str(a.reason)) })));
      return { text: `released ${r.id}`, data: { id: r.id, status: "open" } };
    },
  }),
  note: tool({
    tier: "core",
    description: "Add a note to a task's history (findings, decisions, hand-over for the next agent).",
    input: { id: P.id, text: z.string().describe("the note"), actor: P.actor },
    output: { id: z.string() },
    readOnly: false,
    async run(a, api) {
      const r = await write(api, a.actor, on(a, (id) => decideNote(id, String(a.text))));
      return { text: `noted on ${r.id}`, data: { id: r.id } };
    },
  }),
  block: transition("block", decideBlock, "Mark a task blocked on a person or an outside event (not on another task: use dep for that).", true),
  unblock: transition("unblock", decideUnblock, "Open a blocked task again.", false),
  cancel: transition("cancel", decideCancel, "Cancel a task that will not be done.", false),
  reopen: transition("reopen", decideReopen, "Open a done or cancelled task again.", false),
};
