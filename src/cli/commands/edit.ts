import { decideEdit } from "../../domain/decide-task.ts";
import { onTask } from "../../domain/resolve-id.ts";
import { RwError } from "../../domain/errors.ts";
import { STATUSES, type Status, type TaskPatch } from "../../domain/types.ts";
import { actorArg, int, jsonArg, list, one, readBody, repeated } from "../args.ts";
import { defineRw } from "../command.ts";
import { context } from "../context.ts";
import { deferArg } from "../since.ts";
import { runWrite } from "../write.ts";

export default defineRw({
  meta: { name: "edit", description: "Change a task's fields (only what you name changes)" },
  args: {
    id: { type: "positional", description: "task ID", required: true },
    title: { type: "string", description: "new title" },
    priority: { type: "string", alias: "p", description: "0-4" },
    type: { type: "string", alias: "t", description: "new type" },
    status: { type: "string", alias: "s", description: `new status: ${STATUSES.join(", ")}` },
    reason: { type: "string", description: "why (recorded with a status change)" },
    force: { type: "boolean", description: "change the status of a task someone else has claimed (recorded as forced)" },
    "add-label": { type: "string", description: "add a label (repeatable)" },
    "remove-label": { type: "string", description: "remove a label (repeatable)" },
    parent: { type: "string", description: "new parent ID (\"\" to clear)" },
    initiative: { type: "string", description: "move to this initiative (\"\" to clear)" },
    phase: { type: "string", description: "move to this phase of the initiative", valueHint: "N" },
    gate: { type: "string", description: "replace the task's gates (repeatable)" },
    defer: { type: "string", description: "not ready before this date, or for this long from now (3d); \"\" clears it" },
    body: { type: "string", alias: "b", description: "new Markdown body" },
    "body-file": { type: "string", alias: "f", description: "read the new body from a file (- for stdin)" },
    ...actorArg,
    ...jsonArg,
  },
  examples: ['rw edit rw-7k2f --title "Add login + logout" -p 0', "rw edit rw-7k2f --add-label api --body-file body.md", "rw edit rw-7k2f --status done --reason 'shipped in #12'", "rw edit rw-7k2f --defer 3d"],
  async run({ args }) {
    const patch: TaskPatch = {};
    const title = one(args.title);
    if (title !== undefined) patch.title = title;
    const priority = int(args.priority, "--priority");
    if (priority !== undefined) patch.priority = priority;
    const type = one(args.type);
    if (type !== undefined) patch.type = type;
    const parent = one(args.parent);
    if (parent !== undefined) patch.parent = parent;
    const initiative = one(args.initiative);
    if (initiative !== undefined) patch.initiative = initiative;
    const phase = int(args.phase, "--phase");
    if (phase !== undefined) patch.phase = phase;
    const defer = deferArg(one(args.defer), context().now());
    if (defer !== undefined) patch.defer_until = defer;
    if (args.gate !== undefined) patch.gates = repeated(args.gate);
    const body = await readBody(context(), args, false);
    if (body !== undefined) patch.body = body;
    const status = one(args.status);
    if (status !== undefined && !(STATUSES as readonly string[]).includes(status)) {
      throw new RwError("usage", `unknown status ${JSON.stringify(status)}`, { hint: `use one of: ${STATUSES.join(", ")}` });
    }
    const addLabels = list(args["add-label"]);
    const removeLabels = list(args["remove-label"]);
    const reason = one(args.reason);
    if (Object.keys(patch).length === 0 && !status && addLabels.length === 0 && removeLabels.length === 0) {
      throw new RwError("usage", "nothing to change", { hint: "name at least one field, e.g. --title or --priority (see rw edit --help)" });
    }
    await runWrite(
      args,
      onTask(args.id, (id) => decideEdit(id, { patch, addLabels, removeLabels, ...(status ? { status: status as Status } : {}), ...(reason ? { reason } : {}), force: args.force === true })),
      (r) => (r.changed === 0 ? `${r.id}: nothing changed` : `${r.id}: updated`),
    );
  },
});
