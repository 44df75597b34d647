import { resolve } from "node:path";
import { actorArg, jsonArg, resolveActor } from "../args.ts";
import { withStore } from "../read.ts";
import { defineRw } from "../command.ts";
import { context } from "../context.ts";
import { plural, printJson } from "../output.ts";

// Loaded on use, not at the top: importers never slow down other verbs.
// NOTE: tsc (5.9) leaves the ".ts" of an `await import()` inside a method un-rewritten; a module-level arrow is rewritten.
const loadImporter = () => import("../../import/run.ts");

export default defineRw({
  meta: { name: "import", description: "Import from beads, Task Master, Backlog.md, ralph-tui prd.json or an rw export, in one commit" },
  args: {
    path: { type: "positional", description: "a file (issues.jsonl, tasks.json, rw export) or a directory holding one", required: true },
    "dry-run": { type: "boolean", description: "show what would be imported and dropped; write nothing" },
    ...actorArg,
    ...jsonArg,
  },
  examples: ["rw import .beads/issues.jsonl --dry-run", "rw import .taskmaster/tasks/tasks.json", "rw import backlog/", "rw import prd.json   # a draft initiative with the user stories", "rw import ../old-repo   # finds .beads/, .taskmaster/ or backlog/ there", "rw import export.json --json"],
  async run({ args }) {
    const ctx = context();
    const { runImport } = await loadImporter();
    await withStore(ctx, async (store) => {
      const actor = await resolveActor(store, args.actor);
      const r = await runImport(store, resolve(ctx.cwd, args.path), actor, Boolean(args["dry-run"]));
      if (args.json) return printJson(ctx, { ...r });
      const counts = Object.entries(r.by_status).map(([s, n]) => `${n} ${s}`).join(", ");
      const lines = [
        `${r.dry_run ? "would import" : "imported"} ${plural(r.created.length, "task")} from ${r.kind} (${r.path})${counts ? `: ${counts}` : ""}`,
        ...r.initiatives.map((i) => `initiative ${i}${r.kind === "prd" ? ` (in review: \`rw initiative approve ${i} --phase 1\` makes its stories ready)` : ""}`),
        ...(r.commit ? [`one commit on the state ref: ${r.commit.slice(0, 10)} (${plural(r.events, "event")})`] : []),
        ...r.mapped.map((m) => `mapped: ${m}`),
        ...r.dropped.map((d) => `dropped: ${d}`),
      ];
      ctx.stdout(`${lines.join("\n")}\n`);
    });
  },
});
