import { describe, expect, it } from "vitest";
import type { Task } from "../../../src/domain/types.ts";
import { renderTask } from "../../../src/format/task-render.ts";
import { parseTaskFile, taskFromFile, TaskFileError, type TaskFileProblem } from "../../../src/format/task-parse.ts";

const base: Task = {
  id: "rw-7k2f", title: "Add login endpoint", status: "open", priority: 1, type: "feature", labels: ["api"], deps: ["rw-a1b2"],
  gates: [], created_at: "2026-11-21T09:51:00.000Z", updated_at: "2026-11-21T10:02:03.123Z",
  body: "POST /login returns a token.\n\n## Acceptance criteria\n- [ ] 200 and a token\n", retry_count: 0, notes: [],
};

const tasks: Array<[string, Task]> = [
  ["a plain task", base],
  ["every field", {
    ...base, status: "in_progress", parent: "rw-x9q0", initiative: "in-3m8d", phase: 2, assignee: "agent-2", lease_until: "2026-11-21T10:32:03.123Z",
    defer_until: "2026-12-01T00:00:00.000Z", gates: ["npm test -- auth", "a, b"], retry_count: 2, labels: ["api", "x-y"],
  }],
  ["titles YAML would misread", { ...base, title: "yes: no # maybe" }],
  ["a numeric title", { ...base, title: "2026" }],
  ["a quoted, unicode title", { ...base, title: "\"Zürich\" — naïve ✓" }],
  ["blocked with a reason", { ...base, status: "blocked", blocked_reason: "waits for \"legal\"\nand more" }],
  ["an empty body", { ...base, body: "" }],
  ["a body that looks like frontmatter", { ...base, body: "---\nid: other\n---\n```\n---\n```\n" }],
  ["a CRLF body without a final newline", { ...base, body: "line one\r\n\r\n  indented  \r\ntrailing" }],
];

describe("task file codec", () => {
  it.each(tasks)("parse(renderTask(t)) gives t back: %s", (_name, task) => {
    const text = renderTask(task);
    const parsed = parseTaskFile(text, "tasks/x.md");
    expect(taskFromFile(parsed, "tasks/x.md")).toEqual(task);
    // and the canonical bytes are reproduced exactly
    expect(renderTask(taskFromFile(parsed, "tasks/x.md"))).toBe(text);
  });

  it("keeps a hand-written body byte for byte (odd spacing, CRLF, fences with ---, trailing text)", () => {
    const body = "\r\n  Some   text\t\r\n\n```yaml\n---\nkey: value\n---\n```\n\n---\n\ntrailing without newline   ";
    const text = `---\r\ntitle:   Hand written  \r\nstatus: open\r\n---\r\n${body}`;
    const parsed = parseTaskFile(text, "tasks/hand.md");
    expect(parsed.body).toBe(body);
    expect(parsed.fields).toEqual({ title: "Hand written", status: "open" });
  });

  it("reads YAML timestamps, date-only values and block lists back as ISO strings and lists", () => {
    const text = "---\ntitle: T\ncreated_at: 2026-11-21T09:51:00Z\ndefer_until: 2026-12-01\nlabels:\n  - api\n  - ui\ndeps: rw-a, rw-b\n---\n";
    expect(parseTaskFile(text, "f.md").fields).toEqual({
      title: "T", created_at: "2026-11-21T09:51:00.000Z", defer_until: "2026-12-01T00:00:00.000Z", labels: ["api", "ui"], deps: ["rw-a", "rw-b"],
    });
  });

  it("takes the title from a `# heading` when there is no frontmatter", () => {
    const parsed = parseTaskFile("# Write the docs\n\nAll of them.\n", "tasks/new.md");
    expect(parsed.fields).toEqual({ title: "Write the docs" });
    expect(parsed.body).toBe("\nAll of them.\n");
    expect(parsed.hasFrontmatter).toBe(false);
  });

  it("returns fresh objects for identical input (gray-matter's cache is off)", () => {
    const text = renderTask(base);
    const a = parseTaskFile(text, "a.md");
    a.fields.labels!.push("mutated");
    expect(parseTaskFile(text, "a.md").fields.labels).toEqual(["api"]);
  });

  const problems = (text: string): TaskFileProblem[] => {
    try {
      parseTaskFile(text, "tasks/bad.md");
    } catch (err) {
      expect(err).toBeInstanceOf(TaskFileError);
      return (err as TaskFileError).problems;
    }
    throw new Error("expected a TaskFileError");
  };

  it.each([
    ["unknown status", "---\ntitle: T\nstatus: doing\n---\n", 3, /unknown status "doing"/, /open, in_progress/],
    ["bad priority", "---\ntitle: T\npriority: P1\n---\n", 3, /priority must be a whole number/, /0 is critical/],
    ["priority out of range", "---\ntitle: T\n\npriority: 9\n---\n", 4, /priority/, /0 is critical/],
    ["bad ID", "---\nid: ../etc\ntitle: T\n---\n", 2, /not a valid ID/, /A-Z a-z 0-9/],
    ["bad dep ID", "---\ntitle: T\ndeps: [ok, \"a b\"]\n---\n", 3, /invalid ID/, /A-Z/],
    ["labels not a list of text", "---\ntitle: T\nlabels: {a: 1}\n---\n", 3, /labels must be a list/, /labels: \[a, b\]/],
    ["bad date", "---\ntitle: T\ndefer_until: soon\n---\n", 3, /not a date/, /ISO 8601/],
    ["unknown field", "---\ntitle: T\nestimate: 3\n---\n", 3, /unknown field "estimate"/, /remove it/],
    ["broken YAML", "---\ntitle: T\nlabels: [a, b\nstatus: open\n---\n", 4, /invalid YAML/, /syntax/],
    ["bad indentation", "---\ntitle: T\n  status: open\n---\n", 3, /invalid YAML/, /syntax/],
    ["duplicate key", "---\ntitle: T\ntitle: U\n---\n", 3, /invalid YAML.*duplicate/, /syntax/],
    ["unclosed frontmatter", "---\ntitle: T\n", 1, /not closed/, /---/],
    ["not a mapping", "---\n- a\n- b\n---\n", 2, /not a list of fields/, /key: value/],
  ])("names the file, the line and the fix: %s", (_name, text, line, message, fix) => {
    const [first] = problems(text);
    expect(first).toMatchObject({ file: "tasks/bad.md", line });
    expect(first!.message).toMatch(message);
    expect(first!.fix).toMatch(fix);
  });

  it("reports every problem of a file at once, in line order", () => {
    const list = problems("---\npriority: 7\ntitle: T\nstatus: nope\n---\n");
    expect(list.map((p) => p.line)).toEqual([2, 4]);
    expect(() => parseTaskFile("---\npriority: 7\n---\n", "tasks/x.md")).toThrow(/tasks\/x\.md:2: priority/);
  });
});

describe("problem lines", () => {
  it("the body's line is the one after the closing ---, for a problem in the body", () => {
    expect(parseTaskFile("---\ntitle: t\npriority: 1\n---\nfirst\nsecond\n", "tasks/x.md").lines).toMatchObject({ title: 2, priority: 3, body: 5 });
  });
});
