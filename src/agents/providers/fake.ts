import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { RwError } from "../../domain/errors.ts";
import { estimateTokens } from "../../domain/budget.ts";
import { ProviderError, classifyStatus, type ChatProvider, type ChatRequest, type ChatResponse, type ProviderSettings, type ToolCall } from "../types.ts";
import type { ProviderContext } from "./index.ts";

/**
 * A script file (JSON) of turns:
 * `{"turns": [{"text": "…", "tool_calls": [{"name": "write_file", "input": {…}}], "usage": {…}}]}`.
 * A turn may instead be `{"error": {"status": 429}}` to play an outage.
 */
interface ScriptTurn {
  text?: string;
  tool_calls?: { id?: string; name: string; input?: Record<string, unknown> }[];
  usage?: { input_tokens?: number; output_tokens?: number };
  error?: { status?: number; message?: string };
}

const DEFAULT_SCRIPT: ScriptTurn[] = [
  { text: "Looking at the worktree.", tool_calls: [{ name: "list_files", input: { path: ".", recursive: false } }] },
  { tool_calls: [{ name: "finish", input: { summary: "fake provider: no script configured (roles.<role>.script), nothing changed" } }] },
];

async function loadScript(s: ProviderSettings, ctx: ProviderContext): Promise<ScriptTurn[]> {
  const file = s.script ?? ctx.env.RW_FAKE_SCRIPT;
  if (!file) return DEFAULT_SCRIPT;
  const path = resolve(ctx.root, file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, "utf8"));
  } catch (err) {
    throw new RwError("config", `fake provider script ${path}: ${(err as Error).message}`, { hint: 'the script is JSON: {"turns": [{"text": "...", "tool_calls": [{"name": "finish", "input": {"summary": "..."}}]}]}' });
  }
  const turns = (parsed as { turns?: unknown }).turns;
  if (!Array.isArray(turns)) throw new RwError("config", `fake provider script ${path}: no "turns" list`, { hint: 'write {"turns": [...]}' });
  return turns as ScriptTurn[];
}

/**
 * Deterministic scripted responses. Stateless: the turn played is the number of assistant
 * messages already in the conversation, so a retried or resumed call gets the same answer.
 */
export async function create(s: ProviderSettings, ctx: ProviderContext): Promise<ChatProvider> {
  const turns = await loadScript(s, ctx);
  return {
    kind: "chat",
    name: "fake",
    settings: s,
    async chat(req: ChatRequest): Promise<ChatResponse> {
      if (req.signal?.aborted) throw new ProviderError("fake", "aborted", "aborted");
      const index = req.messages.filter((m) => m.role === "assistant").length;
      const turn = turns[index] ?? { text: "(the fake script has no more turns)" };
      if (turn.error) throw new ProviderError("fake", classifyStatus(turn.error.status), turn.error.message ?? `scripted error ${turn.error.status ?? ""}`, turn.error.status);
      const tool_calls: ToolCall[] = (turn.tool_calls ?? []).map((c, i) => ({ id: c.id ?? `fake_${index}_${i}`, name: c.name, input: c.input ?? {} }));
      const text = turn.text ?? "";
      if (text) req.onText?.(text);
      const inChars = req.system.length + JSON.stringify(req.messages).length;
      const usage = {
        input_tokens: turn.usage?.input_tokens ?? estimateTokens(inChars),
        output_tokens: turn.usage?.output_tokens ?? estimateTokens(text.length + JSON.stringify(tool_calls).length),
      };
      return { text, tool_calls, usage, stop_reason: tool_calls.length > 0 ? "tool_use" : "end_turn", model: s.model };
    },
  };
}
