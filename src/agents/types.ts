/**
 * The agent layer's shared types: roles, the provider interface every adapter implements, and
 * the provider-neutral conversation the tool loop keeps (so a fallback provider can take over
 * mid-session).
 */
export const ROLES = ["planner", "worker", "verifier", "architect"] as const;
export type Role = (typeof ROLES)[number];

export const PROVIDERS = ["anthropic", "openai", "claude-code", "codex", "command", "fake"] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** A JSON Schema object (the subset providers accept for tool inputs). */
export type JsonSchema = Record<string, unknown>;

export interface ToolSpec {
  name: string;
  description: string;
  input_schema: JsonSchema;
}

export interface ToolCall {
  id: string;
  name: string;
  input: Record<string, unknown>;
}

export interface ToolResult {
  id: string;
  name: string;
  content: string;
  is_error: boolean;
}

export type Message =
  | { role: "user"; content: string }
  | { role: "assistant"; content: string; tool_calls: ToolCall[] }
  | { role: "tool"; results: ToolResult[] };

/**
 * Tokens of one call. `input_tokens` is ALL input, cached or not (what the context cost); the
 * cache counts are the parts of it read from or written to the prompt cache, priced apart.
 */
export interface TokenUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens?: number | undefined;
  cache_write_tokens?: number | undefined;
  /** The service tier that served the call (OpenAI `flex`, `default`, …), when the provider says. */
  service_tier?: string | undefined;
}

/** Settings of one provider for one role, after profiles and overrides are resolved. */
export interface ProviderSettings {
  provider: ProviderName;
  model: string;
  max_tokens: number;
  temperature?: number | undefined;
  base_url?: string | undefined;
  api_key_env?: string | undefined;
  /** Inline key from config.toml (discouraged; always redacted). */
  api_key?: string | undefined;
  /** SDK retries (with the SDK's backoff, honouring retry-after) before the fallback is tried. */
  retries: number;
  /** claude-code: --permission-mode (default acceptEdits); its allowed tools (default: rw's read/edit set plus the allowed commands). */
  permission_mode?: string | undefined;
  allowed_tools?: string[] | undefined;
  /** openai: which output-limit parameter the server takes (default: by model name). */
  token_param?: "max_tokens" | "max_completion_tokens" | undefined;
  /** openai, codex: reasoning effort for reasoning models. */
  reasoning_effort?: "minimal" | "low" | "medium" | "high" | undefined;
  /** openai: the service tier to ask for first (`flex` falls back to `default` when flex has no capacity). */
  service_tier?: "flex" | "default" | "auto" | "priority" | undefined;
  /** claude-code: account names (see [accounts.NAME]); sessions rotate to the next one that is not resting. */
  accounts?: string[] | undefined;
  /** command: the command template, e.g. `aider --yes --message-file {prompt_file}`. */
  command?: string | undefined;
  /** claude-code / codex: the executable (default `claude` / `codex`). */
  binary?: string | undefined;
  /** fake: the script file (JSON), relative to the repository root. */
  script?: string | undefined;
}

/** The API key a setting names: inline in config.toml, else the value of its environment variable. */
export function apiKeyOf(s: ProviderSettings, env: Record<string, string | undefined>): string | undefined {
  return s.api_key ?? (s.api_key_env ? env[s.api_key_env] : undefined);
}

export interface ChatRequest {
  system: string;
  messages: Message[];
  tools: ToolSpec[];
  /** Force a particular tool (structured output) or any tool. */
  tool_choice?: { name: string } | "any" | undefined;
  signal?: AbortSignal | undefined;
  /** Streamed assistant text as it arrives. */
  onText?: ((delta: string) => void) | undefined;
  /** A turn that failed mid-stream is being tried again (attempt 1, 2, …). */
  onRetry?: ((attempt: number, err: ProviderError) => void) | undefined;
}

export interface ChatResponse {
  text: string;
  tool_calls: ToolCall[];
  usage: TokenUsage;
  stop_reason: string;
  model: string;
}

/** A provider rw drives turn by turn, executing its tool calls in the sandbox. */
export interface ChatProvider {
  kind: "chat";
  name: ProviderName;
  settings: ProviderSettings;
  chat(req: ChatRequest): Promise<ChatResponse>;
}

export interface CliRunRequest {
  prompt: string;
  cwd: string;
  env: Record<string, string | undefined>;
  signal?: AbortSignal | undefined;
  timeout_ms: number;
  onProgress?: ((p: Progress) => void) | undefined;
}

export interface CliRunResult {
  finished: boolean;
  /** Why a CLI agent stopped without finishing, when it says (permission denials, a refusal). */
  reason?: string | undefined;
  summary: string;
  usage: TokenUsage & { cost_usd?: number | undefined };
  turns: number;
  transcript: TranscriptEntry[];
  exit_code: number | undefined;
}

/** A CLI agent (claude, codex, any command) that runs a whole session with its own tools. */
export interface CliProvider {
  kind: "cli";
  name: ProviderName;
  settings: ProviderSettings;
  run(req: CliRunRequest): Promise<CliRunResult>;
  /** The executable and arguments `rw config check` runs to see that the CLI answers. */
  versionCommand(): { file: string; args: string[] };
}

export type Provider = ChatProvider | CliProvider;

export type ProviderErrorKind = "rate_limit" | "server" | "network" | "auth" | "bad_request" | "unavailable" | "aborted";

/** What a failed call or CLI run had already done: recorded before any fallback takes over. */
export interface PartialWork {
  usage: TokenUsage & { cost_usd?: number | undefined };
  transcript: TranscriptEntry[];
  turns: number;
}

/** A failed model call, classified so the session knows whether a fallback may help. */
export class ProviderError extends Error {
  /** Work done before the failure (tokens streamed, a CLI's tool calls and cost). */
  partial?: PartialWork | undefined;
  /** When a usage or rate limit says it lifts (epoch ms). */
  reset_at?: number | undefined;

  constructor(readonly provider: string, readonly kind: ProviderErrorKind, message: string, readonly status?: number) {
    super(message);
    this.name = "ProviderError";
  }

  /** Rate limits, 5xx answers and outages are worth another provider; a bad request or key is not. */
  get retryable(): boolean {
    return this.kind === "rate_limit" || this.kind === "server" || this.kind === "network" || this.kind === "unavailable";
  }
}

export function classifyStatus(status: number | undefined): ProviderErrorKind {
  if (status === undefined) return "network";
  if (status === 429) return "rate_limit";
  if (status === 401 || status === 403) return "auth";
  if (status >= 500) return "server";
  return "bad_request";
}

export type TranscriptEntry =
  | { type: "text"; role: "assistant" | "user" | "system"; text: string }
  | { type: "tool"; tool: string; args: string; result: string; ok: boolean }
  | { type: "note"; text: string };

/** What a session reports while it runs (for a progress line or a JSON stream). */
export type Progress =
  | { type: "turn"; turn: number; provider: string; model: string }
  | { type: "text"; delta: string }
  | { type: "tool"; tool: string; args: string; result: string; ok: boolean }
  | { type: "usage"; input_tokens: number; output_tokens: number; cost_usd: number }
  | { type: "note"; text: string };
