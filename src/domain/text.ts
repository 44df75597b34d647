import { RwError } from "./errors.ts";

/**
 * What text rw accepts in a field, on every surface (CLI, MCP, mirror, import): the domain checks
 * it, so no surface can skip it. NUL breaks `git fsck` (and a remote with receive.fsckObjects
 * refuses every push); ESC and C1 codes rewrite the terminal of whoever runs `rw list`; a newline
 * in a title prints a fake line. Bodies and notes are Markdown: tab and newline stay allowed.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const LINE_BAD = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]|\p{Cs}/u;
// eslint-disable-next-line no-control-regex -- as above; tab, LF and CR are text in a body
const MULTILINE_BAD = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]|\p{Cs}/u;

/** The first refused character in `text`, described ("U+001B (ESC) at 12"), or undefined. */
export function badCharacter(text: string, multiline: boolean): string | undefined {
  const m = (multiline ? MULTILINE_BAD : LINE_BAD).exec(text);
  if (!m) return undefined;
  const cp = m[0].codePointAt(0)!;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
  const name = NAMES[cp] ?? (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ? "a control character" : cp >= 0xd800 && cp <= 0xdfff ? "a lone surrogate" : "a line separator");
  return `${hex} (${name}) at character ${[...text.slice(0, m.index)].length + 1}`;
}

const NAMES: Record<number, string> = { 0: "NUL", 9: "tab", 10: "newline", 13: "carriage return", 27: "ESC", 127: "DEL", 0x9b: "CSI" };

/** A one-line field (title, label, actor, reason, type): no control characters at all. */
export function checkLine(text: string, what: string): string {
  const bad = badCharacter(text, false);
  if (bad !== undefined) {
    throw new RwError("invalid_input", `${what} contains ${bad}`, {
      hint: `${what} is one line of plain text: remove control characters${/newline|carriage/.test(bad) ? " and put longer text in the body" : ""}`,
      data: { field: what },
    });
  }
  return text;
}

/** A multi-line field (body, note, summary): Markdown text, tab and newlines allowed. */
export function checkText(text: string, what: string): string {
  const bad = badCharacter(text, true);
  if (bad !== undefined) {
    throw new RwError("invalid_input", `${what} contains ${bad}`, { hint: `remove control characters from ${what} (tab and newline are fine)`, data: { field: what } });
  }
  return text;
}

/** Text shown in a one-line place (a `rw list` row) made safe to print: controls become visible escapes. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- escaping control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/gu, (c) => (c === "\n" ? "\\n" : c === "\t" ? "\\t" : `\\u${c.codePointAt(0)!.toString(16).padStart(4, "0")}`));
}

/* Small text rules every surface shares (CLI and MCP server), kept below both so the MCP server never imports from cli/. */

/** A body as given inline (`--body`, an MCP argument): ending in a newline like a file, unless empty. */
export const bodyText = (text: string): string => (text === "" || text.endsWith("\n") ? text : `${text}\n`);

/** An error as rw prints it on stderr (and the MCP server answers it): the message, then the hint. */
export function errorText(message: string, hint?: string): string {
  return `rw: ${message}\n${hint ? `  hint: ${hint}\n` : ""}`;
}

/** An actor called `name` (a plain name a commit author can have), with `email` or one made from the name. */
export function namedActor(name: string, email?: string): { name: string; email: string } {
  if (name.length > 100 || /[\n<>]/.test(name)) throw new RwError("usage", `invalid actor name ${JSON.stringify(name)}`, { hint: "use a plain name without <, > or newlines" });
  return { name, email: email ?? `${slug(name)}@rw.invalid` };
}

const slug = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "") || "actor";
