import { getTask, type Decider } from "../domain/decide.ts";
import { decideInitiativeApprove } from "../domain/decide-initiative.ts";
import { decideCreate, decideEdit, decideNote, type CreateInput } from "../domain/decide-task.ts";
import { RwError } from "../domain/errors.ts";
import { STATUSES, type Status, type TaskPatch } from "../domain/types.ts";
import type { Actor, Store } from "../store/store.ts";
import { int, str, strings } from "./http.ts";

/** What a write answers the page: what changed and the commit that recorded it. */
export interface WriteResult { ok: true; id: string; changed: number; commit: string | null; message: string; outcome?: string }

export interface WriteEnv {
  store: Store;
  actor: Actor;
  /** Records edits waiting in `.rewind/` first when no daemon does (the CLI's presync). */
  beforeWrite?: () => Promise<void>;
}

/** A body as typed in the page: ending in a newline like a file, unless empty (as `--body` does). */
const bodyText = (text: string): string => (text === "" || text.endsWith("\n") ? text : `${text}\n`);

/**
 * A page acts on what it showed: when the task moved meanwhile (another writer), the write is
 * refused rather than applied to a state the person did not see.
 */
const expecting = <R>(id: string, expect: string | undefined, decide: Decider<R>): Decider<R> => (state, ctx) => {
  const t = getTask(state, id);
  if (expect !== undefined && t.status !== expect) {
    throw new RwError("conflict", `${id} is ${t.status.replace("_", " ")} now, not ${expect.replace("_", " ")}: someone else changed it; nothing was changed`, {
      hint: "the board shows the new state; try again if you still want it",
    });
  }
  return decide(state, ctx);
};

async function commit<R extends { id: string }>(env: WriteEnv, decide: Decider<R>, message: (r: R, changed: number) => string): Promise<WriteResult> {
  await env.beforeWrite?.();
  const tx = await env.store.transact(decide, env.actor);
  return { ok: true, id: tx.result.id, changed: tx.events.length, commit: tx.commit ?? null, message: message(tx.result, tx.events.length) };
}

function statusOf(value: string | undefined): Status {
  if (value === undefined || !(STATUSES as readonly string[]).includes(value)) {
    throw new RwError("usage", `unknown status ${JSON.stringify(value ?? "")}`, { hint: `use one of: ${STATUSES.join(", ")}` });
  }
  return value as Status;
}

/**
 * `review` is reached and left only through a review: a drag would skip the merge queue (into
 * done) or leave a review with no attempt recorded (into review).
 */
const notThroughReview = <R>(id: string, status: Status, decide: Decider<R>): Decider<R> => (state, ctx) => {
  const t = getTask(state, id);
  if (t.status === "review" && status !== "review") {
    throw new RwError("wrong_state", `${id} is waiting for review: approve it (merged through the merge queue) or reject it with feedback on its page; nothing was changed`, { hint: `or \`rw review ${id}\`` });
  }
  if (status === "review" && t.status !== "review") {
    throw new RwError("wrong_state", `only \`rw run --review\` puts a task in review (it records the attempt to review); nothing was changed`, { hint: "drag it to another column" });
  }
  return decide(state, ctx);
};

/** Drag a card: the same decider as `rw edit ID --status S [--reason R]`, so the same lifecycle guards. */
export function moveTask(env: WriteEnv, id: string, body: Record<string, unknown>): Promise<WriteResult> {
  const status = statusOf(str(body, "status"));
  const reason = str(body, "reason")?.trim() || undefined;
  const expect = str(body, "expect");
  return commit(env, expecting(id, expect, notThroughReview(id, status, decideEdit(id, { patch: {}, status, ...(reason ? { reason } : {}) }))),
    (r, n) => (n === 0 ? `${r.id}: nothing changed` : `${r.id}: ${status.replace("_", " ")}`));
}

/** Edit title, body, labels and priority: `rw edit` with only the fields the page sent. */
export function editTask(env: WriteEnv, id: string, body: Record<string, unknown>): Promise<WriteResult> {
  const patch: TaskPatch = {};
  const title = str(body, "title");
  if (title !== undefined) patch.title = title;
  const text = str(body, "body");
  if (text !== undefined) patch.body = bodyText(text);
  const labels = strings(body, "labels");
  if (labels !== undefined) patch.labels = labels.map((l) => l.trim()).filter((l) => l !== "");
  const priority = int(body, "priority");
  if (priority !== undefined) patch.priority = priority;
  if (Object.keys(patch).length === 0) throw new RwError("usage", "nothing to change", { hint: "send title, body, labels or priority" });
  return commit(env, decideEdit(id, { patch }), (r, n) => (n === 0 ? `${r.id}: nothing changed` : `${r.id}: updated`));
}

export function createTask(env: WriteEnv, body: Record<string, unknown>): Promise<WriteResult> {
  const input: CreateInput = { title: str(body, "title") ?? "" };
  const text = str(body, "body");
  if (text) input.body = bodyText(text);
  const priority = int(body, "priority");
  if (priority !== undefined) input.priority = priority;
  const type = str(body, "type");
  if (type) input.type = type;
  const labels = strings(body, "labels");
  if (labels) input.labels = labels.map((l) => l.trim()).filter((l) => l !== "");
  const initiative = str(body, "initiative");
  if (initiative) input.initiative = initiative;
  const phase = int(body, "phase");
  if (phase !== undefined) input.phase = phase;
  return commit(env, decideCreate(input), (r) => `created ${r.id}`);
}

export function noteTask(env: WriteEnv, id: string, body: Record<string, unknown>): Promise<WriteResult> {
  return commit(env, decideNote(id, str(body, "text") ?? ""), (r) => `${r.id}: note added`);
}

/** Approve a phase: `rw initiative approve ID --phase N`. */
export function approvePhase(env: WriteEnv, id: string, phase: number): Promise<WriteResult> {
  return commit(env, decideInitiativeApprove(id, phase), (r) => `${r.id}: phase ${r.phase} approved`);
}
