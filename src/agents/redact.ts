import type { AgentConfig } from "./config.ts";
import { secretValues } from "../format/secrets.ts";

// The redaction rules live in format/secrets.ts (the store's write path uses them too).
export { REDACTED, isSecretName, redact, secretValues } from "../format/secrets.ts";

/** The secrets an agent session must never leak: secret-named environment values and every inline `api_key` of the config. */
export function agentSecrets(config: AgentConfig | undefined, env: Record<string, string | undefined>): string[] {
  const inline = config ? Object.values(config.roles).flatMap((r) => [r.api_key, r.fallback?.api_key]).filter((k): k is string => typeof k === "string" && k.length >= 8) : [];
  return [...secretValues(env), ...inline];
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
