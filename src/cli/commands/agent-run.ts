import type { AgentSessionResult } from "../../agents/session.ts";
import type { Progress, ProviderName } from "../../agents/types.ts";
import { RwError } from "../../domain/errors.ts";
import { actorArg, jsonArg, one, resolveActor } from "../args.ts";
import { withStore } from "../read.ts";
import { defineRw } from "../command.ts";
import { context, type Context } from "../context.ts";
import { paint, printJson } from "../output.ts";
import { parseRole, roleArg } from "./agent-prompt.ts";
import { PROVIDERS } from "../../agents/types.ts";
import { loadAgentConfig, promptForTask, repoRoot } from "../../agents/load.ts";
import { checkBudget, costOf, estimateTokens } from "../../domain/budget.ts";
import { priceOf } from "../../agents/config.ts";
import { runAgentSession } from "../../agents/session.ts";
import { holdAgentEdits, inMainWorktree, markAgentSession } from "../../store/mirror-agent.ts";

function progressPrinter(ctx: Context, json: boolean): (p: Progress) => void {
  let midText = false;
  const line = (text: string): void => {
    if (midText) ctx.stdout("\n");
    midText = false;
    ctx.stdout(`${text}\n`);
  };
  return (p) => {
    if (json) return ctx.stdout(`${JSON.stringify({ v: 1, progress: p })}\n`);
    if (p.type === "text") {
      ctx.stdout(paint(ctx, "dim", p.delta));
      midText = !p.delta.endsWith("\n");
    } else if (p.type === "turn") line(paint(ctx, "bold", `— turn ${p.turn} · ${p.provider} ${p.model}`));
    else if (p.type === "tool") line(`  ${p.ok ? paint(ctx, "green", "✓") : paint(ctx, "red", "✗")} ${p.tool} ${p.args}${p.result ? ` → ${p.result}` : ""}`);
    else if (p.type === "usage") line(paint(ctx, "dim", `  ${p.input_tokens} in / ${p.output_tokens} out tokens, $${p.cost_usd.toFixed(4)}`));
    else line(paint(ctx, "yellow", `  note: ${p.text}`));
  };
}

export default defineRw({
  meta: { name: "run", description: "Run one agent session on a task in the current directory (no claim, no worktree)" },
  args: {
    ...roleArg,
    task: { type: "string", description: "task ID", required: true, valueHint: "id" },
    provider: { type: "string", description: "use this provider instead of the configured one", valueHint: "name" },
    "dry-run": { type: "boolean", description: "show provider, model, budget check and prompt; call nothing" },
    ...actorArg,
    ...jsonArg,
  },
  examples: ["rw agent run --task rw-7k2f", "rw agent run --role worker --task rw-7k2f --provider fake", "rw agent run --task rw-7k2f --dry-run --json"],
  async run({ args }) {
    const ctx = context();
    const role = parseRole(args.role);
    const provider = one(args.provider);
    if (provider !== undefined && !(PROVIDERS as readonly string[]).includes(provider)) throw new RwError("usage", `unknown provider ${JSON.stringify(provider)}`, { hint: `one of ${PROVIDERS.join(", ")}` });
    await withStore(ctx, async (store) => {
      const cfg = loadAgentConfig(store, provider ? { provider: provider as ProviderName, role } : {});
      const prompt = await promptForTask(store, role, args.task);
      const rc = cfg.roles[role];
      if (args["dry-run"]) {
        const est = estimateTokens(prompt.length + 4000);
        const projected = costOf(priceOf(cfg, rc.model), est, rc.max_tokens);
        const blocked = checkBudget((await store.snapshot()).state.spend, cfg.budgets, { role, task: args.task, projected_usd: projected });
        const info = { role, task: args.task, provider: rc.provider, model: rc.model, fallback: rc.fallback ? `${rc.fallback.provider} ${rc.fallback.model}` : null, max_turns: rc.max_turns, estimated_input_tokens: est, projected_usd: projected, budget_blocked: blocked, prompt };
        if (args.json) return printJson(ctx, info);
        ctx.stdout(`dry run: ${role} on ${args.task} with ${rc.provider} ${rc.model}${info.fallback ? ` (fallback ${info.fallback})` : ""}, up to ${rc.max_turns} turns\nfirst call: ~${est} input tokens, at most $${projected.toFixed(4)}${blocked ? `; BLOCKED by the ${blocked.scope} budget ($${blocked.limit_usd})` : ""}\n\n${prompt}\n`);
        return;
      }
      const actor = await resolveActor(store, args.actor);
      const controller = new AbortController();
      const onSigint = (): void => controller.abort();
      process.once("SIGINT", onSigint);
      let res: AgentSessionResult;
      const session = `as-${store.nextEventId(ctx.now().toISOString())}`;
      // In the main work tree the agent can reach .rewind/: the mirror holds its edits (mirror-agent.ts).
      const unmark = markAgentSession(store.repo, session, ctx.cwd, ctx.now().toISOString());
      try {
        res = await runAgentSession({
          role, task: args.task, prompt, worktree: ctx.cwd, config: cfg, store, actor, env: ctx.env, root: repoRoot(store),
          session, signal: controller.signal, onProgress: progressPrinter(ctx, Boolean(args.json)), now: () => ctx.now().getTime(),
        });
      } finally {
        process.removeListener("SIGINT", onSigint);
        // Still marked: whatever the agent changed in .rewind/ is held now, not recorded later as the human.
        if (inMainWorktree(store.repo, ctx.cwd)) await holdAgentEdits(store, actor).catch(() => undefined);
        unmark();
      }
      const { transcript: _t, ...summary } = res;
      if (args.json) printJson(ctx, { result: summary });
      else ctx.stdout(`\n${res.finished ? paint(ctx, "green", "finished") : paint(ctx, "red", `stopped (${res.stop_reason})`)}: ${res.summary}${res.error ? `\n  error: ${res.error}` : ""}\n${res.turns} turns, ${res.usage.input_tokens} in / ${res.usage.output_tokens} out tokens, $${res.usage.cost_usd.toFixed(4)} (${res.provider} ${res.model})\n`);
      // An unfinished session is a failure for scripts, but the result above is the message.
      if (!res.finished) ctx.exitCode = 1;
    });
  },
});
