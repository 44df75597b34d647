import { writeFile } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { RwError } from "../../domain/errors.ts";
import { getInitiative } from "../../domain/initiative-lifecycle.ts";
import type { State } from "../../domain/types.ts";
import { exportBeads, exportPrd } from "../../import/export.ts";
import { exportRwJson } from "../../import/rw-json.ts";
import { one } from "../args.ts";
import { defineRw } from "../command.ts";
import { withSnapshot } from "../read.ts";

const FORMATS = ["json", "beads", "prd"] as const;

/** The PRD is named after the initiative (its concept as description), else after the repository. */
function prdOptions(state: State, initiative: string | undefined, repoName: string): { name: string; description?: string; initiative?: string } {
  if (initiative === undefined) return { name: repoName };
  const i = getInitiative(state, initiative);
  const description = i.body.split("\n\n")[0]?.trim();
  return { name: i.title, initiative, ...(description ? { description } : {}) };
}

export default defineRw({
  meta: { name: "export", description: "Write every task as rw JSON, beads issues.jsonl or a ralph-tui prd.json" },
  args: {
    format: { type: "string", alias: "F", description: `${FORMATS.join(", ")} (default json)` },
    out: { type: "string", alias: "o", description: "write to this file instead of standard output" },
    initiative: { type: "string", description: "prd only: just this initiative's tasks" },
  },
  examples: ["rw export > backlog.json", "rw export --format beads --out .beads/issues.jsonl", "rw export --format prd --out prd.json"],
  async run({ args }) {
    const format = one(args.format) ?? "json";
    if (!(FORMATS as readonly string[]).includes(format)) throw new RwError("usage", `unknown format ${JSON.stringify(format)}`, { hint: `use one of: ${FORMATS.join(", ")}` });
    await withSnapshot(async (snap, store, ctx) => {
      const initiative = one(args.initiative);
      const text = format === "json"
        ? `${JSON.stringify(exportRwJson(snap.state), null, 2)}\n`
        : format === "beads"
          ? exportBeads(snap.state)
          : exportPrd(snap.state, prdOptions(snap.state, initiative, basename(store.repo.mainWorktree ?? store.repo.commonDir)));
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
