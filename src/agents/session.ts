import { estimateTokens, type BudgetBlock } from "../domain/budget.ts";
import type { CallUsage, ToolCallRecord } from "../domain/decide-agent.ts";
import type { Actor, Store } from "../store/store.ts";
import type { AgentConfig } from "./config.ts";
import { accountChoice } from "./accounts.ts";
import { ProviderCaller } from "./fallback.ts";
import { SessionRecorder } from "./recorder.ts";
import { agentSecrets, redact, redactingProgress } from "./redact.ts";
import { redactDeep } from "../format/secrets.ts";
import { agentSecretOptions } from "./secret-env.ts";
import { executeTool, openSandbox, TOOL_SPECS, type ToolContext, type ToolOutcome } from "./tools/index.ts";
import { ProviderError, type Message, type Progress, type Role, type ToolResult, type ToolSpec, type TranscriptEntry, type ToolCall } from "./types.ts";

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
  /** The tools this role may call (default: every tool). The architect gets the read-only ones. */
  tools?: readonly string[] | undefined;
  /**
   * Replaces `finish`: the session ends when the model calls this tool with an input `accept`
   * takes (it returns the problem otherwise, sent back to the model); the input is `answer`.
   */
  answer?: { spec: ToolSpec; accept(input: Record<string, unknown>): string | undefined } | undefined;
}

export type StopReason = "finished" | "unfinished" | "max_turns" | "timeout" | "budget" | "aborted" | "provider_error" | "refusal";

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
  /** The answer tool's accepted input, when the session was given one. */
  answer?: Record<string, unknown> | undefined;
}

/** What the model reads when its output hit max_tokens inside a tool call (the call was not run). */
export const CUT_TOOL_CALL = (max: number): string =>
  `Your output was cut off at the max_tokens limit (${max} tokens) while you were writing this tool call, so it was NOT run. Write less per call: split a large file into several smaller write_file/edit_file calls, then continue.`;
/** What the model reads when its tool arguments were not valid JSON (the call was not run). */
export function invalidJsonMessage(tool: string, raw: string): string {
  let why = "";
  try {
    JSON.parse(raw);
  } catch (err) {
    why = ` (${(err as Error).message})`;
  }
  return `The arguments of your ${tool} call were not valid JSON${why}, so it was NOT run. Send the call again with valid JSON arguments.`;
}
const CUT_TEXT = "Your output was cut off at the max_tokens limit. Continue with smaller steps; use the tools, and call finish when the task is complete.";

const NUDGE = "You did not call a tool. Keep working on the task with the tools. When the task is complete, call finish with a summary; that is the only way to end the session.";

export function systemPrompt(role: Role, worktree: string, finishTool = "finish", readOnly = false): string {
  return [
    `You are the ${role} agent of rw, working in the directory ${worktree} (a git worktree).`,
    readOnly
      ? "Use the tools to read, list and search files; paths are relative to that directory and cannot leave it. You cannot change files."
      : "Use the tools to read, change and test files; paths are relative to that directory and cannot leave it.",
    ...(readOnly ? [] : ["run_command runs one allow-listed command without a shell."]),
    finishTool === "finish"
      ? "The session ends only when you call the finish tool with a summary of what you did."
      : `The session ends only when you call the ${finishTool} tool with your answer.`,
  ].join("\n");
}

/** Appended to the prompt of CLI agents, which have no finish tool: their last line says they are done. */
export const CLI_FINISH_RULE = "\n\nWhen you have completed the task, end your final message with one line of the form:\nRW-FINISH: <one-line summary of what you did>\nWithout that line the work counts as unfinished.";

/**
 * Runs one agent session to its end: an explicit finish, or the turn, time or budget limit, an
 * abort, or a provider failure that the fallback could not cover. Never ends because the model
 * stopped talking.
 */
