import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { decideImport, type ImportPlan } from "../../../src/domain/decide-import.ts";
import type { DecideContext } from "../../../src/domain/decide.ts";
import { fold } from "../../../src/domain/fold.ts";
import { emptyState } from "../../../src/domain/types.ts";
import { planBacklogMd, cleanBody } from "../../../src/import/backlog-md.ts";
import { planBeads } from "../../../src/import/beads.ts";
import { checklistOf, criteriaFromText, labelOf, rankPriorities } from "../../../src/import/common.ts";
import { referencedDeps } from "../../../src/import/github.ts";
import { criteriaText, joinSections, splitSections } from "../../../src/import/sections.ts";
import { planTaskMaster } from "../../../src/import/taskmaster.ts";

const FIX = resolve(import.meta.dirname, "../../fixtures");
const read = (p: string): string => readFileSync(join(FIX, p), "utf8");

function ctx(): DecideContext {
  let n = 0;
  return { actor: "importer", now: "2026-11-21T10:00:00.000Z", nextEventId: () => `E${String(n++).padStart(4, "0")}`, randomBytes: (k) => new Uint8Array(k), config: { prefix: "rw", leaseMs: 1_800_000, maxRetries: 3 } };
}

/** Imports a plan into an empty state and returns the folded tasks. */
function land(plan: ImportPlan) {
  const d = decideImport(plan)(emptyState(), ctx());
  return { state: fold(d.events), result: d.result };
}

describe("beads", () => {
  const plan = planBeads(read("beads/.beads/issues.jsonl"), "issues.jsonl");
  const { state, result } = land(plan);
  const t = state.tasks;

  it.each([
    ["bd-a1b2", "open", 1, "epic"],
    ["bd-c3d4", "done", 1, "feature"],
    ["bd-e5f6", "in_progress", 0, "task"],
    ["bd-g7h8", "blocked", 2, "feature"],
    ["bd-k1l2", "open", 1, "bug"],
    ["bd-m3n4", "blocked", 4, "chore"],
  ])("%s keeps status %s, priority %i and type %s", (id, status, priority, type) => {
    expect(t[id]).toMatchObject({ status, priority, type });
  });

  it("maps blocks to deps and parent-child to parent; drops related links and tombstones, and says so", () => {
    expect(t["bd-e5f6"]).toMatchObject({ deps: ["bd-c3d4"], parent: "bd-a1b2", assignee: "agent-2" });
    expect(t["bd-g7h8"]!.deps).toEqual(["bd-c3d4"]);
    expect(t["bd-p5q6"]).toBeUndefined();
    expect(result.notes).toContainEqual({ kind: "tombstone", item: "bd-p5q6", text: "deleted in beads (tombstone); not imported" });
    expect(result.notes.some((d) => d.item === "bd-g7h8" && d.kind === "link-dropped" && d.text.startsWith("related link to bd-k1l2"))).toBe(true);
    expect(result.counts).toMatchObject({ imported: 7, tombstone: 1 });
  });

  it("puts design, acceptance criteria and notes in the body, comments in notes, close reason on completion", () => {
    expect(t["bd-c3d4"]!.body).toBe(
      "POST /login returns a signed token for valid credentials.\n\n## Design\n\nJWT, 15 minute expiry, refresh token in an httpOnly cookie.\n\n" +
      "## Acceptance criteria\n\n- [x] valid credentials return 200 and a token\n- [x] invalid credentials return 401 and no token\n",
    );
    expect(t["bd-c3d4"]!.notes).toEqual([{ ts: "2025-10-02T11:00:00.000Z", actor: "alice", text: "Using jose rather than jsonwebtoken" }]);
    expect(t["bd-c3d4"]).toMatchObject({ assignee: "alice", created_at: "2025-10-01T09:05:00.000Z" });
    expect(t["bd-e5f6"]!.body).toContain("- [ ] sixth attempt within a minute returns 429\n");
  });

  it("skips a broken line, names it, and imports the rest", () => {
    const p = planBeads('{"id":"a","title":"x"}\n{oops\n{"id":"b","title":"y"}\n', "issues.jsonl");
    expect(p.tasks.map((x) => x.id)).toEqual(["a", "b"]);
    expect(p.notes).toContainEqual(expect.objectContaining({ kind: "skipped", item: "issues.jsonl line 2", problem: true }));
    expect(() => decideImport(p, { strict: true })(emptyState(), ctx())).toThrow("1 malformed item: issues.jsonl line 2");
  });
});

