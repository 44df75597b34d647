import { describe, expect, it } from "vitest";
import { findCriteria } from "../../../src/format/criteria.ts";
import { criteriaSection } from "../../../src/format/criteria-lines.ts";

const bodies: Array<[string, string, string[], string]> = [
  ["no section", "Just text.\n", [], "Just text."],
  ["a section at the end", "Intro\n\n## Acceptance criteria\n\n- [ ] one\n- [x] two\n", ["one", "two"], "Intro"],
  ["text after the section", "## Acceptance Criteria:\n- [ ] a\n\n## Notes\nkeep me\n", ["a"], "## Notes\nkeep me"],
  ["a deeper heading stays inside", "# Task\n## Acceptance criteria\n- [ ] a\n### Edge cases\n- [X] b\n## Next\n", ["a", "b"], "# Task\n## Next"],
  ["other bullets are not criteria", "### acceptance criteria\n- plain\n* [ ] star\n+ [x] plus\n", ["star", "plus"], ""],
];

describe("criteriaSection: the acceptance criteria read line by line", () => {
  it.each(bodies)("%s", async (_name, body, texts, rest) => {
    const s = criteriaSection(body);
    expect(s.items.map((i) => i.text)).toEqual(texts);
    expect(s.rest).toBe(rest);
    // The same items, in the same order and state, as the remark reader that ticks them.
    const parsed = await findCriteria(body);
    expect(s.items.map((i) => [i.text, i.checked])).toEqual(parsed.map((c) => [c.text, c.checked]));
  });
});
