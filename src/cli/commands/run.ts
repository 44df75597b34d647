import { hostname } from "node:os";
import { RwError } from "../../domain/errors.ts";
import { loadAgentConfig, repoRoot } from "../../agents/load.ts";
import { agentSecretOptions } from "../../agents/secret-env.ts";
import { createAgentExecutor } from "../../orchestrator/agent-executor.ts";
import { checkTaskOption, planRun } from "../../orchestrator/dry-run.ts";
import { runLoop } from "../../orchestrator/loop.ts";
import { preflight, preflightError, type Preflight } from "../../orchestrator/preflight.ts";
import type { Context } from "../context.ts";
import { int, jsonArg, one } from "../args.ts";
import { withStore } from "../read.ts";
import { defineRw } from "../command.ts";
import { context } from "../context.ts";
import { paint, printJson } from "../output.ts";
import { progressPrinter } from "../progress.ts";

// The dashboard loads only with --tui.
const tuiModule = () => import("../../tui/run-tui.ts");

/** Short host name: worker names are `rw-worker-<n>@<host>`, and a rerun on this host resumes them. */
const shortHost = (): string => (hostname().split(".")[0] ?? "host").replace(/[^A-Za-z0-9_-]/g, "-") || "host";

function preflightLines(ctx: Context, p: Preflight): string[] {
  const lines = ["preflight:"];
  for (const l of p.checks) lines.push(`  ${l.ok ? paint(ctx, "green", "ok  ") : paint(ctx, "red", "FAIL")}  ${l.role}${l.which === "fallback" ? " (fallback)" : ""}: ${l.provider} ${l.model} — ${l.detail}`);
  if (p.integration !== undefined && !p.problems.some((x) => x.what.startsWith("integration"))) lines.push(`  ${paint(ctx, "green", "ok  ")}  integration branch ${p.integration}: exists, checkout clean`);
  return lines;
}

