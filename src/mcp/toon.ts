/**
 * TOON (Token-Oriented Object Notation, github.com/toon-format/spec) for list answers: an array
 * of uniform objects becomes a header naming the fields once and one comma-separated row per
 * item, which is what makes it cheaper than JSON for a model to read (measured in
 * bench/mcp-tokens.mjs). Only the shapes rw answers with are encoded: an object of primitives,
 * arrays of primitives and arrays of flat objects.
 */
type Primitive = string | number | boolean | null;

const NUMBER_LIKE = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:e[+-]?\d+)?$|^0\d+$/i;

/** A string as TOON writes it: bare when it cannot be misread, else quoted with JSON-style escapes. */
export function toonString(s: string): string {
  // eslint-disable-next-line no-control-regex -- control characters must be quoted (escaped) in TOON
  const bare = s !== "" && s === s.trim() && !/[:,"\\[\]{}\u0000-\u001f\u007f]/.test(s) && !["true", "false", "null"].includes(s) && !NUMBER_LIKE.test(s) && !s.startsWith("-");
  return bare ? s : JSON.stringify(s);
}

const KEY = /^[A-Za-z_][\w.]*$/;
const key = (k: string): string => (KEY.test(k) ? k : JSON.stringify(k));

function primitive(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return toonString(v);
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "null";
  if (typeof v === "boolean") return String(v);
  // A nested value inside a row: its JSON text, quoted (rare in rw's answers).
  return toonString(JSON.stringify(v));
}

const isPrimitive = (v: unknown): v is Primitive => v === null || ["string", "number", "boolean"].includes(typeof v);

/** The field list of a tabular array: every key any row has, in first-seen order. */
function fieldsOf(rows: Record<string, unknown>[]): string[] {
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
  return [...seen];
}

function encodeValue(name: string, v: unknown, indent: string): string[] {
  if (Array.isArray(v)) {
    if (v.every(isPrimitive)) return [`${indent}${key(name)}[${v.length}]:${v.length > 0 ? ` ${v.map(primitive).join(",")}` : ""}`];
    const rows = v.filter((r): r is Record<string, unknown> => typeof r === "object" && r !== null && !Array.isArray(r));
    const fields = fieldsOf(rows);
    return [
      `${indent}${key(name)}[${v.length}]{${fields.map(key).join(",")}}:`,
      ...rows.map((r) => `${indent}  ${fields.map((f) => primitive(r[f])).join(",")}`),
    ];
  }
  if (typeof v === "object" && v !== null) {
    return [`${indent}${key(name)}:`, ...Object.entries(v).flatMap(([k, x]) => encodeValue(k, x, `${indent}  `))];
  }
  return [`${indent}${key(name)}: ${primitive(v)}`];
}

/** An object as a TOON document (one line per field; arrays of objects as tables). */
export function toToon(data: Record<string, unknown>): string {
  return Object.entries(data).filter(([, v]) => v !== undefined).flatMap(([k, v]) => encodeValue(k, v, "")).join("\n");
}
