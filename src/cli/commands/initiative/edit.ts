import { decideInitiativeEdit } from "../../../domain/decide-initiative.ts";
import { onInitiative } from "../../../domain/resolve-id.ts";
import { RwError } from "../../../domain/errors.ts";
import type { Decider } from "../../../domain/decide.ts";
import { decideBranchSet } from "../../../domain/decide-initiative-branch.ts";
import { applyCopy } from "../../../domain/fold.ts";
import { actorArg, jsonArg, one, readBody } from "../../args.ts";
import { defineRw } from "../../command.ts";
import { context } from "../../context.ts";
import { runWrite } from "../../write.ts";

export default defineRw({
  meta: { name: "edit", description: "Change an initiative's title, concept or integration branch" },
  args: {
    id: { type: "positional", description: "initiative ID", required: true },
    title: { type: "string", description: "new title" },
    body: { type: "string", alias: "b", description: "new concept (Markdown)" },
    "body-file": { type: "string", alias: "f", description: "read the new concept from a file (- for stdin)" },
    branch: { type: "string", description: "its own integration branch (e.g. feat/auth), while nothing has landed on another one" },
    ...actorArg,
    ...jsonArg,
  },
  examples: ['rw initiative edit in-3m8d --title "Auth rewrite (v2)"', "rw initiative edit in-3m8d --body-file concept.md", "rw initiative edit in-3m8d --branch feat/auth"],
  async run({ args }) {
    const title = one(args.title);
    const body = await readBody(context(), args, false);
    const branch = one(args.branch);
    if (title === undefined && body === undefined && branch === undefined) throw new RwError("usage", "nothing to change", { hint: "give --title, --body, --body-file or --branch" });
    const edit = (id: string): Decider<{ id: string; changed: number }> => (state, ctx) => {
      const d = decideInitiativeEdit(id, { ...(title !== undefined ? { title } : {}), ...(body !== undefined ? { body } : {}) })(state, ctx);
      if (branch === undefined) return d;
      const b = decideBranchSet(id, branch)(applyCopy(state, d.events), ctx);
      return { events: [...d.events, ...b.events], summary: d.events.length > 0 ? d.summary : b.summary, result: { id, changed: d.result.changed + b.events.length } };
    };
    await runWrite(
      args,
      onInitiative(args.id, edit),
      (r) => (r.changed === 0 ? `${r.id}: nothing changed` : `${r.id}: updated`),
    );
  },
});
