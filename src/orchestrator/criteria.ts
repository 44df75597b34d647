/** One acceptance criterion with the body offset of its "[ ]" / "[x]" marker. */
export interface CriterionAt {
  index: number;
  text: string;
  checked: boolean;
  offset: number;
}

/**
 * The checkbox list under the "Acceptance criteria" heading (DESIGN §4), with source offsets so
 * ticking one patches three bytes of the verbatim body. Line-based on purpose: fenced code is
 * skipped, and the orchestrator must not load remark for a checklist.
 */
export function findCriteria(body: string): CriterionAt[] {
  const out: CriterionAt[] = [];
  let inSection = false;
  let level = 0;
  let fence: string | undefined;
  let pos = 0;
  for (const line of body.split("\n")) {
    const start = pos;
    pos += line.length + 1;
    const f = /^\s{0,3}(```|~~~)/.exec(line);
    if (f) {
      if (fence === undefined) fence = f[1];
      else if (fence === f[1]) fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const h = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      if (/^acceptance criteria:?$/i.test(h[2]!)) {
        inSection = true;
        level = h[1]!.length;
      } else if (inSection && h[1]!.length <= level) {
        inSection = false;
      }
      continue;
    }
    if (!inSection) continue;
    const m = /^(\s*[-*+]\s+)\[([ xX])\]\s+(.*)$/.exec(line);
    if (m) out.push({ index: out.length, text: m[3]!.trim(), checked: m[2] !== " ", offset: start + m[1]!.length });
  }
  return out;
}
