import type { Heading, List, ListItem, Root } from "mdast";
import { RwError } from "../domain/errors.ts";

/**
 * Acceptance criteria (DESIGN §4): the checkbox items of the list(s) under a heading named
 * "Acceptance criteria". remark finds them (it understands code fences, nesting, `*`/`+`/`1.`
 * bullets) and gives source offsets, so ticking one patches one character of the body: the
 * human's formatting is never re-serialised. remark is loaded on first use only.
 */
export interface Criterion {
  index: number;
  text: string;
  checked: boolean;
  /** Offsets of the list item in the body (UTF-16 code units, like String.slice). */
  start: number;
  end: number;
  /** Offset of the character inside `[ ]` / `[x]`. */
  mark: number;
}

type Parse = (body: string) => Root;
let parser: Parse | undefined;

/** The GFM Markdown parser (remark), loaded on first use and kept: criteria ticks and the board share it. */
export async function loadParser(): Promise<Parse> {
  if (parser) return parser;
  const [{ unified }, { default: remarkParse }, { default: remarkGfm }] = await Promise.all([
    import("unified"), import("remark-parse"), import("remark-gfm"),
  ]);
  const processor = unified().use(remarkParse).use(remarkGfm);
  parser = (body) => processor.parse(body);
  return parser;
}

const headingText = (h: Heading, body: string): string =>
  body.slice(h.children[0]?.position?.start.offset ?? 0, h.children[h.children.length - 1]?.position?.end.offset ?? 0);

const isCriteriaHeading = (node: Heading, body: string): boolean =>
  /^acceptance criteria:?$/i.test(headingText(node, body).replace(/[*_`]/g, "").trim());

/** The acceptance criteria of a task body, in order; empty when there is no such heading. */
export async function findCriteria(body: string): Promise<Criterion[]> {
  const tree = (await loadParser())(body);
  const out: Criterion[] = [];
  let depth = 0;
  for (const node of tree.children) {
    if (node.type === "heading") {
      if (isCriteriaHeading(node, body)) depth = node.depth;
      else if (depth > 0 && node.depth <= depth) depth = 0;
      continue;
    }
    if (depth > 0 && node.type === "list") collect(node, body, out);
  }
  return out;
}

function collect(list: List, body: string, out: Criterion[]): void {
  for (const item of list.children) {
    const c = criterionOf(item, body, out.length);
    if (c) out.push(c);
    for (const child of item.children) if (child.type === "list") collect(child, body, out);
  }
}

function criterionOf(item: ListItem, body: string, index: number): Criterion | undefined {
  if (typeof item.checked !== "boolean") return undefined;
  const start = item.position?.start.offset;
  const end = item.position?.end.offset;
  if (start === undefined || end === undefined) return undefined;
  const m = /^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+\[([ xX])\]/.exec(body.slice(start, end));
  if (!m) return undefined;
  const para = item.children[0];
  const textStart = para?.position?.start.offset ?? start + m[0].length;
  const textEnd = para?.type === "paragraph" ? (para.position?.end.offset ?? end) : end;
  return { index, text: body.slice(textStart, textEnd).trim(), checked: item.checked, start, end, mark: start + m[0].length - 2 };
}

/** The body with criterion `index` ticked (or unticked): one character changes, nothing else. */
export async function setCriterion(body: string, index: number, checked = true): Promise<string> {
  const criteria = await findCriteria(body);
  const c = criteria[index];
  if (!c) throw new RwError("invalid_input", `no acceptance criterion #${index + 1} (the task has ${criteria.length})`, { data: { index, count: criteria.length } });
  if (c.checked === checked) return body;
  return `${body.slice(0, c.mark)}${checked ? "x" : " "}${body.slice(c.mark + 1)}`;
}
