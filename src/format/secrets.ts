/**
 * Secrets never enter an event, a transcript or a printed error (DESIGN §3). Redaction is by
 * shape (API key prefixes, bearer tokens, key=value pairs named like secrets, URL credentials)
 * and by value (the values of secret-named environment variables and inline keys in
 * config.toml, wherever they appear). Pure: no IO; the store, the agent layer and the CLI's
 * output all use it.
 */
const PATTERNS: RegExp[] = [
  /\b(sk-ant-[A-Za-z0-9_-]{8,}|sk-(?:proj-)?[A-Za-z0-9_-]{16,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|xox[abpr]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{30,})\b/g,
  /\b(Bearer)\s+[A-Za-z0-9._~+/=-]{16,}/gi,
  // After the word "token", only something with a digit: "token verification-procedure" is prose.
  /\b(token)\s+(?=[A-Za-z._~+/=-]*[0-9])[A-Za-z0-9._~+/=-]{16,}/gi,
];
/** Every PATTERNS match contains one of these (checked case-insensitively, like the bearer and token patterns). */
const KEY_START = /sk-|gh[pousr]_|github_pat_|xox[abpr]-|AKIA|AIza|bearer|token/i;
const KEY_VALUE = /\b([A-Za-z0-9_]*(?:api[_-]?key|secret|token|password|passwd)[A-Za-z0-9_]*)(\s*[:=]\s*)("?)[^\s"',;]{4,}\3/gi;
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+(?::[^\s/@]*)?@/gi;

export const REDACTED = "[REDACTED]";

/** Environment variable names that hold secrets. */
export const isSecretName = (name: string): boolean => /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL)/i.test(name);

/** Shorter values are too likely to be ordinary words to be replaced everywhere. */
const MIN_SECRET = 8;

/** A value worth redacting wherever it appears: long enough, one word, not a path or a flag. */
const secretLike = (v: string): boolean => v.length >= MIN_SECRET && !/\s/.test(v) && !/^[/~.]/.test(v) && !/^(true|false|\d+)$/i.test(v);

export function secretValues(env: Record<string, string | undefined>): string[] {
  return Object.entries(env)
    .filter(([k, v]) => isSecretName(k) && typeof v === "string" && secretLike(v))
    .map(([, v]) => v!);
}

/** Keys of config.toml that hold a secret itself (`api_key`, `token`, `*_secret`), not a setting about tokens (`max_tokens`, `token_param`). */
const SECRET_KEY = /(^|_)(api_?key|key|token|secret|password|passwd|credentials?)$/i;
/** Keys that name the environment variable holding a secret (`api_key_env = "MY_LLM_KEY"`). */
const SECRET_ENV_KEY = /(^|_)(api_?key|key|token|secret|password|credentials?)_env$/i;

/**
 * Secrets a parsed config.toml knows: strings under a secret key (`api_key = "…"`) at any depth,
 * and the values of the variables its `*_env` keys name, whatever those variables are called.
 */
export function configSecrets(raw: unknown, env: Record<string, string | undefined> = {}): string[] {
  const out: string[] = [];
  const walk = (v: unknown, key: string): void => {
    if (typeof v === "string") {
      if (SECRET_KEY.test(key) && secretLike(v)) out.push(v);
      else if (SECRET_ENV_KEY.test(key) && Object.hasOwn(env, v) && typeof env[v] === "string" && secretLike(env[v])) out.push(env[v]);
    } else if (Array.isArray(v)) for (const x of v) walk(x, key);
    else if (typeof v === "object" && v !== null) for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(raw, "");
  return out;
}

/** Known secret values, then distinctive key shapes (sk-ant-…, ghp_…, Bearer …): safe on any text. */
export function redactKnown(text: string, secrets: readonly string[] = []): string {
  // Shorter than any key shape or known secret (MIN_SECRET): IDs, statuses, times, most labels.
  if (text.length < MIN_SECRET) return text;
  let out = text;
  for (const s of secrets) if (s.length >= MIN_SECRET && out.includes(s)) out = out.split(s).join(REDACTED);
  // One scan for the words every key shape starts with, before three replacing scans.
  if (!KEY_START.test(out)) return out;
  for (const re of PATTERNS) out = out.replace(re, (m, p1: string) => (m.startsWith(p1) && /^(Bearer|token)$/i.test(p1) ? `${p1} ${REDACTED}` : REDACTED));
  return out;
}

/**
 * Whether `text` has the start of a key shape (then redactKnown may change it). A caller that
 * knows this of each part of a long output (the index keeps it per task: store/state-cache.ts)
 * need not scan the whole output: no key shape contains the `},{` that joins JSON objects.
 */
export function mayHoldKey(text: string | Buffer): boolean {
  return KEY_START.test(typeof text === "string" ? text : text.toString("ascii"));
}

/**
 * redactKnown for UTF-8 bytes (a 17 MB `rw list --json`): the same bytes when nothing in them
 * needs redacting, without decoding them to a string; else the redacted text. Every key shape
 * is ASCII, so the bytes seen as ASCII (node clears the high bit of the others) hold every
 * match the text holds; a false match only costs the string path. `keyShapes` false: the
 * caller knows no part has a key shape's start (mayHoldKey), so only secret values are sought.
 */
export function redactKnownBytes(bytes: Buffer, secrets: readonly string[] = [], keyShapes = true): Buffer | string {
  if (bytes.length < MIN_SECRET) return bytes;
  const found = secrets.some((s) => s.length >= MIN_SECRET && bytes.includes(s)) || (keyShapes && mayHoldKey(bytes));
  return found ? redactKnown(bytes.toString(), secrets) : bytes;
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
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    let next: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const x: unknown = value[i];
      const y = redactDeep(x, secrets);
      if (y !== x) (next ??= [...value])[i] = y;
    }
    return (next ?? value) as T;
  }
  // Copied only when something changed: the write path calls this on every event of an import.
  const obj = value as Record<string, unknown>;
  let next: Record<string, unknown> | undefined;
  for (const k of Object.keys(obj)) {
    const x = obj[k];
    const y = redactDeep(x, secrets);
    if (y === x) continue;
    // fromEntries and defineProperty define own properties: a "__proto__" key in event data stays a key.
    next ??= Object.fromEntries(Object.entries(obj));
    Object.defineProperty(next, k, { value: y, enumerable: true, writable: true, configurable: true });
  }
  return (next ?? value) as T;
}

/**
 * A redacting writer for text that arrives in pieces (a model's streamed deltas): a key split
 * over two deltas is only recognisable whole, so text is held back to the end of its line
 * (keys never span lines) and `flush` writes the rest.
 */
export function lineRedactor(write: (text: string) => void, redactLine: (text: string) => string): { write(text: string): void; flush(): void } {
  let pending = "";
  return {
    write(text) {
      pending += text;
      const cut = pending.lastIndexOf("\n");
      // A line that never ends (a model printing one huge line) is flushed in bounded pieces.
      if (cut < 0 && pending.length < 64 * 1024) return;
      const upTo = cut < 0 ? pending.length : cut + 1;
      const ready = pending.slice(0, upTo);
      pending = pending.slice(upTo);
      write(redactLine(ready));
    },
    flush() {
      if (pending === "") return;
      const rest = pending;
      pending = "";
      write(redactLine(rest));
    },
  };
}
