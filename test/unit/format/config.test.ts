import { describe, expect, it } from "vitest";
import { RwError } from "../../../src/domain/errors.ts";
import { DEFAULT_REF, defaultConfig, parseConfig } from "../../../src/format/config.ts";
import { readTemplate } from "../../../src/store/templates.ts";

const FILE = "/repo/.rewind/config.toml";

function refused(text: string): RwError {
  try {
    parseConfig(text, FILE);
  } catch (err) {
    expect(err).toBeInstanceOf(RwError);
    return err as RwError;
  }
  throw new Error("expected the config to be refused");
}

describe("parseConfig", () => {
  it("an empty file gives the defaults", () => {
    const cfg = parseConfig("", FILE);
    expect({ ...cfg, raw: undefined }).toEqual({ ...defaultConfig(), raw: undefined });
    expect(cfg.store.ref).toBe(DEFAULT_REF);
    expect(cfg.claims.lease_ms).toBe(30 * 60_000);
    expect(cfg.execution.max_retries).toBe(3);
  });

  it("the shipped template (commented defaults) parses to the defaults plus the prefix", async () => {
    const text = (await readTemplate("config.toml")).replaceAll("{{prefix}}", "abc");
    const cfg = parseConfig(text, FILE);
    expect(cfg.ids.prefix).toBe("abc");
    expect(cfg.claims.lease_ms).toBe(defaultConfig().claims.lease_ms);
    expect(cfg.execution.max_retries).toBe(defaultConfig().execution.max_retries);
  });

  it("reads every core key and keeps other sections for their owners", () => {
    const cfg = parseConfig(
      ['version = 1', '[ids]', 'prefix = "bd"', '[store]', 'ref = "refs/heads/state"', '[claims]', 'lease = "1h30m"',
        '[execution]', 'max_retries = 5', 'gates = ["npm test", "npm run lint"]', '[roles.worker]', 'model = "x"'].join("\n"),
      FILE,
    );
    expect(cfg.ids.prefix).toBe("bd");
    expect(cfg.store.ref).toBe("refs/heads/state");
    expect(cfg.claims.lease_ms).toBe(90 * 60_000);
    expect(cfg.execution).toMatchObject({ max_retries: 5, gates: ["npm test", "npm run lint"] });
    expect(cfg.raw.roles).toEqual({ worker: { model: "x" } });
  });

  it("bad TOML names the file and the line", () => {
    const err = refused('version = 1\n[ids]\nprefix = "rw\n');
    expect(err.code).toBe("config");
    expect(err.exitCode).toBe(1);
    expect(err.message).toMatch(new RegExp(`^${FILE} line 3: invalid TOML`));
    expect(err.hint).toMatch(/fix the syntax|rw init/);
  });

  it("a bad table header names its line", () => {
    expect(refused("version = 1\n\n\n[ids\n").message).toContain("line 4");
  });

  const cases: Array<[string, string, string, RegExp]> = [
    ["an unknown key in [claims]", '[claims]\nleese = "30m"', "claims.leese", /known keys in \[claims\]: lease/],
    ["an unknown key in [ids]", '[ids]\npefix = "rw"', "ids.pefix", /known keys in \[ids\]: prefix/],
    ["an unknown key in [store]", '[store]\nrefs = "refs/heads/x"', "store.refs", /known keys in \[store\]: ref/],
    ["a section that is not a table", 'claims = "30m"', "claims", /\[claims\]/],
    ["another version", "version = 2", "version", /config version 1/],
    ["a ref outside refs/", '[store]\nref = "rewind"', "store.ref", /refs\/heads\/rewind/],
    ["a ref with ..", '[store]\nref = "refs/heads/../x"', "store.ref", /e\.g\./],
    ["a prefix with a dash", '[ids]\nprefix = "my-app"', "ids.prefix", /prefix = "rw"/],
    ["a lease that is a number", "[claims]\nlease = 30", "claims.lease", /lease = "30m"/],
    ["a lease that is not a duration", '[claims]\nlease = "30 minutes"', "claims.lease", /30m|90s/],
    ["max_retries zero", "[execution]\nmax_retries = 0", "execution.max_retries", /max_retries = 3/],
    ["max_retries as text", '[execution]\nmax_retries = "3"', "execution.max_retries", /max_retries = 3/],
    ["gates as a string", '[execution]\ngates = "npm test"', "execution.gates", /gates = \["npm test"\]/],
  ];
  it.each(cases)("refuses %s, naming the file, the key and the fix", (_name, text, key, fix) => {
    const err = refused(text);
    expect(err.code).toBe("config");
    expect(err.exitCode).toBe(1);
    expect(err.message).toContain(FILE);
    expect(err.message).toContain(key);
    expect(err.data).toMatchObject({ file: FILE, key });
    expect(err.hint).toMatch(fix);
  });
});
