import { describe, expect, it } from "vitest";
import { list, repeated, repeatedOptions } from "../../../src/cli/args.ts";

const defs = {
  label: { type: "string", alias: "l" },
  gate: { type: "string" },
  json: { type: "boolean" },
  id: { type: "positional" },
};

describe("repeatable options", () => {
  it.each([
    ["--label a --label b", { label: ["a", "b"], l: ["a", "b"] }],
    ["-l a --label=b -lc", { label: ["a", "b", "c"], l: ["a", "b", "c"] }],
    ["--label a", {}],
    ["--gate 'npm test' --gate 'make lint' --json", { gate: ["npm test", "make lint"] }],
    ["--label a -- --label b", {}],
    ["--json --json", {}],
  ])("%s", (line, expected) => {
    const argv = (line.match(/'[^']*'|\S+/g) ?? []).map((t) => t.replace(/^'|'$/g, ""));
    expect(repeatedOptions(defs, argv)).toEqual(expected);
  });

  it("list() splits on commas; repeated() keeps commas", () => {
    expect(list(["a,b", "c"])).toEqual(["a", "b", "c"]);
    expect(list(undefined)).toEqual([]);
    expect(repeated(["x, y", "z"])).toEqual(["x, y", "z"]);
  });
});