describe("Task Master", () => {
  const { state, result } = land(planTaskMaster(read("taskmaster/.taskmaster/tasks/tasks.json"), "tasks.json"));
  const t = state.tasks;

  it.each([
    ["1", "done", 1], ["2", "open", 1], ["2.1", "done", 1], ["2.2", "open", 1], ["2.3", "blocked", 1],
    ["3", "open", 2], ["4", "cancelled", 3], ["5", "open", 1], ["ui-redesign-1", "open", 2], ["ui-redesign-2", "blocked", 3],
  ])("task %s is %s with priority %i", (id, status, priority) => {
    expect(t[id]).toMatchObject({ status, priority });
  });

  it("turns subtasks into child tasks and resolves sibling and parent.sub dependencies", () => {
    expect(t["2.2"]).toMatchObject({ parent: "2", deps: ["2.1"] });
    expect(t["2.3"]!.deps).toEqual(["2.2"]);
    expect(t["3"]!.deps).toEqual(["2", "2.2"]);
    expect(t["2"]!.type).toBe("epic");
    expect(t["ui-redesign-2"]).toMatchObject({ deps: ["ui-redesign-1"], labels: ["ui-redesign"] });
    expect(result.mapped).toContain("tags -> labels and ID prefixes (master, ui-redesign)");
  });

  it("keeps details and test strategy in the body", () => {
    expect(t["3"]!.body).toBe("Show invoices and their status to the user.\n\n## Details\n\nReuse the table component.\n\n## Test strategy\n\nPlaywright: the paid invoice shows a green badge.\n");
  });
});

describe("Backlog.md", () => {
  const root = join(FIX, "backlog/backlog");
  const files: Array<{ path: string; text: string }> = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else files.push({ path: relative(root, p), text: readFileSync(p, "utf8") });
    }
  };
  walk(root);
  const { state, result } = land(planBacklogMd(files));
  const t = state.tasks;

  it("imports tasks/ and completed/ with their columns, priorities, parents and dependencies", () => {
    expect(Object.keys(t).sort()).toEqual(["task-0", "task-1", "task-2", "task-2.1"]);
    expect(t["task-0"]).toMatchObject({ status: "done", assignee: "dave" });
    expect(t["task-1"]).toMatchObject({ status: "in_progress", priority: 1, labels: ["backend", "catalogue", "M1-Browse"], assignee: "carol" });
    expect(t["task-2"]).toMatchObject({ status: "open", title: "Product search: full text", deps: ["task-1"], priority: 2 });
    expect(t["task-2.1"]).toMatchObject({ status: "open", parent: "task-2", labels: ["review"], priority: 3 });
    expect(result.notes).toContainEqual(expect.objectContaining({ kind: "draft", item: "backlog/drafts/task-9 - Maybe-recommendations.md" }));
  });

  it("turns Backlog.md's numbered criteria into rw's checklist and drops section markers", () => {
    expect(t["task-1"]!.body).toContain("## Acceptance criteria\n- [x] GET /products returns a page of products\n- [ ] GET /categories returns the category tree\n");
    expect(t["task-1"]!.body).not.toContain("<!--");
    expect(cleanBody("")).toBe("");
  });
});