export async function runAgentSession(input: AgentSessionOptions): Promise<AgentSessionResult> {
  // Everything the agent starts (tool commands, a CLI agent and what it runs) knows it is an
  // agent: rw commands run with it do not record mirror edits as the human (cli/presync.ts).
  // Whatever the provider or the model echoes (a key in its text, an error body) is redacted
  // before anyone sees it: progress as it streams, the result's summary, error and transcript.
  const secrets = agentSecrets(input.config, input.env);
  const progress = redactingProgress(input.onProgress, secrets);
  const opts: AgentSessionOptions = { ...input, env: { ...input.env, RW_AGENT_SESSION: input.session }, onProgress: progress.emit };
  const cfg = opts.config.roles[opts.role];
  const now = opts.now ?? Date.now;
  const started = now();
  const recorder = new SessionRecorder({ store: opts.store, actor: opts.actor, session: opts.session, role: opts.role, task: opts.task, config: opts.config });
  const caller = new ProviderCaller(cfg, { root: opts.root ?? opts.worktree, env: opts.env, passEnv: opts.config.tools.pass_env }, opts.onProgress);
  const transcript: TranscriptEntry[] = [];
  let partialTurn = 1;
  caller.accounts = accountChoice(opts.config, opts.store);
  caller.onPartial = async (settings, partial, account) => {
    // A failed attempt's tokens were paid for and its tool calls happened: record them before a fallback.
    transcript.push(...partial.transcript);
    const tools = partial.transcript.flatMap((t) => (t.type === "tool" ? [{ tool: t.tool, args: t.args, result: t.result, ok: t.ok }] : [])).slice(0, 200);
    await recorder.record(partialTurn, recorder.usage(settings, partial.usage, account), tools);
  };
  const controller = new AbortController();
  const onAbort = (): void => controller.abort();
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  const timer = setTimeout(() => controller.abort(), cfg.timeout_ms);
  const result = (stop: StopReason, turns: number, summary: string, extra: Partial<AgentSessionResult> = {}): AgentSessionResult => redactDeep({
    session: opts.session, finished: stop === "finished", summary: redact(summary, secrets), stop_reason: stop, usage: { ...recorder.totals }, turns, transcript,
    provider: caller.active.provider, model: caller.active.model, ...extra, ...(extra.error ? { error: redact(extra.error, secrets) } : {}),
  }, secrets);
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
      sandbox, secrets, signal: controller.signal, searchTimeMs: opts.config.tools.search_timeout_ms,
      limits: { allow: opts.config.tools.allow_commands, timeout_ms: opts.config.tools.command_timeout_ms, output_cap: opts.config.tools.output_cap, env: opts.env, secrets: agentSecretOptions(opts.config) },
    };
    const system = systemPrompt(opts.role, sandbox.root, opts.answer?.spec.name, opts.tools !== undefined && !opts.tools.some((t) => t === "write_file" || t === "edit_file" || t === "run_command"));
    const messages: Message[] = [{ role: "user", content: opts.prompt }];
    transcript.push({ type: "text", role: "user", text: opts.prompt });
    const specs = sessionTools(opts);
    const toolChars = JSON.stringify(specs).length;
    for (let turn = 1; turn <= cfg.max_turns; turn++) {
      if (controller.signal.aborted || now() - started > cfg.timeout_ms) return result(stopReason(), turn - 1, "stopped before finishing");
      const settings = caller.active;
      const estimate = estimateTokens(system.length + JSON.stringify(messages).length + toolChars);
      const blocked = await recorder.gate(settings.model, estimate, settings.max_tokens);
      if (blocked) return result("budget", turn - 1, `budget: ${blocked.scope} limit $${blocked.limit_usd} would be exceeded`, { budget: blocked });
      opts.onProgress?.({ type: "turn", turn, provider: settings.provider, model: settings.model });
      partialTurn = turn;
      const call = await caller.chat({
        system, messages, tools: specs, signal: controller.signal, onText: (delta) => opts.onProgress?.({ type: "text", delta }),
        onRetry: (n, err) => opts.onProgress?.({ type: "note", text: `turn ${turn} failed mid-stream (${err.message}); retry ${n}` }),
      });
      if ("error" in call) {
        await recorder.record(turn, undefined, []);
        return result(controller.signal.aborted ? stopReason() : "provider_error", turn - 1, "stopped: provider error", { error: call.error });
      }
      const res = call.response;
      const usage = recorder.usage(call.settings, res.usage);
      opts.onProgress?.(usageProgress(usage));
      if (res.text) transcript.push({ type: "text", role: "assistant", text: res.text });
      if (res.stop_reason === "refusal") {
        await recorder.record(turn, usage, []);
        const why = res.text.trim() ? `: ${res.text.trim().slice(0, 300)}` : "";
        return result("refusal", turn, `the model refused the task${why}`, { error: `refusal${why}` });
      }
      messages.push({ role: "assistant", content: res.text, tool_calls: res.tool_calls });
      // max_tokens inside a tool call: the last call's input is cut short; running it would
      // write a truncated file. The complete calls before it run as usual.
      const cut = res.stop_reason === "max_tokens" && res.tool_calls.length > 0 ? res.tool_calls[res.tool_calls.length - 1] : undefined;
      const records: ToolCallRecord[] = [];
      const results: ToolResult[] = [];
      let finished: string | undefined;
      let answer: Record<string, unknown> | undefined;
      for (const tc of res.tool_calls) {
        if (finished !== undefined) {
          results.push({ id: tc.id, name: tc.name, content: "skipped: the session already finished", is_error: true });
          continue;
        }
        if (typeof tc.input.__invalid_json === "string") {
          results.push({ id: tc.id, name: tc.name, content: invalidJsonMessage(tc.name, tc.input.__invalid_json), is_error: true });
          transcript.push({ type: "note", text: `${tc.name} call with invalid JSON arguments; not run` });
          continue;
        }
        if (tc === cut) {
          const note = CUT_TOOL_CALL(settings.max_tokens);
          results.push({ id: tc.id, name: tc.name, content: note, is_error: true });
          transcript.push({ type: "note", text: `${tc.name} call cut at max_tokens; not run` });
          continue;
        }
        const out = await runTool(tc, toolCtx, opts, specs);
        if (out.answer) answer = out.answer;
        records.push(out.record);
        results.push({ id: tc.id, name: tc.name, content: out.content, is_error: out.is_error });
        transcript.push({ type: "tool", ...out.record });
        opts.onProgress?.({ type: "tool", ...out.record });
        if (out.finished !== undefined) finished = out.finished;
      }
      await recorder.record(turn, usage, records);
      if (finished !== undefined) return result("finished", turn, finished, answer ? { answer } : {});
      if (results.length > 0) messages.push({ role: "tool", results });
      // pause_turn: the server paused a long turn; sending the conversation back as it is lets it go on.
      else if (res.stop_reason === "pause_turn") continue;
      else messages.push({ role: "user", content: res.stop_reason === "max_tokens" ? CUT_TEXT : NUDGE });
    }
    return result("max_turns", cfg.max_turns, `stopped after ${cfg.max_turns} turns without finishing`);
  } finally {
    progress.flush();
    clearTimeout(timer);
    opts.signal?.removeEventListener("abort", onAbort);
  }
}

