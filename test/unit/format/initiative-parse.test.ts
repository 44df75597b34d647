import { describe, expect, it } from "vitest";
import type { Initiative } from "../../../src/domain/types.ts";
import { parseInitiativeFile } from "../../../src/format/initiative-parse.ts";
import { renderInitiative } from "../../../src/format/initiative-render.ts";
import { TaskFileError } from "../../../src/format/task-parse.ts";

const sample: Initiative = {
  id: "in-3m8d", title: "Auth: the rewrite", status: "in_progress",
  phases: [{ n: 1, title: "Token format", status: "done" }, { n: 2, title: "Login, then logout", status: "approved" }, { n: 3, title: "yes", status: "planned" }],
  created_at: "2026-11-21T09:51:00.000Z", updated_at: "2026-11-21T10:02:03.123Z",
  body: "\n# Concept\n\nKeep   this *exactly*.\n\n---\nnot frontmatter\n",
};

function problems(text: string, expectedId?: string): { line: number; message: string; fix: string }[] {
  try {
    parseInitiativeFile(text, ".rewind/initiatives/in-3m8d.md", expectedId);
  } catch (err) {
    expect(err).toBeInstanceOf(TaskFileError);
    return (err as TaskFileError).problems.map(({ line, message, fix }) => ({ line, message, fix }));
  }
  throw new Error("expected problems");
}

const file = (front: string, body = "Concept\n"): string => `---\n${front}\n---\n${body}`;

describe("initiative files parse back to what was rendered", () => {
  it("round-trips fields and keeps the body byte for byte", () => {
    const parsed = parseInitiativeFile(renderInitiative(sample), "x.md", "in-3m8d");
    expect(parsed.fields).toEqual({ id: sample.id, title: sample.title, status: sample.status, phases: sample.phases, created_at: sample.created_at, updated_at: sample.updated_at });
    expect(parsed.body).toBe(sample.body);
  });

  it("accepts block-style phases and a missing phase status (planned)", () => {
    const parsed = parseInitiativeFile(file("id: in-3m8d\ntitle: T\nstatus: draft\nphases:\n  - n: 1\n    title: One\n  - {n: 2, title: Two, status: planned}"), "x.md");
    expect(parsed.fields.phases).toEqual([{ n: 1, title: "One", status: "planned" }, { n: 2, title: "Two", status: "planned" }]);
  });
});

describe("invalid initiative files are refused with line and fix", () => {
  const cases: [string, string, { line: number; message: string }][] = [
    ["unknown status", "id: in-3m8d\ntitle: T\nstatus: started", { line: 4, message: 'unknown status "started"' }],
    ["bad phase status", "id: in-3m8d\ntitle: T\nstatus: draft\nphases:\n  - {n: 1, title: One, status: finished}", { line: 5, message: 'phase 1: unknown status "finished"' }],
    ["duplicate phase", "id: in-3m8d\ntitle: T\nstatus: draft\nphases:\n  - {n: 1, title: One}\n  - {n: 1, title: Again}", { line: 5, message: "phase number 1 appears twice" }],
    ["phase without n", "id: in-3m8d\ntitle: T\nstatus: draft\nphases:\n  - {title: One}", { line: 5, message: "phase 1: n must be a whole number from 1, got undefined" }],
    ["phases not a list", "id: in-3m8d\ntitle: T\nstatus: draft\nphases: one", { line: 5, message: "phases must be a list" }],
    ["unknown key", "id: in-3m8d\ntitle: T\nstatus: draft\nowner: me", { line: 5, message: 'unknown field "owner"' }],
    ["bad id", "id: ../x\ntitle: T\nstatus: draft", { line: 2, message: 'id "../x" is not a valid ID' }],
    ["missing title", "id: in-3m8d\nstatus: draft", { line: 2, message: "missing title" }],
  ];
  for (const [name, front, expected] of cases) {
    it(name, () => {
      const [first] = problems(file(front));
      expect(first!.line).toBe(expected.line);
      expect(first!.message).toContain(expected.message);
      expect(first!.fix).not.toBe("");
    });
  }

  it("invalid YAML points into the frontmatter", () => {
    const [first] = problems(file("id: in-3m8d\ntitle: [unclosed\nstatus: draft"));
    expect(first!.message).toContain("invalid YAML");
    expect(first!.line).toBeGreaterThanOrEqual(3);
    expect(first!.line).toBeLessThanOrEqual(4);
  });

  it("an id that does not match the file name", () => {
    expect(problems(file("id: in-aaaa\ntitle: T\nstatus: draft"), "in-3m8d")[0]!.message).toBe("id in-aaaa does not match the file name (in-3m8d.md)");
  });

  it("a file without frontmatter", () => {
    expect(problems("# Just a heading\n")[0]!.message).toBe("an initiative file needs frontmatter");
  });
});
