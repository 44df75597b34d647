import { resolve } from "node:path";
import { actorArg, jsonArg, one, resolveActor } from "../args.ts";
import { withStore } from "../read.ts";
import { defineRw } from "../command.ts";
import { context } from "../context.ts";
import { printJson } from "../output.ts";

// Loaded on use, not at the top: importers never slow down other verbs.
// NOTE: tsc (5.9) leaves the ".ts" of an `await import()` inside a method un-rewritten; a module-level arrow is rewritten.
const loadImporter = () => import("../../import/run.ts");
const loadDetect = () => import("../../import/detect.ts");
const loadReport = () => import("../../import/report.ts");

export default defineRw({
  meta: { name: "import", description: "Import from beads, Task Master, Backlog.md, ralph-tui prd.json, GitHub issues (gh --json) or an rw export, in one commit" },
  args: {
    path: { type: "positional", description: "a file (issues.jsonl, tasks.json, prd.json, gh issues JSON, rw export) or a directory holding one", required: true },
    from: { type: "string", description: "the source format: beads, taskmaster, backlog, prd, gh or rw (needed when a folder holds several)" },
    "dry-run": { type: "boolean", description: "show what would be imported and reported; write nothing" },
    strict: { type: "boolean", description: "refuse the whole import if any item is malformed (default: skip it and report it)" },
    "rename-on-clash": { type: "boolean", description: "give tasks whose IDs exist here a free -2, -3… suffix instead of refusing" },
    verbose: { type: "boolean", alias: "v", description: "list every report line, not three per kind" },
    ...actorArg,
    ...jsonArg,
  },
  examples: [
    "rw import .beads/issues.jsonl --dry-run", "rw import .taskmaster/tasks/tasks.json", "rw import backlog/", "rw import prd.json   # a draft initiative with the user stories",
    "rw import ../old-repo --from taskmaster   # the folder also has .beads/", "gh issue list --state all --limit 10000 --json number,title,body,state,stateReason,labels,assignees,milestone,author,createdAt,closedAt,comments > issues.json && rw import issues.json",
    "rw import export.json --rename-on-clash --json",
  ],
  async run({ args }) {
    const ctx = context();
    const [{ runImport }, { fromName }, { importReport }] = await Promise.all([loadImporter(), loadDetect(), loadReport()]);
    const fromArg = one(args.from);
    const from = fromArg === undefined ? undefined : fromName(fromArg);
    await withStore(ctx, async (store) => {
      const actor = await resolveActor(store, args.actor);
      const r = await runImport(store, resolve(ctx.cwd, args.path), actor, {
        dryRun: Boolean(args["dry-run"]), strict: Boolean(args.strict), renameOnClash: Boolean(args["rename-on-clash"]), ...(from ? { from } : {}),
      });
      for (const w of r.warnings) ctx.stderr(`warning: ${w}\n`);
      if (args.json) return printJson(ctx, { ...r });
      ctx.stdout(importReport(r, Boolean(args.verbose)));
    });
  },
});
