import { printable } from "../domain/text.ts";
import type { Context } from "./context.ts";

/** `--json` output: one object with "v": 1, so scripts can rely on the shape. */
export function printJson(ctx: Context, value: Record<string, unknown>): void {
  ctx.stdout(`${JSON.stringify({ v: 1, ...value }, null, ctx.isTTY ? 2 : undefined)}\n`);
}

export { taskJson, LISTED_WITHOUT } from "../domain/task-json.ts";

const CODES = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39], cyan: [36, 39] } as const;

export function paint(ctx: Context, style: keyof typeof CODES, text: string): string {
  if (!ctx.color) return text;
  const [open, close] = CODES[style];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

/**
 * Pads or cuts to a column width (by code points, good enough for titles). Control characters
 * print as visible escapes: a title written before rw refused them must not move the cursor,
 * set the terminal's title or print a fake row.
 */
export function fit(text: string, width: number): string {
  const chars = [...printable(text)];
  return chars.length > width ? `${chars.slice(0, width - 1).join("")}…` : chars.join("").padEnd(width);
}

export { errorText } from "../domain/text.ts";

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Multi-line text for a terminal (a task file, a note): newlines and tabs kept, other controls escaped. */
export function printableBlock(text: string): string {
  return text.split("\n").map((line) => printable(line.replace(/\r$/, "")).replaceAll("\\t", "\t")).join("\n");
}
