import { estimateTokens, type BudgetBlock } from "../domain/budget.ts";
import type { CallUsage, ToolCallRecord } from "../domain/decide-agent.ts";
import type { Actor, Store } from "../store/store.ts";
import type { AgentConfig } from "./config.ts";
import { ProviderCaller } from "./fallback.ts";
import { SessionRecorder } from "./recorder.ts";
import { secretValues } from "./redact.ts";
import { agentSecretOptions } from "./secret-env.ts";
import { executeTool, openSandbox, TOOL_SPECS, type ToolContext } from "./tools/index.ts";
import { ProviderError, type Message, type Progress, type Role, type ToolResult, type TranscriptEntry } from "./types.ts";

export interface AgentSessionOptions {
  role: Role;
  /** The task worked on: scopes events and the task budget. */
  task?: string | undefined;
  /** The rendered prompt (see renderPrompt). */
  prompt: string;
  /** The directory the agent is confined to (a worktree, or the current directory for `rw agent run`). */
  worktree: string;
  config: AgentConfig;
  /** Where events go; without one nothing is written (library use, tests). */
  store?: Store | undefined;
  actor: Actor;
  env: Record<string, string | undefined>;
  /** Repository root, for files named in config (fake scripts). Default: the worktree. */
  root?: string | undefined;
  /** Session ID written into every event (the orchestrator passes its own). */
  session: string;
  signal?: AbortSignal | undefined;
  onProgress?: ((p: Progress) => void) | undefined;
  /** The clock, for the time limit. */
  now?: (() => number) | undefined;
}

export type StopReason = "finished" | "unfinished" | "max_turns" | "timeout" | "budget" | "aborted" | "provider_error";

export interface AgentSessionResult {
  session: string;
  /** True only when the agent explicitly finished (the finish tool, or a CLI agent's RW-FINISH line). */
  finished: boolean;
  summary: string;
  stop_reason: StopReason;
  error?: string | undefined;
  budget?: BudgetBlock | undefined;
  usage: { input_tokens: number; output_tokens: number; cost_usd: number };
  turns: number;
  transcript: TranscriptEntry[];
  provider: string;
  model: string;
}

const NUDGE = "You did not call a tool. Keep working on the task with the tools. When the task is complete, call finish with a summary; that is the only way to end the session.";

export function systemPrompt(role: Role, worktree: string): string {
  return [
    `You are the ${role} agent of rw, working in the directory ${worktree} (a git worktree).`,
    "Use the tools to read, change and test files; paths are relative to that directory and cannot leave it.",
    "run_command runs one allow-listed command without a shell.",
    "The session ends only when you call the finish tool with a summary of what you did.",
  ].join("\n");
}

/** Appended to the prompt of CLI agents, which have no finish tool: their last line says they are done. */
export const CLI_FINISH_RULE = "\n\nWhen you have completed the task, end your final message with one line of the form:\nRW-FINISH: <one-line summary of what you did>\nWithout that line the work counts as unfinished.";

/**
 * Runs one agent session to its end: an explicit finish, or the turn, time or budget limit, an
 * abort, or a provider failure that the fallback could not cover. Never ends because the model
 * stopped talking.
 */
