/**
 * A `--json` answer whose tasks are already JSON bytes (copied from the index or the ready
 * view): `{ "v": 1, ...value }` as compact JSON, split where the elements of its `tasks: []` go.
 * Filled in, it is byte for byte what JSON.stringify gives with the tasks parsed: the key order
 * stays `value`'s, and the only `"tasks":[]` outside a string is the key (inside a string every
 * quote is escaped).
 */
export function answerFrame(value: Record<string, unknown>): { head: Buffer; end: Buffer } {
  const text = JSON.stringify({ v: 1, ...value });
  const cut = text.indexOf('"tasks":[]') + '"tasks":['.length;
  return { head: Buffer.from(text.slice(0, cut)), end: Buffer.from(`${text.slice(cut)}\n`) };
}

const COMMA = Buffer.from(",");

/** The answer with `tasks` (one JSON text each) as its tasks. */
export function answerBytes(value: Record<string, unknown>, tasks: readonly Buffer[]): Buffer {
  const { head, end } = answerFrame(value);
  const parts: Buffer[] = [head];
  tasks.forEach((t, i) => (i > 0 ? parts.push(COMMA, t) : parts.push(t)));
  parts.push(end);
  return Buffer.concat(parts);
}
