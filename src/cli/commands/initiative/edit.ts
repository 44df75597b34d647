import { decideInitiativeEdit } from "../../../domain/decide-initiative.ts";
import { onInitiative } from "../../../domain/resolve-id.ts";
import { RwError } from "../../../domain/errors.ts";
import { actorArg, jsonArg, one, readBody } from "../../args.ts";
import { defineRw } from "../../command.ts";
import { context } from "../../context.ts";
import { runWrite } from "../../write.ts";

export default defineRw({
  meta: { name: "edit", description: "Change an initiative's title or concept" },
  args: {
    id: { type: "positional", description: "initiative ID", required: true },
    title: { type: "string", description: "new title" },
    body: { type: "string", alias: "b", description: "new concept (Markdown)" },
    "body-file": { type: "string", alias: "f", description: "read the new concept from a file (- for stdin)" },
    ...actorArg,
    ...jsonArg,
  },
  examples: ['rw initiative edit in-3m8d --title "Auth rewrite (v2)"', "rw initiative edit in-3m8d --body-file concept.md"],
  async run({ args }) {
    const title = one(args.title);
    const body = await readBody(context(), args, false);
    if (title === undefined && body === undefined) throw new RwError("usage", "nothing to change", { hint: "give --title, --body or --body-file" });
    await runWrite(
      args,
      onInitiative(args.id, (id) => decideInitiativeEdit(id, { ...(title !== undefined ? { title } : {}), ...(body !== undefined ? { body } : {}) })),
      (r) => (r.changed === 0 ? `${r.id}: nothing changed` : `${r.id}: updated`),
    );
  },
});
