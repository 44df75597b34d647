import { writeFile } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { RwError } from "../../domain/errors.ts";
import { getInitiative } from "../../domain/initiative-lifecycle.ts";
import { exportBeads, exportPrd } from "../../import/export.ts";
import { exportExtras } from "../../import/extras.ts";
import { exportRwJson } from "../../import/rw-json.ts";
import { readAllEvents } from "../../store/snapshot.ts";
import { one } from "../args.ts";
import { defineRw } from "../command.ts";
import { withSnapshot } from "../read.ts";

const FORMATS = ["json", "beads", "prd"] as const;

export default defineRw({
  meta: { name: "export", description: "Write every task as rw JSON, beads issues.jsonl or a ralph-tui prd.json" },
  args: {
    format: { type: "string", alias: "F", description: `${FORMATS.join(", ")} (default json)` },
    out: { type: "string", alias: "o", description: "write to this file instead of standard output" },
    initiative: { type: "string", description: "prd only: just this initiative's tasks (default: the only initiative, if there is one)" },
  },
  examples: ["rw export > backlog.json", "rw export --format beads --out .beads/issues.jsonl", "rw export --format prd --initiative in-4k2f --out prd.json"],
  async run({ args }) {
    const format = one(args.format) ?? "json";
    if (!(FORMATS as readonly string[]).includes(format)) throw new RwError("usage", `unknown format ${JSON.stringify(format)}`, { hint: `use one of: ${FORMATS.join(", ")}` });
    await withSnapshot(async (snap, store, ctx) => {
      const initiative = one(args.initiative);
      if (initiative !== undefined) getInitiative(snap.state, initiative);
      // Completion summaries, close times and the source values an import kept live in the log, not the folded state.
      const extras = exportExtras((await readAllEvents(store.source, snap.root)).events);
      const text = format === "json"
        ? `${JSON.stringify(exportRwJson(snap.state, extras), null, 2)}\n`
        : format === "beads"
          ? exportBeads(snap.state, extras)
          : exportPrd(snap.state, extras, { fallbackName: basename(store.repo.mainWorktree ?? store.repo.commonDir), ...(initiative !== undefined ? { initiative } : {}) });
      const out = one(args.out);
      if (out === undefined) return ctx.stdout(text);
      const file = resolve(ctx.cwd, out);
      try {
        await writeFile(file, text);
      } catch (err) {
        throw new RwError("invalid_input", `cannot write ${out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      ctx.stderr(`wrote ${Object.keys(snap.state.tasks).length} tasks to ${out}\n`);
    });
  },
});
