import { describe, expect, it } from "vitest";
import { renderWorkerPrompt } from "../../../src/orchestrator/prompt.ts";
import type { Task } from "../../../src/domain/types.ts";

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
