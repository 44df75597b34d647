import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { anthropicSse, startLlmServer, type Answer, type LlmServer } from "../../helpers/llm-server.ts";
import type { TempRepo } from "../../helpers/repo.ts";
import { runRepos } from "../../helpers/run.ts";
import { eventsOnRef } from "../../helpers/rw.ts";

/**
 * Issue 13: no secret on the ref, in a transcript or in what rw prints, whoever echoes it: the
 * model (completion summary, streamed text split over deltas), a gate (its output tail in the
 * failure events), the provider (an error body quoting the key). The real @anthropic-ai/sdk talks
 * to a local server speaking the Messages SSE format (shapes: test/helpers/llm-server.ts).
 * Keys are chosen without a known key shape, so only value-based redaction can catch them.
 */
const rr = runRepos();
const servers: LlmServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function server(answers: Answer[] | ((n: number) => Answer)): Promise<LlmServer> {
  const s = await startLlmServer(typeof answers === "function" ? (_req, n) => answers(n) : answers);
  servers.push(s);
  return s;
}

/** The key the SDK sent (x-api-key, or a bearer token with a base_url). */
const sentKey = (s: LlmServer): unknown => {
  const h = s.requests[0]?.headers;
  return h?.["x-api-key"] ?? h?.authorization?.replace(/^Bearer /, "");
};

/** Everything a secret could land in: the whole history of the state ref (patches and messages), transcripts, the ref's files. */
function everywhere(repo: TempRepo): string {
  const logs = join(repo.dir, ".git", "rewind", "logs");
  let transcripts = "";
  try {
    for (const f of readdirSync(logs)) transcripts += readFileSync(join(logs, f), "utf8");
  } catch {
    // no transcripts written
  }
  return `${repo.git(["log", "-p", "rewind"])}\n${repo.git(["show", "rewind:STATE.md"])}\n${transcripts}`;
}

