import { describe, expect, it } from "vitest";
import { anonymise, redactConfigText } from "../../../src/domain/anonymise.ts";
import { AGENTS_BEGIN, AGENTS_END, withAgentsSection } from "../../../src/domain/agent-guide.ts";

describe("anonymise", () => {
  const who = { home: "/home/alice", names: [["alice", "<user>"], ["Alice Smith", "<user>"], ["alice@example.com", "<email>"], ["al", "<user>"]] as Array<[string, string]> };
  it.each([
    ["a path under home", "opened /home/alice/src/app/.rewind/config.toml", "opened ~/src/app/.rewind/config.toml"],
    ["home itself", "cwd=/home/alice", "cwd=~"],
    ["a longer sibling path is not home", "/home/alicebob/x", "/home/alicebob/x"],
    ["the e-mail before the login", "by Alice Smith <alice@example.com>", "by <user> <<email>>"],
    ["the login as a word only", "alice and malice and alice_x", "<user> and malice and alice_x"],
    ["any case", "ALICE did it", "<user> did it"],
    ["short names are left alone", "also al and final", "also al and final"],
  ])("%s", (_name, input, expected) => {
    expect(anonymise(input, who)).toBe(expected);
  });
});

describe("redactConfigText", () => {
  it("replaces values of secret-named keys, keeps the names of variables that hold them", () => {
    const text = 'api_key = "sk-live-1"\napi_key_env = "MY_KEY"\n  token="abc" # note\nmodel = "x"\n# api_key = "commented"';
    expect(redactConfigText(text, (k) => /KEY|TOKEN/i.test(k), "[R]")).toBe('api_key = "[R]"\napi_key_env = "MY_KEY"\n  token="[R]"\nmodel = "x"\n# api_key = "commented"');
  });
});

describe("withAgentsSection", () => {
  it("creates, appends, updates in place, and reports unchanged", () => {
    const created = withAgentsSection(undefined, "hello");
    expect(created).toMatchObject({ change: "created" });
    const text = (created as { text: string }).text;
    expect(text.startsWith(`${AGENTS_BEGIN}\n`) && text.endsWith(`hello\n${AGENTS_END}\n`)).toBe(true);
    expect(withAgentsSection(text, "hello")).toEqual({ text, change: "unchanged" });
    const updated = withAgentsSection(`before\n${text}after`, "bye") as { text: string; change: string };
    expect(updated.change).toBe("updated");
    expect(updated.text.startsWith("before\n") && updated.text.endsWith(`bye\n${AGENTS_END}\nafter`)).toBe(true);
    const appended = withAgentsSection("mine", "x") as { text: string };
    expect(appended.text.startsWith("mine\n\n")).toBe(true);
  });
  it("refuses broken markers", () => {
    expect(withAgentsSection(`${AGENTS_BEGIN}\nno end`, "x")).toHaveProperty("error");
    expect(withAgentsSection(`${AGENTS_END}\n${AGENTS_BEGIN}`, "x")).toHaveProperty("error");
    expect(withAgentsSection(`${AGENTS_BEGIN}${AGENTS_END}${AGENTS_BEGIN}${AGENTS_END}`, "x")).toHaveProperty("error");
  });
});
