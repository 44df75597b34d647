import { describe, expect, it } from "vitest";
import { parseAnswers } from "../../../src/domain/decide-refine.ts";

describe("parseAnswers", () => {
  it.each([
    ["1. yes\n2. no", [[1, "yes"], [2, "no"]]],
    ["1) yes\n2) no", [[1, "yes"], [2, "no"]]],
    ["Q1: yes\nQ2: no", [[1, "yes"], [2, "no"]]],
    ["## 1\nyes, with\ntwo lines\n## 2\nno", [[1, "yes, with\ntwo lines"], [2, "no"]]],
    ["Answers for round 1\n\n1. Postgres\n\n3. later", [[1, "Postgres"], [3, "later"]]],
    ["no numbers at all", []],
  ])("%j", (text, expected) => {
    expect([...parseAnswers(text)]).toEqual(expected);
  });
});
