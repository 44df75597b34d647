/**
 * Secrets never enter an event or a printed config (DESIGN §3). Redaction is by shape (API key
 * prefixes, bearer tokens, key=value pairs named like secrets, URL credentials) and by value
 * (the actual values of secret-named environment variables, wherever they appear).
 */
const PATTERNS: RegExp[] = [
  /\b(sk-ant-[A-Za-z0-9_-]{8,}|sk-(?:proj-)?[A-Za-z0-9_-]{16,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|xox[abpr]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{30,})\b/g,
  /\b(Bearer|token)\s+[A-Za-z0-9._~+/=-]{16,}/gi,
];
const KEY_VALUE = /\b([A-Za-z0-9_]*(?:api[_-]?key|secret|token|password|passwd)[A-Za-z0-9_]*)(\s*[:=]\s*)("?)[^\s"',;]{4,}\3/gi;
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+(?::[^\s/@]*)?@/gi;

export const REDACTED = "[REDACTED]";

/** Environment variable names that hold secrets. */
export const isSecretName = (name: string): boolean => /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL)/i.test(name);

export function secretValues(env: Record<string, string | undefined>): string[] {
  return Object.entries(env)
    .filter(([k, v]) => isSecretName(k) && typeof v === "string" && v.length >= 8)
    .map(([, v]) => v!);
}

export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) if (s.length >= 8) out = out.split(s).join(REDACTED);
  for (const re of PATTERNS) out = out.replace(re, (m, p1: string) => (m.startsWith(p1) && /^(Bearer|token)$/i.test(p1) ? `${p1} ${REDACTED}` : REDACTED));
  out = out.replace(KEY_VALUE, (_m, k: string, sep: string) => `${k}${sep}${REDACTED}`);
  out = out.replace(URL_CREDENTIALS, (_m, scheme: string) => `${scheme}${REDACTED}@`);
  return out;
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
