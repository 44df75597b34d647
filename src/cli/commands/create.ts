import { decideCreate } from "../../domain/decide-task.ts";
import { actorArg, int, jsonArg, list, one, readBody, repeated } from "../args.ts";
import { defineRw } from "../command.ts";
import { context } from "../context.ts";
import { deferArg } from "../since.ts";
import { runWrite } from "../write.ts";

export default defineRw({
  meta: { name: "create", description: "Create a task and print its ID" },
  args: {
    title: { type: "positional", description: "the task's title", required: true },
    priority: { type: "string", alias: "p", description: "0 (critical) to 4; default 2", valueHint: "0-4" },
    type: { type: "string", alias: "t", description: "task, feature, bug, chore, docs, ... (default task)" },
    label: { type: "string", alias: "l", description: "a label (repeatable, or comma-separated)" },
    dep: { type: "string", alias: "d", description: "a task this one waits on (repeatable)" },
    parent: { type: "string", description: "parent task ID" },
    initiative: { type: "string", alias: "i", description: "the initiative this task belongs to" },
    phase: { type: "string", description: "the initiative's phase (ready only once that phase is approved)", valueHint: "N" },
    gate: { type: "string", description: "a command that must pass before the task is done (repeatable)" },
    defer: { type: "string", description: "not ready before this date (ISO 8601) or for this long from now (3d, 12h)" },
    id: { type: "string", description: "use this ID instead of a generated one (imports)" },
    body: { type: "string", alias: "b", description: "the Markdown body" },
    "body-file": { type: "string", alias: "f", description: "read the body from a file (- for stdin); piped stdin works too" },
    ...actorArg,
    ...jsonArg,
  },
  examples: [
    'rw create "Add login endpoint" -p 1 --type feature --label api',
    'rw create "Wire the form" --dep rw-a1b2 --body-file notes.md',
    'rw create "Sign tokens" --initiative in-3m8d --phase 1',
    'rw create "Renew the certificate" --defer 30d',
    'printf "## Acceptance criteria\\n- [ ] returns 200\\n" | rw create "Health check"',
  ],
  async run({ args }) {
    const body = await readBody(context(), args, true);
    const priority = int(args.priority, "--priority");
    const type = one(args.type);
    const parent = one(args.parent);
    const defer = deferArg(one(args.defer), context().now());
    const id = one(args.id);
    const initiative = one(args.initiative);
    const phase = int(args.phase, "--phase");
    await runWrite(
      args,
      decideCreate({
        title: args.title,
        labels: list(args.label),
        deps: list(args.dep),
        gates: repeated(args.gate),
        ...(priority !== undefined ? { priority } : {}),
        ...(type !== undefined ? { type } : {}),
        ...(parent !== undefined ? { parent } : {}),
        ...(initiative !== undefined ? { initiative } : {}),
        ...(phase !== undefined ? { phase } : {}),
        ...(defer !== undefined ? { defer_until: defer } : {}),
        ...(id !== undefined ? { id } : {}),
        ...(body !== undefined ? { body } : {}),
      }),
      (r) => r.id,
    );
  },
});
