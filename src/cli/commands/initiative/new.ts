import { decideInitiativeNew } from "../../../domain/decide-initiative.ts";
import { actorArg, all, jsonArg, one, readBody } from "../../args.ts";
import { defineRw } from "../../command.ts";
import { context } from "../../context.ts";
import { runWrite } from "../../write.ts";

export default defineRw({
  meta: { name: "new", description: "Create an initiative (a draft) and print its ID" },
  args: {
    title: { type: "positional", description: "the initiative's title", required: true },
    phase: { type: "string", description: "a phase title, in order (repeatable); more later with `rw initiative phase add`" },
    body: { type: "string", alias: "b", description: "the concept (Markdown)" },
    "body-file": { type: "string", alias: "f", description: "read the concept from a file (- for stdin); piped stdin works too" },
    id: { type: "string", description: "use this ID instead of a generated one (imports)" },
    branch: { type: "string", description: "its own integration branch (e.g. feat/auth): `rw run` lands its tasks there and merges it when the initiative completes" },
    ...actorArg,
    ...jsonArg,
  },
  examples: [
    'rw initiative new "Auth rewrite"',
    'rw initiative new "Auth rewrite" --body-file concept.md --phase "Token format" --phase "Login flow"',
    'rw initiative new "Auth rewrite" --branch feat/auth',
  ],
  async run({ args }) {
    const body = await readBody(context(), args, true);
    const id = one(args.id);
    const branch = one(args.branch);
    await runWrite(
      args,
      decideInitiativeNew({ title: args.title, phases: all(args.phase), ...(body !== undefined ? { body } : {}), ...(id !== undefined ? { id } : {}), ...(branch !== undefined ? { branch } : {}) }),
      (r) => r.id,
    );
  },
});
