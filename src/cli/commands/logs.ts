import { readFile } from "node:fs/promises";
import { RwError } from "../../domain/errors.ts";
import { assertValidId } from "../../domain/ids.ts";
import { transcriptPath } from "../../orchestrator/transcript.ts";
import { int, jsonArg } from "../args.ts";
import { withStore } from "../read.ts";
import { defineRw } from "../command.ts";
import { printJson } from "../output.ts";
import { context } from "../context.ts";

export default defineRw({
  meta: { name: "logs", description: "Show a task's agent transcripts from `rw run`" },
  args: {
    id: { type: "positional", description: "task ID", required: true },
    tail: { type: "string", alias: "n", description: "only the last N lines", valueHint: "N" },
    ...jsonArg,
  },
  examples: ["rw logs rw-7k2f", "rw logs rw-7k2f --tail 40", "rw logs rw-7k2f --json"],
  async run({ args }) {
    const ctx = context();
    const id = assertValidId(String(args.id));
    const tail = int(args.tail, "--tail");
    await withStore(ctx, async (store) => {
      const path = transcriptPath(store.repo, id);
      let text: string;
      try {
        text = await readFile(path, "utf8");
      } catch {
        throw new RwError("not_found", `no transcript for ${id} yet`, { hint: "transcripts are written while `rw run` works a task", data: { id, path } });
      }
      if (tail !== undefined) text = `${text.trimEnd().split("\n").slice(-tail).join("\n")}\n`;
      if (args.json) return printJson(ctx, { id, path, text });
      ctx.stdout(text);
    });
  },
});