describe("helpers", () => {
  it.each([
    ["Needs Review", "Needs-Review"], ["M1 - Browse", "M1-Browse"], ["a,b", "a-b"], ["  x  ", "x"],
  ])("labelOf(%j) = %j", (input, want) => expect(labelOf(input)).toBe(want));

  it.each([
    ["- [x] done\n- [ ] todo", [{ text: "done", checked: true }, { text: "todo", checked: false }]],
    ["first\n\n2. second", [{ text: "first", checked: false }, { text: "second", checked: false }]],
    ["[X] upper", [{ text: "upper", checked: true }]],
  ])("criteriaFromText(%j)", (input, want) => expect(criteriaFromText(input)).toEqual(want));

  it("turns list lines into checkboxes and keeps every other line of the criteria", () => {
    expect(checklistOf("Must:\n- a\n* [x] b\n[ ] c\n1. d\nplain", false)).toBe("Must:\n- [ ] a\n- [x] b\n- [ ] c\n- [ ] d\nplain");
    expect(checklistOf("- a", true)).toBe("- [x] a");
  });

  it("rank-maps priorities outside 0-4 keeping their order, and leaves 0-4 alone", () => {
    const same = rankPriorities([0, 3, 4]);
    expect([0, 3, 4].map(same)).toEqual([0, 3, 4]);
    const ranked = rankPriorities([1, 2, 3, 40, 80, 7]);
    const out = [1, 2, 3, 7, 40, 80].map(ranked);
    expect(out).toEqual([...out].sort((a, b) => a - b));
    expect(out[0]).toBe(0);
    expect(out[5]).toBe(4);
  });

  it("splits a joined body back into its sections, even when the description has the same heading", () => {
    const body = joinSections("Intro\n\n## Notes\n\nmine", [["Acceptance criteria", "- [ ] a\nprose"], ["Notes", "theirs"]]);
    expect(splitSections(body, ["Acceptance criteria", "Notes"])).toEqual({ description: "Intro\n\n## Notes\n\nmine", sections: { "Acceptance criteria": "- [ ] a\nprose", Notes: "theirs" } });
    expect(criteriaText("x\n\n### Acceptance Criteria:\n\nprose line\n- [ ] a\n\n## Next\n\ny\n")).toEqual({ text: "prose line\n- [ ] a", rest: "x\n\n## Next\n\ny" });
  });

  it("finds the issues a GitHub issue waits for", () => {
    expect(referencedDeps("Blocked by #12 and #13.\nDepends on: #4\n- [ ] #20\n- [x] #21 done\nsee other/repo#9 and #99")).toEqual([12, 13, 4, 20, 21]);
  });
});

describe("decideImport", () => {
  const base = (over: Partial<ImportPlan["tasks"][number]> = {}): ImportPlan["tasks"][number] => ({ id: "a", title: "A", status: "open", priority: 2, type: "task", labels: [], deps: [], body: "", ...over });

  it("refuses the whole import when an ID already exists, or renames it on request", () => {
    const state = fold(decideImport({ source: "x", tasks: [base()], notes: [], mapped: [] })(emptyState(), ctx()).events);
    const plan: ImportPlan = { source: "x", tasks: [base(), base({ id: "b", deps: ["a"] })], notes: [], mapped: [] };
    expect(() => decideImport(plan)(state, ctx())).toThrow(expect.objectContaining({ message: "1 of the imported IDs already exist here: a", exitCode: 1 }));
    const renamed = decideImport(plan, { renameOnClash: true })(state, ctx());
    expect(renamed.result.created).toEqual(["a-2", "b"]);
    expect(fold(renamed.events, structuredClone(state)).tasks.b!.deps).toEqual(["a-2"]);
    expect(renamed.result.counts).toMatchObject({ renamed: 1 });
  });

  it("keeps the first of two items with one ID and reports the second", () => {
    const { result } = land({ source: "x", notes: [], mapped: [], tasks: [base(), base({ title: "again" })] });
    expect(result.created).toEqual(["a"]);
    expect(result.notes).toContainEqual(expect.objectContaining({ kind: "duplicate", item: "a", problem: true }));
  });

  it("does not let the importing user claim an in-progress item nobody held", () => {
    const { state, result } = land({ source: "x", notes: [], mapped: [], tasks: [base({ status: "in_progress" })] });
    expect(state.tasks.a).toMatchObject({ status: "open" });
    expect(state.tasks.a!.assignee).toBeUndefined();
    expect(result.notes).toContainEqual(expect.objectContaining({ kind: "defaulted", item: "a" }));
  });

  it("drops unknown dependencies and the edge that closes a cycle, and reports both", () => {
    const { state, result } = land({ source: "x", notes: [], mapped: [], tasks: [base({ deps: ["b", "zzz"] }), base({ id: "b", deps: ["a"] })] });
    expect(result.notes.map((n) => `${n.item}: ${n.text}`)).toEqual(["a: dependency on zzz dropped (not in the source or here)", "b: dependency on a dropped (it closed a cycle)"]);
    expect(state.tasks.a!.deps).toEqual(["b"]);
    expect(state.tasks.b!.deps).toEqual([]);
  });

  it("skips an ID that could name a path, and reports it", () => {
    const { state, result } = land({ source: "x", notes: [], mapped: [], tasks: [base({ id: "../etc" }), base()] });
    expect(Object.keys(state.tasks)).toEqual(["a"]);
    expect(result.notes).toContainEqual(expect.objectContaining({ kind: "skipped", item: "../etc", problem: true }));
  });
});
