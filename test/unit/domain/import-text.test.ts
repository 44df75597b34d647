import { describe, expect, it } from "vitest";
import { decideImport, type ImportPlan, type ImportTask } from "../../../src/domain/decide-import.ts";
import type { DecideContext } from "../../../src/domain/decide.ts";
import { fold } from "../../../src/domain/fold.ts";
import { cleanText } from "../../../src/domain/import-text.ts";
import { badCharacter } from "../../../src/domain/text.ts";
import { emptyState } from "../../../src/domain/types.ts";

function ctx(): DecideContext {
  let n = 0;
  return { actor: "importer", now: "2026-11-21T10:00:00.000Z", nextEventId: () => `E${String(n++).padStart(4, "0")}`, randomBytes: (k) => new Uint8Array(k), config: { prefix: "rw", leaseMs: 1_800_000, maxRetries: 3 } };
}

const task = (over: Partial<ImportTask>): ImportTask => ({ id: "t-1", title: "T", status: "open", priority: 2, type: "task", labels: [], deps: [], body: "", ...over });

describe("import text: cleaned by the create/MCP rule, never refused item by item", () => {
  const cases: Array<[string, string, boolean, string]> = [
    ["a coloured word keeps the word", "log: \u001b[32mPASS\u001b[0m", false, "log: PASS"],
    ["an OSC title-setting sequence goes whole", "x\u001b]0;pwned\u0007y", true, "xy"],
    ["a C1 CSI sequence goes whole", "a\u009b2Jb", true, "ab"],
    ["a title's line breaks become one space", "Line one\r\nLine two\tend", true, "Line one Line two end"],
    ["NUL and DEL go", "nul\u0000del\u007f", true, "nuldel"],
    ["a body keeps tab, newline and CR", "a\tb\r\nc\u0000", false, "a\tb\r\nc"],
    ["a line separator in a title goes", "a\u2028b", true, "a b"],
  ];
  it.each(cases)("%s", (_name, input, line, expected) => {
    const out = cleanText(input, line);
    expect(out).toBe(expected);
    expect(badCharacter(out!, !line)).toBeUndefined();
  });

  it("clean text is left as it is (undefined: nothing to report)", () => {
    expect(cleanText("plain title", true)).toBeUndefined();
    expect(cleanText("body\n\twith tab\n", false)).toBeUndefined();
  });

  const plan: ImportPlan = {
    source: "test",
    mapped: [],
    notes: [{ kind: "skipped", item: "x\u001b[2J", text: "quoted \u001b]0;t\u0007 value" }],
    initiatives: [{ title: "Init\u001b[31m red", status: "draft", body: "b\u0000", phases: [{ n: 1, title: "P\none", status: "planned" }] }],
    tasks: [
      task({ id: "t-1", title: "Bad\ntitle", body: "x\u0001y", reason: "r\u0007", status: "done", assignee: "eve\u001b[2J", notes: [{ actor: "bob<b@x>", text: "n\u0000" }] }),
      task({ id: "t-2", gates: ["npm test", "rm -rf /\u0000"] }),
    ],
  };

  it("every field is clean in the events; each change is a problem note naming item and field", () => {
    const d = decideImport(plan)(emptyState(), ctx());
    const json = JSON.stringify(d.events);
    expect(json).not.toMatch(/\\u00(0[0-8]|1|7f|8|9)|\\u000[bc]|[\u0080-\u009f]/i);
    const state = fold(d.events);
    expect(state.tasks["t-1"]).toMatchObject({ title: "Bad title", body: "xy" });
    expect(state.tasks["t-1"]!.assignee).toBeUndefined();
    expect(state.tasks["t-1"]!.notes).toEqual([expect.objectContaining({ actor: "importer", text: "n" })]);
    expect(state.tasks["t-2"]!.gates).toEqual(["npm test"]);
    const init = Object.values(state.initiatives)[0]!;
    expect(init.title).toBe("Init red");
    expect(init.phases[0]!.title).toBe("P one");
    const notes = d.result.notes.map((n) => `${n.kind} ${n.item ?? ""}: ${n.text}`);
    expect(notes).toEqual(expect.arrayContaining([
      expect.stringMatching(/^text-cleaned t-1: title contained U\+000A \(newline\)/),
      expect.stringMatching(/^text-cleaned t-1: body contained U\+0001/),
      expect.stringMatching(/^text-cleaned t-1: close\/block reason contained U\+0007/),
      expect.stringMatching(/^text-cleaned t-1: note 1 contained U\+0000 \(NUL\)/),
      expect.stringMatching(/^actor-dropped t-1: assignee "eve\\u001b\[2J"/),
      expect.stringMatching(/^actor-dropped t-1: note 1's author "bob<b@x>".*recorded as the importing user/),
      expect.stringMatching(/^gate-dropped t-2: gate command .* dropped/),
      expect.stringMatching(/^text-cleaned initiative "Init.*: initiative title contained U\+001B/),
      expect.stringMatching(/phase 1 title contained U\+000A/),
    ]));
    // Values quoted from the source are printable in the report too.
    for (const n of d.result.notes) expect(badCharacter(`${n.item ?? ""}${n.text}`, false)).toBeUndefined();
  });

  it("--strict refuses the whole import and names the items", () => {
    expect(() => decideImport(plan, { strict: true })(emptyState(), ctx())).toThrow(/malformed item.*t-1 \(title contained U\+000A/);
  });
});
