import { z } from "zod";
import { estimateTokens } from "../domain/budget.ts";
import { RwError } from "../domain/errors.ts";
import type { Actor, Store } from "../store/store.ts";
import type { AgentConfig } from "./config.ts";
import { ProviderCaller } from "./fallback.ts";
import { SessionRecorder } from "./recorder.ts";
import type { JsonSchema, Message, Role } from "./types.ts";

export interface StructuredOptions<T> {
  role: Role;
  prompt: string;
  /** A zod schema (validated and typed) or a plain JSON Schema object. */
  schema: z.ZodType<T> | JsonSchema;
  /** Name of the answer tool the model must call (default "respond"). */
  name?: string | undefined;
  config: AgentConfig;
  store?: Store | undefined;
  actor: Actor;
  env: Record<string, string | undefined>;
  root: string;
  session: string;
  task?: string | undefined;
  signal?: AbortSignal | undefined;
  /** Attempts when the answer does not validate (the errors are sent back to the model). */
  attempts?: number | undefined;
}

export interface StructuredResult<T> {
  value: T;
  usage: { input_tokens: number; output_tokens: number; cost_usd: number };
  provider: string;
  model: string;
}

const isZod = (s: unknown): s is z.ZodType => typeof (s as { safeParse?: unknown }).safeParse === "function";

/** The first JSON object in a CLI agent's text answer (it may wrap it in prose or a code fence). */
function extractJson(text: string): unknown {
  const fenced = /```(?:json)?\s*\n([\s\S]*?)```/.exec(text);
  const candidate = fenced?.[1] ?? text.slice(text.indexOf("{"), text.lastIndexOf("}") + 1);
  return JSON.parse(candidate) as unknown;
}

/**
 * Asks a role for a value of a given shape (a plan, a verdict). Chat providers must call one
 * tool whose input schema is the requested schema; CLI agents answer with JSON text. The answer
 * is validated; on failure the errors go back to the model, up to `attempts` times. Budgets are
 * checked before every call and usage is recorded like a session's.
 */
export async function generateStructured<T>(opts: StructuredOptions<T>): Promise<StructuredResult<T>> {
  const zodSchema: z.ZodType = isZod(opts.schema) ? opts.schema : z.fromJSONSchema(opts.schema);
  const jsonSchema = isZod(opts.schema) ? (z.toJSONSchema(opts.schema) as JsonSchema) : opts.schema;
  const name = opts.name ?? "respond";
  const recorder = new SessionRecorder({ store: opts.store, actor: opts.actor, session: opts.session, role: opts.role, task: opts.task, config: opts.config });
  const caller = new ProviderCaller(opts.config.roles[opts.role], { root: opts.root, env: opts.env, passEnv: opts.config.tools.pass_env });
  const cli = (await caller.primary()).kind === "cli";
  const attempts = opts.attempts ?? 3;
  const system = `You are the ${opts.role} agent of rw. Answer by calling the ${name} tool exactly once with the requested structure.`;
  const prompt = cli ? `${opts.prompt}\n\nAnswer with only one JSON object that matches this JSON Schema:\n${JSON.stringify(jsonSchema)}` : opts.prompt;
  const messages: Message[] = [{ role: "user", content: prompt }];
  let lastError = "";
  for (let turn = 1; turn <= attempts; turn++) {
    const s = caller.active;
    const blocked = await recorder.gate(s.model, estimateTokens(system.length + JSON.stringify(messages).length + JSON.stringify(jsonSchema).length), s.max_tokens);
    if (blocked) throw new RwError("invalid_input", `budget: the ${blocked.scope} limit of $${blocked.limit_usd} would be exceeded (spent $${blocked.spent_usd.toFixed(4)})`, { hint: "raise [budgets] in .rewind/config.toml or wait", data: { ...blocked } });
    let candidate: unknown;
    if (cli) {
      const run = await caller.run({ prompt, cwd: opts.root, env: opts.env, signal: opts.signal, timeout_ms: opts.config.roles[opts.role].timeout_ms });
      if ("error" in run) throw new RwError("invalid_input", `the ${opts.role} provider failed: ${run.error}`);
      const r = run.response;
      await recorder.record(turn, recorder.usage(run.settings, r.usage), []);
      const text = r.transcript.filter((t) => t.type === "text" && t.role === "assistant").map((t) => (t as { text: string }).text).join("\n");
      try {
        candidate = extractJson(text || r.summary);
      } catch {
        lastError = "the answer contained no JSON object";
        continue;
      }
    } else {
      const call = await caller.chat({ system, messages, tools: [{ name, description: "Give your answer with this structure.", input_schema: jsonSchema }], tool_choice: { name }, signal: opts.signal });
      if ("error" in call) throw new RwError("invalid_input", `the ${opts.role} provider failed: ${call.error}`);
      const res = call.response;
      await recorder.record(turn, recorder.usage(call.settings, res.usage), []);
      const tc = res.tool_calls.find((c) => c.name === name);
      messages.push({ role: "assistant", content: res.text, tool_calls: res.tool_calls });
      if (!tc) {
        lastError = `no ${name} tool call`;
        messages.push({ role: "user", content: `Call the ${name} tool with your answer.` });
        continue;
      }
      candidate = tc.input;
      const check = zodSchema.safeParse(candidate);
      if (!check.success) {
        lastError = z.prettifyError(check.error);
        messages.push({ role: "tool", results: res.tool_calls.map((c) => ({ id: c.id, name: c.name, content: c === tc ? `invalid answer:\n${lastError}\nCall ${name} again with a corrected answer.` : "ignored", is_error: true })) });
        continue;
      }
      return { value: check.data as T, usage: { ...recorder.totals }, provider: call.settings.provider, model: call.settings.model };
    }
    const check = zodSchema.safeParse(candidate);
    if (check.success) return { value: check.data as T, usage: { ...recorder.totals }, provider: caller.active.provider, model: caller.active.model };
    lastError = z.prettifyError(check.error);
  }
  throw new RwError("invalid_input", `the ${opts.role} did not give a valid answer after ${attempts} attempts: ${lastError}`, { hint: "try a stronger model for this role (roles.<role>.model or a profile)" });
}