describe("secrets are redacted in every event, transcript and printed line (the built rw, the real SDK)", () => {
  it("an inline api_key echoed by the agent, printed by a gate and split over streamed deltas reaches neither the ref, the transcripts nor stdout/stderr", async () => {
    const KEY = "inl1neKeyValue-Zq8wX3vN5mR7"; // no sk-… shape: only the inline value identifies it
    const s = await server((n) => n === 0
      ? anthropicSse({ text: `Looking around; the key is ${KEY} apparently.\n`, tools: [{ id: "toolu_1", name: "finish", input: { summary: `tried with key ${KEY}` } }] })
      : anthropicSse({ tools: [{ id: "toolu_2", name: "write_file", input: { path: "done.txt", content: "ok\n" } }, { id: "toolu_3", name: "finish", input: { summary: `done.txt written using ${KEY}` } }] }));
    const { repo } = await rr.configured([
      // The gate reads the committed config (the worktree has it) and prints the key line each time.
      `gates = ["grep api_key .rewind/config.toml; test -f done.txt"]`, `max_retries = 2`,
      `[roles.worker]`, `provider = "anthropic"`, `model = "claude-sonnet-4-6"`, `base_url = "${s.url}"`, `api_key = "${KEY}"`, `retries = 0`,
    ].join("\n"));
    const id = await repo.rwOk(["create", "Write done.txt"]);
    const run = await repo.rw(["run", "--task", id]);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    // The key really was the one in use (the SDK sent it), so every place below had a chance to leak it.
    expect(sentKey(s)).toBe(KEY);
    const events = eventsOnRef(repo).filter((e) => e.task === id);
    const failed = events.find((e) => e.type === "task.failed");
    const completed = events.find((e) => e.type === "task.completed");
    expect(JSON.stringify(failed?.data)).toContain("api_key = \\\"[REDACTED]\\\""); // the gate's output tail, redacted
    expect(completed?.data.summary).toBe("done.txt written using [REDACTED]");
    expect(everywhere(repo)).not.toContain(KEY);
    expect(everywhere(repo)).toContain("the key is [REDACTED] apparently"); // the transcript kept the text around it
    expect(run.stdout + run.stderr).not.toContain(KEY);
    const shown = await repo.rw(["log", "--task", id, "--json"]);
    expect(shown.stdout).toContain("[REDACTED]");
    expect(shown.stdout + shown.stderr).not.toContain(KEY);
  });

  it("a provider error body quoting the key (from a variable of any name) is redacted in the failure event, the transcript and the printed error", async () => {
    const KEY = "envKeyValue-Pm4Tq9Lx2Vb6"; // in MY_LLM: not a secret-like name, but api_key_env names it
    const s = await server([{ status: 401, body: { type: "error", error: { type: "authentication_error", message: `the key ${KEY} is not valid for this organization` } } }]);
    const { repo } = await rr.configured([
      `max_retries = 1`,
      `[roles.worker]`, `provider = "anthropic"`, `model = "claude-sonnet-4-6"`, `base_url = "${s.url}"`, `api_key_env = "MY_LLM"`, `retries = 0`,
    ].join("\n"));
    const id = await repo.rwOk(["create", "Anything"]);
    const run = await repo.rw(["run", "--task", id], { env: { MY_LLM: KEY } });
    expect(s.requests.length).toBeGreaterThan(0);
    expect(sentKey(s)).toBe(KEY);
    // A refused key stops the run and releases the task (or fails it): either event quotes the error body.
    const ended = eventsOnRef(repo).find((e) => e.task === id && (e.type === "task.failed" || e.type === "task.released"));
    expect(JSON.stringify(ended?.data)).toContain("the key [REDACTED] is not valid");
    expect(run.stdout + run.stderr).toContain("the key [REDACTED] is not valid");
    expect(everywhere(repo)).not.toContain(KEY);
    expect(run.stdout + run.stderr).not.toContain(KEY);
    const agent = await repo.rw(["agent", "run", "--role", "worker", "--task", id], { env: { MY_LLM: KEY } });
    expect(agent.stdout + agent.stderr).toContain("[REDACTED]");
    expect(agent.stdout + agent.stderr).not.toContain(KEY);
  });

  it("text a user or an agent types with a key in it (env or shape) is stored and printed redacted", async () => {
    const { repo } = await rr.configured();
    const env = { DEPLOY_TOKEN: "dpl-Wq3rT8yU1iO5pA7s" };
    const id = await repo.rwOk(["create", "Rotate the deploy token", "--body", `Current value ${env.DEPLOY_TOKEN}; old one sk-ant-api03-abcdefghijklmnop`], { env });
    const note = await repo.rw(["note", id, `tried Authorization: Bearer ab12cd34ef56gh78ij90 and ${env.DEPLOY_TOKEN}`], { env });
    expect(note.code, note.stderr).toBe(0);
    const text = everywhere(repo) + repo.git(["show", `rewind:tasks/${id}.md`]);
    for (const secret of [env.DEPLOY_TOKEN, "sk-ant-api03-abcdefghijklmnop", "ab12cd34ef56gh78ij90"]) expect(text).not.toContain(secret);
    expect(text).toContain("Bearer [REDACTED]");
    // A task title that mentions tokens in prose is left alone.
    expect(repo.git(["show", `rewind:tasks/${id}.md`])).toContain("Rotate the deploy token");
    const shown = await repo.rw(["show", id], { env });
    expect(shown.stdout).not.toContain(env.DEPLOY_TOKEN);
  });

  it("a printed error quoting the planner's inline api_key (rw plan, provider 401 echoing it) shows it redacted, text and --json", async () => {
    const KEY = "inl1neKeyValue-Hh5Jj6Kk7Ll8";
    const s = await server([{ status: 401, body: { type: "error", error: { type: "authentication_error", message: `the key ${KEY} is not valid` } } }]);
    const { repo } = await rr.configured([`[roles.planner]`, `provider = "anthropic"`, `model = "claude-sonnet-4-6"`, `base_url = "${s.url}"`, `api_key = "${KEY}"`, `retries = 0`].join("\n"));
    writeFileSync(join(repo.dir, "prd.md"), "# Tiny\n\nBuild a tiny thing.\n");
    for (const args of [["plan", "prd.md"], ["plan", "prd.md", "--json"]]) {
      const r = await repo.rw(args);
      expect(r.code).not.toBe(0);
      expect(sentKey(s)).toBe(KEY);
      expect(r.stdout + r.stderr).toContain("the key [REDACTED] is not valid");
      expect(r.stdout + r.stderr).not.toContain(KEY);
    }
    expect(everywhere(repo)).not.toContain(KEY);
  });


});
