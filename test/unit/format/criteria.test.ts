import { describe, expect, it } from "vitest";
import { findCriteria, setCriterion } from "../../../src/format/criteria.ts";

const body = [
  "Intro text.",
  "",
  "```md",
  "## Acceptance criteria",
  "- [ ] inside a fence, not a criterion",
  "```",
  "",
  "## Acceptance Criteria",
  "",
  "- [ ] valid credentials return 200 and a **token**",
  "*   [x] invalid credentials return 401",
  "- a plain item, not a checkbox",
  "1. [ ] numbered works too",
  "   - [ ] nested one",
  "",
  "## Notes",
  "- [ ] not a criterion (another section)",
  "",
].join("\n");

describe("acceptance criteria", () => {
  it("finds the checkbox items under the heading only, with their state and text", async () => {
    const list = await findCriteria(body);
    expect(list.map((c) => [c.text, c.checked])).toEqual([
      ["valid credentials return 200 and a **token**", false],
      ["invalid credentials return 401", true],
      ["numbered works too", false],
      ["nested one", false],
    ]);
    for (const c of list) expect("x ".includes(body[c.mark]!.toLowerCase())).toBe(true);
  });

  it("ticks one criterion by patching one character, leaving every other byte alone", async () => {
    const ticked = await setCriterion(body, 2);
    expect(ticked.length).toBe(body.length);
    const diff = [...ticked].flatMap((ch, i) => (ch === body[i] ? [] : [i]));
    expect(diff).toHaveLength(1);
    expect(ticked).toContain("1. [x] numbered works too");
    expect((await findCriteria(ticked))[2]!.checked).toBe(true);
    expect(await setCriterion(ticked, 1, false)).toContain("*   [ ] invalid credentials return 401");
  });

  it("works on CRLF bodies and returns nothing without the heading", async () => {
    const crlf = "## Acceptance criteria\r\n- [ ] one\r\n- [ ] two\r\n";
    expect(await setCriterion(crlf, 1)).toBe("## Acceptance criteria\r\n- [ ] one\r\n- [x] two\r\n");
    expect(await findCriteria("- [ ] loose checkbox\n")).toEqual([]);
    await expect(setCriterion(crlf, 5)).rejects.toThrow(/no acceptance criterion #6/);
  });
});
