import { jsonArg, int, one } from "../args.ts";
import { defineRw } from "../command.ts";
import { printJson } from "../output.ts";
import { withSnapshot } from "../read.ts";

export default defineRw({
  meta: { name: "decisions", description: "List recorded decisions, newest first" },
  args: {
    initiative: { type: "string", description: "only decisions of this initiative" },
    task: { type: "string", description: "only decisions about this task" },
    limit: { type: "string", alias: "n", description: "show at most N" },
    ...jsonArg,
  },
  examples: ["rw decisions", "rw decisions --initiative in-3m8d --json"],
  async run({ args }) {
    const initiative = one(args.initiative);
    const task = one(args.task);
    const limit = int(args.limit, "--limit");
    await withSnapshot((snap, _store, ctx) => {
      const all = snap.state.decisions
        .filter((d) => (initiative === undefined || d.initiative === initiative) && (task === undefined || d.task === task))
        .slice()
        .reverse();
      const shown = limit === undefined ? all : all.slice(0, limit);
      if (args.json) return printJson(ctx, { count: shown.length, total: all.length, decisions: shown });
      if (shown.length === 0) return ctx.stdout('no decisions recorded (rw decide "...")\n');
      const lines = shown.map((d) => {
        const links = [d.initiative, d.task].filter(Boolean).join(", ");
        return `${d.ts.slice(0, 16).replace("T", " ")}  ${d.actor}: ${d.text}${links ? `  [${links}]` : ""}${d.why ? `\n    why: ${d.why}` : ""}`;
      });
      ctx.stdout(`${lines.join("\n")}\n`);
    });
  },
});
