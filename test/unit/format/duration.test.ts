import { describe, expect, it } from "vitest";
import { RwError } from "../../../src/domain/errors.ts";
import { parseDuration } from "../../../src/format/duration.ts";

describe("parseDuration", () => {
  it.each([
    ["500ms", 500], ["90s", 90_000], ["30m", 1_800_000], ["2h", 7_200_000], ["1d", 86_400_000],
    ["1h30m", 5_400_000], ["1d2h3m4s5ms", 93_784_005], ["1.5h", 5_400_000], ["0.5s", 500],
  ] as Array<[string, number]>)("%s = %i ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "30", "m", "-5m", "0m", "0s0ms", "30 m", "1h 30m", "30min", "30M", "1w", "m30", " 30m", "30m ", "1e3s"])("refuses %j with a usage error naming the option", (text) => {
    let err: unknown;
    try {
      parseDuration(text, "--lease");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RwError);
    expect((err as RwError).code).toBe("usage");
    expect((err as RwError).exitCode).toBe(2);
    expect((err as RwError).message).toBe(`invalid --lease ${JSON.stringify(text)}`);
    expect((err as RwError).hint).toContain("30m");
  });
});
