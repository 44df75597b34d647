import { describe, expect, it } from "vitest";
import { findCriteria } from "../../../src/orchestrator/criteria.ts";
import { renderWorkerPrompt } from "../../../src/orchestrator/prompt.ts";
import type { Task } from "../../../src/domain/types.ts";

describe("findCriteria", () => {
  const cases: Array<[string, string, Array<[string, boolean]>]> = [
    ["no section", "Just text\n- [ ] not a criterion\n", []],
    ["the checklist under the heading", "Intro\n\n## Acceptance criteria\n- [ ] one\n- [x] two\n* [X] three\n", [["one", false], ["two", true], ["three", true]]],
    ["stops at the next heading of the same level", "## Acceptance criteria\n- [ ] in\n## Notes\n- [ ] out\n", [["in", false]]],
    ["a deeper heading stays inside", "## Acceptance Criteria:\n### API\n- [ ] in\n", [["in", false]]],
    ["fenced code is not a checklist", "## Acceptance criteria\n```\n- [ ] code\n```\n- [ ] real\n", [["real", false]]],
  ];
  it.each(cases)("%s", (_name, body, expected) => {
    expect(findCriteria(body).map((c) => [c.text, c.checked])).toEqual(expected);
  });

  it("gives the offset of each box, so ticking patches exactly three bytes", () => {
    const body = "x\n\n## Acceptance criteria\n  - [ ] first\n- [ ] second\n";
    for (const c of findCriteria(body)) expect(body.slice(c.offset, c.offset + 3)).toBe("[ ]");
  });
});

describe("renderWorkerPrompt", () => {
  const task = { id: "t-1", title: "Add login", body: "POST /login\n", gates: [] } as unknown as Task;
  it("fills the task, its gates and the previous failure", () => {
    const out = renderWorkerPrompt("# {{id}}: {{title}}\n{{body}}\n{{gates}}{{feedback}}{{unknown}}", task, ["npm test"], 2, "gate `npm test` failed");
    expect(out).toContain("# t-1: Add login\nPOST /login");
    expect(out).toContain("- `npm test`");
    expect(out).toContain("previous attempt (1) failed\n\ngate `npm test` failed");
    expect(out).toContain("{{unknown}}");
  });
  it("says nothing about failures on a first attempt", () => {
    expect(renderWorkerPrompt("{{feedback}}", task, [], 1, undefined)).toBe("");
  });
});
