import { describe, expect, it } from "vitest";
import { RwError } from "../../../src/domain/errors.ts";
import { resolveId } from "../../../src/domain/resolve-id.ts";
import { closest } from "../../../src/domain/suggest.ts";

const ids = { "slu-3le9": 1, "slu-3lx0": 1, "slu-a1b2": 1, "Mixed-Case": 1, "api-9zz": 1 };
const fail = (input: string): RwError => {
  try {
    resolveId(ids, input);
  } catch (err) {
    return err as RwError;
  }
  throw new Error(`resolved ${input}`);
};

describe("resolveId", () => {
  it.each([
    ["slu-3le9", "slu-3le9"],
    ["SLU-3LE9", "slu-3le9"],
    ["3le9", "slu-3le9"],
    ["3LE", "slu-3le9"],
    ["slu-a", "slu-a1b2"],
    ["a1", "slu-a1b2"],
    ["mixed-case", "Mixed-Case"],
    [" api-9zz ", "api-9zz"],
  ])("%s means %s", (input, id) => expect(resolveId(ids, input)).toBe(id));

  it("lists the candidates of an ambiguous prefix (a usage error, exit 2)", () => {
    const err = fail("3l");
    expect(err.message).toBe('task ID "3l" is ambiguous: slu-3le9, slu-3lx0');
    expect(err.exitCode).toBe(2);
    expect(err.data.candidates).toEqual(["slu-3le9", "slu-3lx0"]);
  });

  it.each(["constructor", "hasOwnProperty", "toString", "valueOf", "nope"])("%s is not found (exit 4)", (input) => {
    const err = fail(input);
    expect(err.code).toBe("not_found");
    expect(err.exitCode).toBe(4);
  });

  it("refuses what cannot be an ID", () => expect(fail("../x").code).toBe("invalid_id"));
});

describe("closest", () => {
  it.each([
    ["task_id", ["id", "lease", "force", "actor"], "id"],
    ["stauts", ["status", "label"], "status"],
    ["lables", ["labels", "limit"], "labels"],
    ["lsit", ["list", "init"], "list"],
    ["stat", ["status", "sync", "note"], "status"],
    ["zzzz", ["status", "list"], undefined],
    ["type", ["title"], undefined],
  ])("%s → %s", (name, known, want) => expect(closest(name, known)).toBe(want));
});
