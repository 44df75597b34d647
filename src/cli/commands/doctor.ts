import { RwError } from "../../domain/errors.ts";
import { runDoctor, type DoctorReport } from "../../store/doctor.ts";
import { repairRef, type RepairReport } from "../../store/doctor-repair.ts";
import { jsonArg, openStore } from "../args.ts";
import { defineRw } from "../command.ts";
import { context, type Context } from "../context.ts";
import { errorText, paint, printJson } from "../output.ts";

export default defineRw({
  meta: { name: "doctor", description: "Replay the event log and check every file and commit on the state ref (--repair a ref gc left on a missing commit)" },
  args: {
    repair: { type: "boolean", description: "if the ref names a missing commit, move it back to the newest one in its reflog that exists (says what is lost)" },
    ...jsonArg,
  },
  examples: ["rw doctor", "rw doctor --json", "rw doctor --repair"],
  async run({ args }) {
    const ctx = context();
    // --repair must not record mirror edits first: that is a write onto the broken ref.
    const store = await openStore(ctx, args.repair ? { sync: false } : {});
    let repair: RepairReport | undefined;
    let report: DoctorReport;
    try {
      if (args.repair) repair = await repairRef(store);
      report = await runDoctor(store);
    } finally {
      store.close();
    }
    const n = report.problems.length + report.log_problems.length + report.commit_problems.length;
    const failure = report.ok ? undefined : new RwError("corrupt", `the state ref does not match its event log or has malformed commits (${n} problem${n === 1 ? "" : "s"})`, {
      hint: report.commit_problems.length > 0
        ? "malformed commits were written by another tool or an older rw; remotes with receive.fsckObjects will refuse them"
        : "the log is the truth: find the commit that broke it with `git log rewind`, and restore that file from the previous commit",
    });
    if (args.json) {
      // One JSON document: the report says what is wrong; the error only adds the summary and hint.
      printJson(ctx, { ...report, ...(repair ? { repair } : {}), ...(failure ? { error: { code: failure.code, message: failure.message, hint: failure.hint } } : {}) });
      if (failure) {
        ctx.stderr(errorText(failure.message, failure.hint));
        ctx.exitCode = failure.exitCode;
      }
      return;
    }
    print(ctx, report, repair);
    if (failure) throw failure;
  },
});

function print(ctx: Context, r: DoctorReport, repair: RepairReport | undefined): void {
  const lines: string[] = [];
  if (repair) lines.push(repair.repaired ? paint(ctx, "yellow", `repaired: ${repair.message}`) : repair.message);
  lines.push(
    `replayed ${r.events} events into ${r.tasks} tasks; checked ${r.files_checked} files and ${r.commits_checked} commits at ${r.tip.slice(0, 10)}`,
    `index: ${r.index === "ok" ? "matches the log" : r.index === "rebuilt" ? "did not match the log: rebuilt" : "not cached for this tip: rebuilt"}`,
  );
  for (const p of r.log_problems) lines.push(paint(ctx, "red", `log: ${p}`));
  for (const p of r.commit_problems) lines.push(paint(ctx, "red", p));
  for (const p of r.problems) {
    lines.push(paint(ctx, "red", `${p.path}: ${p.problem === "differs" ? "differs from what the events render" : p.problem === "missing" ? "missing on the ref" : "on the ref but not produced by any event"}`));
    for (const d of p.diff ?? []) lines.push(`    ${d}`);
  }
  if (r.foreign.length > 0) lines.push(`foreign (not rw's, kept as they are): ${r.foreign.join(", ")}`);
  if (r.ok) lines.push(paint(ctx, "green", "ok: the ref is exactly what its event log says"));
  ctx.stdout(`${lines.join("\n")}\n`);
}
