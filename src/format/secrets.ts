/**
 * Secrets never enter an event, a transcript or a printed error (DESIGN §3). Redaction is by
 * shape (API key prefixes, bearer tokens, key=value pairs named like secrets, URL credentials)
 * and by value (the values of secret-named environment variables and inline keys in
 * config.toml, wherever they appear). Pure: no IO; the store and the agent layer both use it.
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

/** Inline secrets of a parsed config.toml: any string under a secret-named key (`api_key = "…"`), at any depth. */
export function configSecrets(raw: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown, key: string): void => {
    if (typeof v === "string") {
      if (isSecretName(key) && !/_env$/i.test(key) && v.length >= 8) out.push(v);
    } else if (Array.isArray(v)) for (const x of v) walk(x, key);
    else if (typeof v === "object" && v !== null) for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(raw, "");
  return out;
}

/** Known secret values, then distinctive key shapes (sk-ant-…, ghp_…, Bearer …): safe on any text. */
export function redactKnown(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) if (s.length >= 8 && out.includes(s)) out = out.split(s).join(REDACTED);
  for (const re of PATTERNS) out = out.replace(re, (m, p1: string) => (m.startsWith(p1) && /^(Bearer|token)$/i.test(p1) ? `${p1} ${REDACTED}` : REDACTED));
  return out;
}

/** Everything redactKnown does, plus `password=…`-style pairs and URL credentials: for machine output (tool calls, errors). */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = redactKnown(text, secrets);
  out = out.replace(KEY_VALUE, (_m, k: string, sep: string) => `${k}${sep}${REDACTED}`);
  out = out.replace(URL_CREDENTIALS, (_m, scheme: string) => `${scheme}${REDACTED}@`);
  return out;
}

/**
 * Every string inside a JSON value with known secrets and key shapes redacted; the same object
 * back when nothing changed (the write path calls this on every event).
 */
export function redactDeep<T>(value: T, secrets: readonly string[]): T {
  if (typeof value === "string") return redactKnown(value, secrets) as T;
  if (Array.isArray(value)) {
    let changed = false;
    const next = value.map((x: unknown) => {
      const y = redactDeep(x, secrets);
      if (y !== x) changed = true;
      return y;
    });
    return (changed ? next : value) as T;
  }
  if (typeof value === "object" && value !== null) {
    let changed = false;
    const next: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(value)) {
      const y = redactDeep(x, secrets);
      if (y !== x) changed = true;
      next[k] = y;
    }
    return (changed ? next : value) as T;
  }
  return value;
}
