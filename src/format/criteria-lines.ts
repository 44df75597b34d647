/**
 * The "Acceptance criteria" section of a task body found line by line, for places that only
 * read it (prompts, exports) and should not load remark: the heading (any level, optional
 * colon) up to the next heading of the same or a higher level, as criteria.ts reads it. Ticking
 * a criterion goes through criteria.ts, which knows code fences and nesting.
 */
export interface CriteriaSection {
  /** The checkbox items, in order: the line as written, its text and whether it is ticked. */
  items: Array<{ line: string; text: string; checked: boolean }>;
  /** The body without the section, trimmed. */
  rest: string;
}

const HEADING = /^(#{1,6})\s+(.*)$/;
const isCriteria = (title: string): boolean => /^acceptance criteria:?$/i.test(title.replace(/[*_`]/g, "").trim());

export function criteriaSection(body: string): CriteriaSection {
  const lines = body.split("\n");
  const items: CriteriaSection["items"] = [];
  const kept: string[] = [];
  let level = 0; // > 0 while inside the section
  for (const line of lines) {
    const h = HEADING.exec(line);
    if (h && level > 0 && h[1]!.length <= level) level = 0;
    if (h && level === 0 && isCriteria(h[2]!)) {
      level = h[1]!.length;
      continue;
    }
    if (level === 0) {
      kept.push(line);
      continue;
    }
    const m = /^\s*[-*+]\s+\[([ xX])\]\s+(.*)$/.exec(line);
    if (m) items.push({ line: line.trim(), text: m[2]!.trim(), checked: m[1] !== " " });
  }
  return { items, rest: kept.join("\n").trim() };
}
