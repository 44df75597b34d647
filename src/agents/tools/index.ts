import type { ToolCallRecord } from "../../domain/decide-agent.ts";
import { asText, redact, short } from "../redact.ts";
import type { ToolCall, ToolSpec } from "../types.ts";
import { editFileTool, listFilesTool, readFileTool, searchTool, writeFileTool } from "./fs-tools.ts";
import { runCommandTool, type RunCommandLimits } from "./run-command.ts";
import { ToolError, type Sandbox } from "./sandbox.ts";

export { openSandbox, resolveInside, ToolError, type Sandbox } from "./sandbox.ts";

const path = { type: "string", description: "path relative to the worktree root" };

/** The tools API-driven workers get. Names and shapes are the same for every provider. */
export const TOOL_SPECS: ToolSpec[] = [
  { name: "read_file", description: "Read a text file of the worktree.", input_schema: { type: "object", properties: { path }, required: ["path"] } },
  { name: "write_file", description: "Create or overwrite a file with the given content (parent directories are created).", input_schema: { type: "object", properties: { path, content: { type: "string" } }, required: ["path", "content"] } },
  {
    name: "edit_file",
    description: "Replace an exact string in a file. old_string must occur exactly once unless replace_all is true.",
    input_schema: { type: "object", properties: { path, old_string: { type: "string" }, new_string: { type: "string" }, replace_all: { type: "boolean" } }, required: ["path", "old_string", "new_string"] },
  },
  { name: "list_files", description: "List files under a directory (recursive by default; skips .git and node_modules).", input_schema: { type: "object", properties: { path, recursive: { type: "boolean" } } } },
  {
    name: "search",
    description: "Search the worktree's text files for a string (or a regular expression with regex: true). Returns path:line: text.",
    input_schema: { type: "object", properties: { pattern: { type: "string" }, path, regex: { type: "boolean" } }, required: ["pattern"] },
  },
  {
    name: "run_command",
    description: "Run one allow-listed command in the worktree (no shell: no pipes, redirects or &&). Returns the exit code and output.",
    input_schema: { type: "object", properties: { command: { type: "string" }, timeout_ms: { type: "number" } }, required: ["command"] },
  },
  {
    name: "finish",
    description: "Call when the task is complete (or cannot be completed): a short summary of what you did and anything left open. The session ends only through this tool.",
    input_schema: { type: "object", properties: { summary: { type: "string" } }, required: ["summary"] },
  },
];

export interface ToolContext {
  sandbox: Sandbox;
  limits: RunCommandLimits;
  /** Secret values to redact from summaries. */
  secrets: readonly string[];
  signal?: AbortSignal | undefined;
  /** The regex search's time limit (`tools.search_timeout`; default SEARCH_TIME_MS). */
  searchTimeMs?: number | undefined;
}

export interface ToolOutcome {
  content: string;
  is_error: boolean;
  record: ToolCallRecord;
  /** Set when the call was `finish`. */
  finished?: string | undefined;
}

function argsSummary(call: ToolCall): string {
  const i = call.input;
  switch (call.name) {
    case "write_file":
      return `${asText(i.path)} (${typeof i.content === "string" ? i.content.length : 0} chars)`;
    case "edit_file":
      return `${asText(i.path)}: ${short(asText(i.old_string), 40)} -> ${short(asText(i.new_string), 40)}`;
    case "search":
      return `${JSON.stringify(i.pattern)}${i.path ? ` in ${asText(i.path)}` : ""}`;
    case "run_command":
      return String(i.command);
    case "finish":
      return asText(i.summary);
    default:
      return i.path === undefined ? "" : asText(i.path);
  }
}

async function dispatch(call: ToolCall, ctx: ToolContext): Promise<{ text: string; ok: boolean }> {
  const cap = ctx.limits.output_cap;
  switch (call.name) {
    case "read_file":
      return { text: await readFileTool(ctx.sandbox, call.input, cap), ok: true };
    case "write_file":
      return { text: await writeFileTool(ctx.sandbox, call.input), ok: true };
    case "edit_file":
      return { text: await editFileTool(ctx.sandbox, call.input), ok: true };
    case "list_files":
      return { text: await listFilesTool(ctx.sandbox, call.input), ok: true };
    case "search":
      return { text: await searchTool(ctx.sandbox, call.input, cap, ctx.searchTimeMs), ok: true };
    case "run_command":
      return runCommandTool(ctx.sandbox, call.input, ctx.limits, ctx.signal);
    default:
      throw new ToolError(`unknown tool ${JSON.stringify(call.name)}; available: ${TOOL_SPECS.map((t) => t.name).join(", ")}`);
  }
}

/**
 * Executes one tool call. A refusal or failure becomes a tool error for the model (it can
 * correct itself); only unexpected bugs propagate.
 */
export async function executeTool(call: ToolCall, ctx: ToolContext): Promise<ToolOutcome> {
  const args = short(redact(argsSummary(call), ctx.secrets));
  if (call.name === "finish") {
    const summary = typeof call.input.summary === "string" ? call.input.summary.trim() : "";
    if (summary === "") return outcome(call, args, "error: finish needs a non-empty summary", false, true, ctx);
    return { ...outcome(call, args, "session finished", true, false, ctx), finished: summary };
  }
  try {
    const { text, ok } = await dispatch(call, ctx);
    // A command that ran but exited non-zero is information for the model, not a tool error.
    return outcome(call, args, text, ok, false, ctx);
  } catch (err) {
    if (err instanceof ToolError) return outcome(call, args, `error: ${err.message}`, false, true, ctx);
    const code = (err as NodeJS.ErrnoException).code;
    if (code) return outcome(call, args, `error: ${code}: ${(err as Error).message}`, false, true, ctx);
    throw err;
  }
}

function outcome(call: ToolCall, args: string, text: string, ok: boolean, isError: boolean, ctx: ToolContext): ToolOutcome {
  const content = redact(text, ctx.secrets);
  return { content, is_error: isError, record: { tool: call.name, args, result: short(content), ok } };
}
