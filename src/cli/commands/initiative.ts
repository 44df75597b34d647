import type { CommandDef } from "citty";
import { defineRw } from "../command.ts";

type Sub = () => Promise<CommandDef<any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
const lazy = (load: () => Promise<{ default: CommandDef<any> }>): Sub => () => load().then((m) => m.default); // eslint-disable-line @typescript-eslint/no-explicit-any

// NOTE: kept outside `export default`: tsc 5.9 does not rewrite ".ts" in import() calls nested in it.
const subCommands = {
  new: lazy(() => import("./initiative/new.ts")),
  list: lazy(() => import("./initiative/list.ts")),
  show: lazy(() => import("./initiative/show.ts")),
  edit: lazy(() => import("./initiative/edit.ts")),
  refine: lazy(() => import("./initiative/refine.ts")),
  phase: lazy(() => import("./initiative/phase.ts")),
  submit: lazy(() => import("./initiative/submit.ts")),
  approve: lazy(() => import("./initiative/approve.ts")),
  complete: lazy(() => import("./initiative/complete.ts")),
  cancel: lazy(() => import("./initiative/cancel.ts")),
  verify: lazy(() => import("./initiative/verify.ts")),
  ship: lazy(() => import("./initiative/ship.ts")),
};

export default defineRw({
  meta: { name: "initiative", description: "Plan larger work: a concept with phases, approved one by one" },
  subCommands,
  examples: [
  'rw initiative new "Auth rewrite" --body-file concept.md --phase "Token format" --phase "Login flow"',
  'rw initiative phase add in-3m8d "Migrate sessions"',
  "rw initiative refine in-3m8d --answers answers.md",
  "rw initiative submit in-3m8d",
  "rw initiative approve in-3m8d --phase 1",
  'rw create "Sign tokens" --initiative in-3m8d --phase 1',
  "rw initiative show in-3m8d",
  "rw initiative verify in-3m8d --phase 1",
  "rw initiative ship in-3m8d --push",
  ],
});