export default defineRw({
  meta: { name: "run", description: "Work ready tasks with agents: worktree, gates, verifier, merge" },
  args: {
    parallel: { type: "string", alias: "j", description: "number of workers (default 1)", valueHint: "N" },
    task: { type: "string", description: "work only this task", valueHint: "ID" },
    initiative: { type: "string", description: "work only tasks of this initiative", valueHint: "ID" },
    "max-tasks": { type: "string", description: "take at most K tasks (retries of a taken task do not count)", valueHint: "K" },
    "dry-run": { type: "boolean", description: "print the preflight checks and what would run; claim and change nothing" },
    review: { type: "boolean", description: "stop tasks that passed gates and the verifier for `rw review` (execution.review = \"human\")" },
    tui: { type: "boolean", description: "full-screen dashboard: workers, ready queue, progress, live agent output (keys: j/k, enter, p, q)" },
    ...jsonArg,
  },
  examples: ["rw run", "rw run --parallel 4", "rw run --review", "rw run --task rw-7k2f", "rw run --initiative in-3m8d --max-tasks 5", "rw run --dry-run", "rw run --parallel 3 --tui", "rw run --json > run.jsonl"],
  async run({ args }) {
    const ctx = context();
    const parallel = int(args.parallel, "--parallel") ?? 1;
    if (parallel < 1 || parallel > 64) throw new RwError("usage", "--parallel must be between 1 and 64");
    const maxTasks = int(args["max-tasks"], "--max-tasks");
    if (maxTasks !== undefined && maxTasks < 1) throw new RwError("usage", "--max-tasks must be at least 1");
    const task = one(args.task);
    const initiative = one(args.initiative);
    const filters = { ...(task ? { task } : {}), ...(initiative ? { initiative } : {}), ...(maxTasks !== undefined ? { maxTasks } : {}) };
    const host = shortHost();
    await withStore(ctx, async (store) => {
      const now = ctx.now().toISOString();
      if (task) checkTaskOption((await store.snapshot()).state, task, now, host);
      const agentConfig = loadAgentConfig(store);
      // Before anything is claimed: every provider the run uses answers, the integration branch is clean.
      const checks = await preflight(store, agentConfig, ctx.env, repoRoot(store) ?? ctx.cwd, { ...(task ? { task } : {}), ...(initiative ? { initiative } : {}) });
      if (args["dry-run"]) {
        if (!checks.ok) {
          ctx.exitCode = 1;
          if (args.json) return printJson(ctx, { dry_run: true, preflight: checks });
          return ctx.stdout(`${preflightLines(ctx, checks).join("\n")}\n${preflightError(checks).message}\n`);
        }
        const plan = await planRun(store, { parallel, ...filters, host, now, env: ctx.env });
        if (args.json) return printJson(ctx, { dry_run: true, preflight: checks, ...plan });
        const lines = [...preflightLines(ctx, checks), `would run ${plan.resume.length + plan.ready.length} task(s) now with ${parallel} worker(s), merging into ${plan.integration}`, `worktrees under ${plan.worktree_root}`];
        for (const t of plan.resume) lines.push(`  resume  ${t.id}  P${t.priority}  ${t.title}  (held by ${t.resume_by})`);
        for (const t of plan.ready) lines.push(`  run     ${t.id}  P${t.priority}  ${t.title}${t.gates.length ? `  gates: ${t.gates.join(" && ")}` : ""}`);
        if (plan.resume.length + plan.ready.length === 0) lines.push("  nothing is ready (`rw ready --explain` says why)");
        lines.push("then whatever those unblock, until nothing is ready.");
        return ctx.stdout(`${lines.join("\n")}\n`);
      }
      if (!checks.ok) throw preflightError(checks);
      const executor = await createAgentExecutor(store, ctx.env);
      const secrets = agentSecretOptions(agentConfig);
      const stop = new AbortController();
      const onSignal = (sig: string): void => {
        ctx.stderr(`\nrw run: ${sig}: stopping workers (nothing is merged half-way); press Ctrl-C again to quit at once\n`);
        stop.abort();
        process.removeListener("SIGINT", onInt);
        process.removeListener("SIGTERM", onTerm);
      };
      const onInt = (): void => onSignal("SIGINT");
      const onTerm = (): void => onSignal("SIGTERM");
      process.on("SIGINT", onInt);
      process.on("SIGTERM", onTerm);
      // --tui needs a real terminal: off one (or with TERM=dumb) the plain lines are printed instead.
      const dashboard = args.tui && !args.json && ctx.isTTY && process.stdin.isTTY && ctx.env.TERM !== "dumb"
        ? (await tuiModule()).startRunDashboard({ io: { stdin: process.stdin, stdout: process.stdout }, store, parallel, color: ctx.color, now: () => ctx.now().getTime(), onStop: () => stop.abort() })
        : undefined;
      const printer = dashboard ?? progressPrinter(ctx, args.json ? "json" : ctx.isTTY ? "tty" : "plain");
      try {
        const summary = await runLoop({
          store, executor, parallel, ...filters, env: ctx.env, secrets, ...(args.review ? { review: true } : {}), clock: () => ctx.now().getTime(), host, pid: process.pid, signal: stop.signal, emit: printer.emit,
          ...(dashboard ? { holdClaims: dashboard.holdClaims } : {}),
        });
        if (summary.interrupted) ctx.exitCode = 130;
        else if (summary.failed.length + summary.blocked.length > 0) {
          // Honest exit: 0 only when every task this run took was done (or waits for review).
          ctx.exitCode = 1;
          const state = (await store.snapshot()).state;
          const why = (id: string): string => `${id}${state.tasks[id]?.blocked_reason ? ` (${state.tasks[id].blocked_reason.slice(0, 160)})` : ""}`;
          const parts = [summary.blocked.length ? `blocked: ${summary.blocked.map(why).join(", ")}` : "", summary.failed.length ? `not finished: ${summary.failed.join(", ")}` : ""].filter(Boolean);
          if (!args.json) ctx.stderr(`rw run: not every task it took is done; ${parts.join("; ")}\n`);
        }
        else if (!args.json && summary.completed.length + summary.failed.length + summary.blocked.length === 0) ctx.stdout(`${paint(ctx, "dim", "nothing was ready (`rw ready --explain` says why)")}\n`);
      } finally {
        printer.close();
        process.removeListener("SIGINT", onInt);
        process.removeListener("SIGTERM", onTerm);
      }
    });
  },
});
