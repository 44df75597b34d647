import { describe, expect, it } from "vitest";
import { classifyFailureText, isReconnectNotice, resetTimeOf } from "../../../src/agents/providers/limits.ts";

// Texts as the CLIs print them: Claude Code's "Claude AI usage limit reached|<epoch>" result
// (anthropics/claude-code #11429, #9046), codex's "Reconnecting... N/5 (…)" error lines
// (openai/codex #32984, nexu-io/open-design #1471) and its usage-limit message.
describe("reading a CLI agent's failure text", () => {
  it("a usage limit is a rate limit because of its words; the reset stamp is not a 5xx status", () => {
    expect(classifyFailureText("Claude AI usage limit reached|1767225600")).toBe("rate_limit");
    expect(resetTimeOf("Claude AI usage limit reached|1767225600")).toBe(1767225600 * 1000);
    // Stray digits that contain 5xx are not a server error.
    expect(classifyFailureText("patch failed at offset 1503 of file_1767225600.ts")).toBeUndefined();
    expect(classifyFailureText("API Error: 503 Service Unavailable")).toBe("server");
    expect(classifyFailureText("API Error: 429 rate_limit_error")).toBe("rate_limit");
    expect(classifyFailureText("{\"type\":\"overloaded_error\"}")).toBe("server");
  });

  it("codex reconnect lines are notices; a relative 'try again in' sets the reset", () => {
    expect(isReconnectNotice("Reconnecting... 1/5 (stream disconnected before completion: 503 Service Unavailable)")).toBe(true);
    expect(isReconnectNotice("stream error: Reconnecting... failed")).toBe(false);
    const now = Date.UTC(2026, 0, 1);
    expect(resetTimeOf("You've hit your usage limit. Upgrade to Pro or try again in 3 hours.", now)).toBe(now + 3 * 3600_000);
    expect(resetTimeOf("something else", now)).toBeUndefined();
  });
});