/** The tool specs a session offers: the role's subset, with the answer tool in place of finish when given. */
function sessionTools(opts: AgentSessionOptions): ToolSpec[] {
  const allowed = opts.tools ? new Set(opts.tools) : undefined;
  const specs = TOOL_SPECS.filter((t) => t.name === "finish" ? !opts.answer : !allowed || allowed.has(t.name));
  return opts.answer ? [...specs, opts.answer.spec] : specs;
}

/** One tool call within the role's limits: tools outside its set are refused, the answer tool is checked. */
async function runTool(tc: ToolCall, ctx: ToolContext, opts: AgentSessionOptions, specs: readonly ToolSpec[]): Promise<ToolOutcome & { answer?: Record<string, unknown> }> {
  const record = (result: string, ok: boolean): ToolOutcome["record"] => ({ tool: tc.name, args: "", result, ok });
  if (opts.answer && tc.name === opts.answer.spec.name) {
    const problem = opts.answer.accept(tc.input);
    if (problem !== undefined) return { content: `invalid answer: ${problem}\nCall ${tc.name} again with a corrected answer.`, is_error: true, record: record(`invalid: ${problem.slice(0, 120)}`, false) };
    return { content: "answer received", is_error: false, record: record("answer received", true), finished: "answered", answer: tc.input };
  }
  if (!specs.some((s) => s.name === tc.name)) {
    const text = `error: the ${opts.role} may not use ${tc.name}; available: ${specs.map((s) => s.name).join(", ")}`;
    return { content: text, is_error: true, record: record(text, false) };
  }
  return executeTool(tc, ctx);
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
  const usage = recorder.usage(run.settings, r.usage, caller.account);
  opts.onProgress?.(usageProgress(usage));
  const tools = r.transcript.flatMap((t) => (t.type === "tool" ? [{ tool: t.tool, args: t.args, result: t.result, ok: t.ok }] : [])).slice(0, 200);
  await recorder.record(1, usage, tools);
  if (signal.aborted) return result(stopReason(), r.turns, r.summary);
  const error = r.reason ?? (r.exit_code ? `exit code ${r.exit_code}` : undefined);
  return result(r.finished ? "finished" : "unfinished", r.turns, r.summary, error ? { error } : {});
}
