import { RwError } from "../../domain/errors.ts";
import { runDoctor } from "../../store/doctor.ts";
import { jsonArg } from "../args.ts";
import { defineRw } from "../command.ts";
import { paint, printJson } from "../output.ts";
import { withSnapshot } from "../read.ts";

export default defineRw({
  meta: { name: "doctor", description: "Replay the event log and check every file on the state ref" },
  args: { ...jsonArg },
  examples: ["rw doctor", "rw doctor --json"],
  async run({ args }) {
    const report = await withSnapshot(async (_snap, store, ctx) => {
      const r = await runDoctor(store);
      if (args.json) {
        printJson(ctx, { ...r });
        return r;
      }
      const lines = [
        `replayed ${r.events} events into ${r.tasks} tasks; checked ${r.files_checked} files at ${r.tip.slice(0, 10)}`,
        `index: ${r.index === "ok" ? "matches the log" : r.index === "rebuilt" ? "did not match the log: rebuilt" : "not cached for this tip: rebuilt"}`,
      ];
      for (const p of r.log_problems) lines.push(paint(ctx, "red", `log: ${p}`));
      for (const p of r.problems) {
        lines.push(paint(ctx, "red", `${p.path}: ${p.problem === "differs" ? "differs from what the events render" : p.problem === "missing" ? "missing on the ref" : "on the ref but not produced by any event"}`));
        for (const d of p.diff ?? []) lines.push(`    ${d}`);
      }
      if (r.foreign.length > 0) lines.push(`foreign (not rw's, kept as they are): ${r.foreign.join(", ")}`);
      if (r.ok) lines.push(paint(ctx, "green", "ok: the ref is exactly what its event log says"));
      ctx.stdout(`${lines.join("\n")}\n`);
      return r;
    });
    if (!report.ok) {
      throw new RwError("corrupt", `the state ref does not match its event log (${report.problems.length + report.log_problems.length} problems)`, {
        hint: "the log is the truth: find the commit that broke it with `git log rewind`, and restore that file from the previous commit",
      });
    }
  },
});
