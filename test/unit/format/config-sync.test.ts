import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/format/config.ts";

describe("[sync] in .rewind/config.toml", () => {
  it("defaults to origin, local claims, no auto-sync", () => {
    expect(parseConfig("version = 1\n").sync).toEqual({ remote: undefined, claims: "local", auto: false, interval_ms: 60_000 });
  });

  it("reads every key", () => {
    const cfg = parseConfig('[sync]\nremote = "upstream"\nclaims = "remote"\nauto = true\ninterval = "90s"\n');
    expect(cfg.sync).toEqual({ remote: "upstream", claims: "remote", auto: true, interval_ms: 90_000 });
  });

  it.each([
    ['[sync]\nclaims = "everywhere"\n', /sync\.claims is "everywhere"/],
    ["[sync]\nauto = 1\n", /sync\.auto must be true or false/],
    ['[sync]\ninterval = "soon"\n', /sync\.interval is not a duration: "soon"/],
    ['[sync]\nremote = ""\n', /sync\.remote must be a git remote/],
    ['[sync]\nremotes = "origin"\n', /sync\.remotes is not a known setting/],
  ])("refuses %j with a message naming the key", (text, message) => {
    expect(() => parseConfig(text, ".rewind/config.toml")).toThrow(message);
  });
});
