/** Text cells for a fixed-width screen: visible width, cutting, padding, colour (or none). */

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

/** Wide characters (CJK, most emoji) take two columns; combining marks none. Good enough for titles. */
function charWidth(cp: number): number {
  if (cp === 0 || (cp >= 0x300 && cp <= 0x36f) || cp === 0x200d || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
  if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1faff) || (cp >= 0x20000 && cp <= 0x3fffd)) return 2;
  return 1;
}

export const width = (s: string): number => {
  let w = 0;
  for (const ch of s.replace(ANSI, "")) w += charWidth(ch.codePointAt(0)!);
  return w;
};

/** Control characters out (an agent's output may contain escape sequences: they must not drive our terminal). */
// eslint-disable-next-line no-control-regex
export const clean = (s: string): string => s.replace(ANSI, "").replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, "").replace(/\t/g, "  ");

/** Exactly `w` columns: cut with an ellipsis, or padded. Plain text only (colour is applied after). */
export function cell(s: string, w: number): string {
  if (w <= 0) return "";
  let out = "";
  let used = 0;
  const chars = [...s];
  const total = width(s);
  if (total <= w) return s + " ".repeat(w - total);
  for (const ch of chars) {
    const cw = charWidth(ch.codePointAt(0)!);
    if (used + cw > w - 1) break;
    out += ch;
    used += cw;
  }
  return `${out}…${" ".repeat(Math.max(0, w - used - 1))}`;
}

/** Wraps plain text to `w` columns (hard wrap: transcripts have long lines and no need for pretty breaks). */
export function wrap(line: string, w: number): string[] {
  if (width(line) <= w) return [line];
  const out: string[] = [];
  let cur = "";
  let used = 0;
  for (const ch of line) {
    const cw = charWidth(ch.codePointAt(0)!);
    if (used + cw > w) {
      out.push(cur);
      cur = "";
      used = 0;
    }
    cur += ch;
    used += cw;
  }
  if (cur) out.push(cur);
  return out;
}

export type Style = "bold" | "dim" | "green" | "yellow" | "red" | "cyan" | "inverse";
const CODES: Record<Style, [string, string]> = {
  bold: ["1", "22"], dim: ["2", "22"], green: ["32", "39"], yellow: ["33", "39"], red: ["31", "39"], cyan: ["36", "39"], inverse: ["7", "27"],
};

export type Paint = (style: Style, s: string) => string;
export const painter = (color: boolean): Paint => (style, s) => (color ? `\u001b[${CODES[style][0]}m${s}\u001b[${CODES[style][1]}m` : s);

export function bar(done: number, total: number, w: number): string {
  const filled = total === 0 ? 0 : Math.round((done / total) * w);
  return `[${"#".repeat(filled)}${"-".repeat(w - filled)}]`;
}
