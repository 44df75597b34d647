import { decidePhaseAdd } from "../../../domain/decide-initiative.ts";
import { decidePhaseEdit } from "../../../domain/decide-phase-verify.ts";
import { RwError } from "../../../domain/errors.ts";
import { applyCopy } from "../../../domain/fold.ts";
import { onInitiative } from "../../../domain/resolve-id.ts";
import { actorArg, all, int, jsonArg, one } from "../../args.ts";
import { defineRw } from "../../command.ts";
import { runWrite } from "../../write.ts";

const verifyArg = {
  verify: { type: "string", description: "a command whose success shows the phase's goal holds (repeatable); run by goal-backward phase verification" },
} as const;

const add = defineRw({
  meta: { name: "add", description: "Add a phase at the end (planned until approved)" },
  args: {
    id: { type: "positional", description: "initiative ID", required: true },
    title: { type: "positional", description: "the phase's title", required: true },
    ...verifyArg,
    ...actorArg,
    ...jsonArg,
  },
  examples: ['rw initiative phase add in-3m8d "Migrate sessions"', 'rw initiative phase add in-3m8d "Login flow" --verify "npm test -- login" --verify "node cli.js login --help"'],
  async run({ args }) {
    const verify = all(args.verify);
    await runWrite(args, onInitiative(args.id, (id) => (state, ctx) => {
      const d = decidePhaseAdd(id, args.title)(state, ctx);
      if (verify.length === 0) return d;
      const e = decidePhaseEdit(id, d.result.phase, { verify })(applyCopy(state, d.events), ctx);
      return { ...d, events: [...d.events, ...e.events] };
    }), (r) => `${r.id}: added phase ${r.phase}${verify.length > 0 ? ` with ${verify.length} verify command${verify.length === 1 ? "" : "s"}` : ""}`);
  },
});

const edit = defineRw({
  meta: { name: "edit", description: "Change a phase's title or its verify commands" },
  args: {
    id: { type: "positional", description: "initiative ID", required: true },
    phase: { type: "positional", description: "phase number", required: true },
    title: { type: "string", description: "new title" },
    ...verifyArg,
    "clear-verify": { type: "boolean", description: "remove every verify command" },
    "adopt-proposed": { type: "boolean", description: "add the verify commands the verifier proposed in the phase's last verdict" },
    ...actorArg,
    ...jsonArg,
  },
  examples: ['rw initiative phase edit in-3m8d 2 --verify "npm test"', "rw initiative phase edit in-3m8d 2 --adopt-proposed", "rw initiative phase edit in-3m8d 2 --clear-verify"],
  async run({ args }) {
    const n = int(args.phase, "phase");
    if (n === undefined) throw new RwError("usage", "give the phase number", { hint: "e.g. rw initiative phase edit in-3m8d 2 --verify \"npm test\"" });
    const verify = all(args.verify);
    const title = one(args.title);
    if (verify.length > 0 && args["clear-verify"]) throw new RwError("usage", "--verify and --clear-verify do not go together");
    const adopt = Boolean(args["adopt-proposed"]);
    if (adopt && args["clear-verify"]) throw new RwError("usage", "--adopt-proposed and --clear-verify do not go together");
    if (title === undefined && verify.length === 0 && !args["clear-verify"] && !adopt) throw new RwError("usage", "nothing to change", { hint: "give --title, --verify, --adopt-proposed or --clear-verify" });
    const patch = { ...(title !== undefined ? { title } : {}), ...(verify.length > 0 || args["clear-verify"] ? { verify } : {}), ...(adopt ? { adopt_proposed: true } : {}) };
    await runWrite(args, onInitiative(args.id, (id) => decidePhaseEdit(id, n, patch)), (r) => (r.changed === 0 ? `${r.id} phase ${r.phase}: nothing changed` : `${r.id} phase ${r.phase}: updated`));
  },
});

export default defineRw({
  meta: { name: "phase", description: "Manage an initiative's phases" },
  subCommands: { add, edit },
  examples: ['rw initiative phase add in-3m8d "Migrate sessions"', 'rw initiative phase edit in-3m8d 1 --verify "npm test"'],
});
