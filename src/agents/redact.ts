import type { AgentConfig } from "./config.ts";
import { lineRedactor, redact, redactDeep, secretValues } from "../format/secrets.ts";
import type { Progress } from "./types.ts";

// The redaction rules live in format/secrets.ts (the store's write path and the CLI's output use them too).
export { REDACTED, isSecretName, redact, secretValues } from "../format/secrets.ts";

/**
 * The secrets an agent session must never leak: secret-named environment values, every inline
 * `api_key` of the config and the values of the variables its `api_key_env`s name (whatever
 * they are called).
 */
export function agentSecrets(config: AgentConfig | undefined, env: Record<string, string | undefined>): string[] {
  const settings = config ? Object.values(config.roles).flatMap((r) => [r, r.fallback]) : [];
  const inline = settings.flatMap((s) => [s?.api_key, s?.api_key_env ? env[s.api_key_env] : undefined]);
  return [...new Set([...secretValues(env), ...inline.filter((k): k is string => typeof k === "string" && k.length >= 8)])];
}

/**
 * Progress with secrets taken out before anyone sees it (transcripts, `rw agent run`'s output,
 * the TUI): streamed text is held to the end of its line, since a key echoed by a model arrives
 * split over several deltas; `flush` sends what is left when the session ends.
 */
export function redactingProgress(onProgress: ((p: Progress) => void) | undefined, secrets: readonly string[]): { emit: ((p: Progress) => void) | undefined; flush(): void } {
  if (!onProgress) return { emit: undefined, flush: () => undefined };
  const text = lineRedactor((delta) => onProgress({ type: "text", delta }), (t) => redact(t, secrets));
  return {
    emit: (p) => {
      if (p.type === "text") return text.write(p.delta);
      text.flush(); // a tool call or note after text: the text comes first, in order
      onProgress(redactDeep(p, secrets));
    },
    flush: () => text.flush(),
  };
}

/** One line, at most `max` characters: what goes into `agent.tool_called` summaries. */
export function short(text: string, max = 160): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Any JSON value as display text (strings as they are, everything else as JSON). */
export function asText(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === undefined || v === null) return "";
  return typeof v === "number" || typeof v === "boolean" ? String(v) : JSON.stringify(v);
}