export async function runAgentSession(opts: AgentSessionOptions): Promise<AgentSessionResult> {
  const cfg = opts.config.roles[opts.role];
  const now = opts.now ?? Date.now;
  const started = now();
  const recorder = new SessionRecorder({ store: opts.store, actor: opts.actor, session: opts.session, role: opts.role, task: opts.task, config: opts.config });
  const caller = new ProviderCaller(cfg, { root: opts.root ?? opts.worktree, env: opts.env, passEnv: opts.config.tools.pass_env }, opts.onProgress);
  const transcript: TranscriptEntry[] = [];
  const controller = new AbortController();
  const onAbort = (): void => controller.abort();
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  const timer = setTimeout(() => controller.abort(), cfg.timeout_ms);
  const result = (stop: StopReason, turns: number, summary: string, extra: Partial<AgentSessionResult> = {}): AgentSessionResult => ({
    session: opts.session, finished: stop === "finished", summary, stop_reason: stop, usage: { ...recorder.totals }, turns, transcript,
    provider: caller.active.provider, model: caller.active.model, ...extra,
  });
  const stopReason = (): StopReason => (opts.signal?.aborted ? "aborted" : "timeout");
  try {
    const primary = await caller.primary().catch((err: unknown) => {
      if (err instanceof ProviderError) return err;
      throw err;
    });
    if (primary instanceof ProviderError) return result("provider_error", 0, "stopped: provider error", { error: `${primary.provider}: ${primary.message}` });
    if (primary.kind === "cli") return await runCli(opts, caller, recorder, transcript, controller.signal, result, stopReason);
    const sandbox = await openSandbox(opts.worktree);
    const toolCtx: ToolContext = {
      sandbox, secrets: secretValues(opts.env), signal: controller.signal,
      limits: { allow: opts.config.tools.allow_commands, timeout_ms: opts.config.tools.command_timeout_ms, output_cap: opts.config.tools.output_cap, env: opts.env, secrets: agentSecretOptions(opts.config) },
    };
    const system = systemPrompt(opts.role, sandbox.root);
    const messages: Message[] = [{ role: "user", content: opts.prompt }];
    transcript.push({ type: "text", role: "user", text: opts.prompt });
    const toolChars = JSON.stringify(TOOL_SPECS).length;
    for (let turn = 1; turn <= cfg.max_turns; turn++) {
      if (controller.signal.aborted || now() - started > cfg.timeout_ms) return result(stopReason(), turn - 1, "stopped before finishing");
      const settings = caller.active;
      const estimate = estimateTokens(system.length + JSON.stringify(messages).length + toolChars);
      const blocked = await recorder.gate(settings.model, estimate, settings.max_tokens);
      if (blocked) return result("budget", turn - 1, `budget: ${blocked.scope} limit $${blocked.limit_usd} would be exceeded`, { budget: blocked });
      opts.onProgress?.({ type: "turn", turn, provider: settings.provider, model: settings.model });
      const call = await caller.chat({ system, messages, tools: TOOL_SPECS, signal: controller.signal, onText: (delta) => opts.onProgress?.({ type: "text", delta }) });
      if ("error" in call) {
        await recorder.record(turn, undefined, []);
        return result(controller.signal.aborted ? stopReason() : "provider_error", turn - 1, "stopped: provider error", { error: call.error });
      }
      const res = call.response;
      const usage = recorder.usage(call.settings, res.usage);
      opts.onProgress?.(usageProgress(usage));
      if (res.text) transcript.push({ type: "text", role: "assistant", text: res.text });
      messages.push({ role: "assistant", content: res.text, tool_calls: res.tool_calls });
      const records: ToolCallRecord[] = [];
      const results: ToolResult[] = [];
      let finished: string | undefined;
      for (const tc of res.tool_calls) {
        if (finished !== undefined) {
          results.push({ id: tc.id, name: tc.name, content: "skipped: the session already finished", is_error: true });
          continue;
        }
        const out = await executeTool(tc, toolCtx);
        records.push(out.record);
        results.push({ id: tc.id, name: tc.name, content: out.content, is_error: out.is_error });
        transcript.push({ type: "tool", ...out.record });
        opts.onProgress?.({ type: "tool", ...out.record });
        if (out.finished !== undefined) finished = out.finished;
      }
      await recorder.record(turn, usage, records);
      if (finished !== undefined) return result("finished", turn, finished);
      if (results.length > 0) messages.push({ role: "tool", results });
      else messages.push({ role: "user", content: NUDGE });
    }
    return result("max_turns", cfg.max_turns, `stopped after ${cfg.max_turns} turns without finishing`);
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener("abort", onAbort);
  }
}

const usageProgress = (u: CallUsage): Progress => ({ type: "usage", input_tokens: u.input_tokens, output_tokens: u.output_tokens, cost_usd: u.cost_usd });

type MakeResult = (stop: StopReason, turns: number, summary: string, extra?: Partial<AgentSessionResult>) => AgentSessionResult;

/** A CLI agent runs the whole session itself; rw checks the budget first and records what it reports. */
async function runCli(opts: AgentSessionOptions, caller: ProviderCaller, recorder: SessionRecorder, transcript: TranscriptEntry[], signal: AbortSignal, result: MakeResult, stopReason: () => StopReason): Promise<AgentSessionResult> {
  const prompt = opts.prompt + CLI_FINISH_RULE;
  const settings = caller.active;
  const blocked = await recorder.gate(settings.model, estimateTokens(prompt.length), settings.max_tokens);
  if (blocked) return result("budget", 0, `budget: ${blocked.scope} limit $${blocked.limit_usd} would be exceeded`, { budget: blocked });
  opts.onProgress?.({ type: "turn", turn: 1, provider: settings.provider, model: settings.model });
  const cfg = opts.config.roles[opts.role];
  const run = await caller.run({ prompt, cwd: opts.worktree, env: opts.env, signal, timeout_ms: cfg.timeout_ms, onProgress: opts.onProgress });
  if ("error" in run) return result(signal.aborted ? stopReason() : "provider_error", 0, "stopped: provider error", { error: run.error });
  const r = run.response;
  transcript.push(...r.transcript);
  const usage = recorder.usage(run.settings, r.usage);
  opts.onProgress?.(usageProgress(usage));
  const tools = r.transcript.flatMap((t) => (t.type === "tool" ? [{ tool: t.tool, args: t.args, result: t.result, ok: t.ok }] : [])).slice(0, 200);
  await recorder.record(1, usage, tools);
  if (signal.aborted) return result(stopReason(), r.turns, r.summary);
  return result(r.finished ? "finished" : "unfinished", r.turns, r.summary, r.exit_code ? { error: `exit code ${r.exit_code}` } : {});
}
