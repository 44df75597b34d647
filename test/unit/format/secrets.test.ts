import { describe, expect, it } from "vitest";
import { configSecrets, lineRedactor, redact, redactDeep, redactKnown, redactKnownBytes, secretValues } from "../../../src/format/secrets.ts";

describe("secrets: what is redacted and what is left alone", () => {
  it.each([
    ["a known value anywhere", "deploy with xYz-1234567 now", ["xYz-1234567"], "deploy with [REDACTED] now"],
    ["Anthropic key shape", "key sk-ant-api03-abcdefghij", [], "key [REDACTED]"],
    ["GitHub token shape", "ghp_abcdefghijklmnopqrstuvwxyz0123", [], "[REDACTED]"],
    ["bearer token with digits", "Authorization: Bearer abc123def456ghi789", [], "Authorization: Bearer [REDACTED]"],
    ["prose about tokens", "refresh token verification-procedure later", [], "refresh token verification-procedure later"],
    ["short values are words, not secrets", "the cat sat", ["cat"], "the cat sat"],
  ])("%s", (_name, text, secrets, want) => {
    expect(redactKnown(text, secrets)).toBe(want);
  });

  it("redactKnownBytes redacts what redactKnown does, next to any UTF-8, and returns clean bytes as they are", () => {
    const texts = ["ünïcode ✓ then sk-ant-api03-abcdefghij", "日本語 Bearer abc123def456ghi789 ok", "plain text with xYz-1234567 inside", "nothing to hide here — ünïcode ✓ 日本語"];
    for (const text of texts) {
      const bytes = Buffer.from(text);
      const out = redactKnownBytes(bytes, ["xYz-1234567"]);
      expect(typeof out === "string" ? out : out.toString()).toBe(redactKnown(text, ["xYz-1234567"]));
    }
    const clean = Buffer.from(texts[3]!);
    expect(redactKnownBytes(clean, ["xYz-1234567"])).toBe(clean);
  });

  it("redact also takes out key=value pairs and URL credentials", () => {
    expect(redact('api_key = "abcd1234" and https://user:pw@host/x')).toBe('api_key = [REDACTED] and https://[REDACTED]@host/x');
  });

  it("secret-named variables count unless their value is a path, a flag or a number", () => {
    expect(secretValues({ MY_TOKEN: "tok-12345678", PASSWORD_STORE_DIR: "/home/u/.password-store", KEY_COUNT: "12345678", HOME: "/home/u", API_KEY: "short" })).toEqual(["tok-12345678"]);
  });

  it("config secrets: inline keys at any depth and the values of the variables *_env keys name; settings about tokens are not secrets", () => {
    const raw = { roles: { worker: { api_key: "inline-key-1234", token_param: "max_completion_tokens", max_tokens: 4096, api_key_env: "MY_LLM" } }, sync: { token: "sync-token-5678" } };
    expect(configSecrets(raw, { MY_LLM: "from-env-abcdef", OTHER: "zzzzzzzzzz" }).sort()).toEqual(["from-env-abcdef", "inline-key-1234", "sync-token-5678"]);
  });

  it("redactDeep returns the same object when nothing changed and keeps a __proto__ key a key", () => {
    const clean = { a: ["x", { b: "y" }], n: 1 };
    expect(redactDeep(clean, ["secret-123456"])).toBe(clean);
    const data = JSON.parse('{"__proto__": "secret-123456", "x": "ok"}') as Record<string, unknown>;
    const out = redactDeep(data, ["secret-123456"]);
    expect(Object.keys(out)).toEqual(["__proto__", "x"]);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe('{"__proto__":"[REDACTED]","x":"ok"}');
  });

  it("lineRedactor catches a key split over streamed pieces and flushes the unfinished line", () => {
    const out: string[] = [];
    const w = lineRedactor((t) => out.push(t), (t) => redactKnown(t, ["split-secret-42"]));
    for (const piece of ["the key is spl", "it-secr", "et-42 ok\nand then split-sec", "ret-42"]) w.write(piece);
    expect(out.join("")).toBe("the key is [REDACTED] ok\n");
    w.flush();
    expect(out.join("")).toBe("the key is [REDACTED] ok\nand then [REDACTED]");
  });
});
