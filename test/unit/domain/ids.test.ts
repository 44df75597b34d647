import { describe, expect, it } from "vitest";
import { RwError } from "../../../src/domain/errors.ts";
import { assertValidId, derivePrefix, idFromBytes, isValidId, suffixLength, validPrefix } from "../../../src/domain/ids.ts";

describe("ID validation", () => {
  const valid = ["rw-7k2f", "US-003", "bd-a1b2", "a", "9", "A.b_c-d", "x".repeat(64), "rw-a.b"];
  it.each(valid)("accepts %j", (id) => {
    expect(isValidId(id)).toBe(true);
    expect(assertValidId(id)).toBe(id);
  });

  const invalid: Array<[string, string]> = [
    ["path traversal", "../x"],
    ["path traversal inside", "rw-..-x"],
    ["a bare ..", ".."],
    ["a slash", "a/b"],
    ["a backslash", "a\\b"],
    ["empty", ""],
    ["a space", "rw 7k2f"],
    ["a trailing newline", "rw-7k2f\n"],
    ["unicode letters", "rw-ключ"],
    ["an emoji", "rw-🙂"],
    ["65 characters", "x".repeat(65)],
    ["a leading dot", ".hidden"],
    ["a leading dash (an option)", "-rf"],
    ["a leading underscore", "_x"],
    ["a colon (a git revision)", "rewind:x"],
    ["a NUL byte", "a\0b"],
  ];
  it.each(invalid)("refuses %s", (_name, id) => {
    expect(isValidId(id)).toBe(false);
    let err: unknown;
    try {
      assertValidId(id, "dependency ID");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RwError);
    expect((err as RwError).code).toBe("invalid_id");
    expect((err as RwError).exitCode).toBe(2);
    expect((err as RwError).message).toBe(`invalid dependency ID ${JSON.stringify(id)}`);
    expect((err as RwError).hint).toMatch(/1-64 characters/);
  });
});

describe("hash IDs", () => {
  it.each([
    [[0], 4, "rw-0000"],
    [[255], 4, "rw-0073"],
    [[1, 0], 4, "rw-0074"],
    [[255, 255, 255, 255, 255, 255, 255, 255], 4, "rw-sgsf"],
    [[255, 255, 255, 255, 255, 255, 255, 255], 6, "rw-64sgsf"],
    [[0xde, 0xad, 0xbe, 0xef], 5, "rw-s9wxb"],
  ] as Array<[number[], number, string]>)("idFromBytes(%j, %i) = %s", (bytes, length, id) => {
    expect(idFromBytes("rw", Uint8Array.from(bytes), length)).toBe(id);
  });

  it("is base36 of the bytes, cut to the length, and always a valid ID", () => {
    for (let seed = 1; seed < 300; seed++) {
      const bytes = Uint8Array.from({ length: 8 }, (_, i) => (seed * 97 + i * 13) & 0xff);
      const id = idFromBytes("bd", bytes, 5);
      expect(id).toMatch(/^bd-[0-9a-z]{5}$/);
      expect(isValidId(id)).toBe(true);
    }
  });

  it.each([[0, 4], [499, 4], [500, 5], [1499, 5], [1500, 6], [100_000, 6]])("suffixLength(%i tasks) = %i", (count, length) => {
    expect(suffixLength(count)).toBe(length);
  });
});

describe("prefixes", () => {
  it.each([
    ["rewind", "rew"],
    ["rw", "rw"],
    ["api", "api"],
    ["my-cool-app", "mca"],
    ["My Project", "mp"],
    ["a-b-c-d-e-f", "abcd"],
    ["2024-app", "app"],
    ["123", "rw"],
    ["", "rw"],
    ["__", "rw"],
  ])("derivePrefix(%j) = %j", (name, prefix) => {
    expect(derivePrefix(name)).toBe(prefix);
    expect(validPrefix(prefix)).toBe(true);
  });

  it.each([["rw", true], ["bd", true], ["a1", true], ["1a", false], ["", false], ["has-dash", false], ["x".repeat(17), false]])("validPrefix(%j) = %s", (p, ok) => {
    expect(validPrefix(p)).toBe(ok);
  });
});
