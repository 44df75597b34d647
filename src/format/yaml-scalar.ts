/**
 * The few YAML shapes rw writes in frontmatter, written by hand so the write path never loads a
 * YAML library and the bytes are ours to keep stable. Anything that a YAML reader could take for
 * something else (a number, a boolean, a date-only string, a key) is double-quoted as JSON, which
 * is valid YAML.
 */
const RESERVED = /^(?:true|false|null|yes|no|on|off|y|n|~)$/i;
const NUMERIC = /^[-+]?(?:\.?\d|0x|0o|\.inf|\.nan)/i;
const PLAIN = /^[A-Za-z0-9_(][^\n\r\t:#]*$/u;

export function scalar(value: string): string {
  if (value === "" || RESERVED.test(value) || NUMERIC.test(value) || !PLAIN.test(value) || value !== value.trim()) {
    return JSON.stringify(value);
  }
  if (/[[\]{},&*!|>'"%@`]/.test(value[0]!)) return JSON.stringify(value);
  return value;
}

/** ISO timestamps stay unquoted: readable, and YAML readers give them back as dates we normalise. */
export function timestamp(value: string): string {
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z$/.test(value) ? value : JSON.stringify(value);
}

export function flowList(items: readonly string[], quoteAll = false): string {
  const parts = items.map((s) => (quoteAll || /[,[\]{}]/.test(s) ? JSON.stringify(s) : scalar(s)));
  return `[${parts.join(", ")}]`;
}
