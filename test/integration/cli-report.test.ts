import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { TempRepo } from "../helpers/repo.ts";
import { runIn, runRepos, ScriptedExecutor, writeIn } from "../helpers/run.ts";
import { rwFails, rwJson } from "../helpers/rw.ts";

// Issue 16: `rw report` (rewind-cn's diagnostic report), through the built rw, after a real
// `rw run` session (the loop with a scripted executor that really edits files; git, gates,
// merge and transcripts are real).
const repos = runRepos();
const SECRET_ENV = "supersecretvalue-4242";
const INLINE_KEY = "sk-proj-inlinesecret1234567890";

async function withSession(): Promise<{ repo: TempRepo; id: string }> {
  const { repo } = await repos.configured(`gates = ["test -f hello.txt"]\n[roles.planner]\nprovider = "openai"\napi_key = "${INLINE_KEY}"`);
  const id = await repo.rwOk(["create", "Say hello", "--body", `Write hello.txt. The deploy token is ${SECRET_ENV}.`]);
  const exec = new ScriptedExecutor((req) => writeIn(req, "hello.txt", "hello\n"));
  const { summary } = await runIn(repo, exec);
  expect(summary.completed).toEqual([id]);
  return { repo, id };
}

describe("rw report", { timeout: 240_000 }, () => {
  it("writes one anonymised file: versions, redacted config, doctor, the last session's events and transcript", async () => {
    const { repo, id } = await withSession();
    const env = { HOME: repo.dir, DEPLOY_TOKEN: SECRET_ENV };
    const res = await repo.rw(["report"], { env });
    expect(res.code, res.stderr).toBe(0);
    const path = res.stdout.trim();
    expect(path).toMatch(/\.git\/rewind\/reports\/rw-report-.*\.md$/);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const text = readFileSync(path, "utf8");
    expect(text).toContain("# rw diagnostic report");
    expect(text).toMatch(/- rw \d+\.\d+\.\d+\n- node v\d+/);
    expect(text).toMatch(/- git version \d/);
    expect(text).toContain("## rw doctor");
    expect(text).toContain('"ok": true');
    expect(text).toMatch(/## Session \S+/);
    expect(text).toContain('"type":"session.started"');
    expect(text).toContain(`"type":"task.completed","task":"${id}"`);
    expect(text).toContain(`### Transcript of ${id}`);
    expect(text).toContain("test -f hello.txt");
    // Anonymised: no home path, no git name or e-mail; secrets redacted by key and by value.
    expect(text).toContain("~/.rewind/config.toml");
    expect(text).not.toContain(repo.dir);
    expect(text).not.toContain("Test User");
    expect(text).not.toContain("test@example.com");
    expect(text).not.toContain(INLINE_KEY);
    expect(text).toMatch(/\napi_key = "?\[REDACTED\]"?\n/);
    expect(text).not.toContain(SECRET_ENV);

    const json = await rwJson<{ path: string; bytes: number; session: string }>(repo, ["report", "--full", "-o", "diag.md"], { env });
    expect(json.path).toBe(join(repo.dir, "diag.md"));
    expect(json.bytes).toBe(Buffer.byteLength(readFileSync(json.path, "utf8")));
    expect((await rwJson<{ session: string }>(repo, ["report", "--session", json.session.slice(0, 8), "-o", "again.md"], { env })).session).toBe(json.session);
    await rwFails(repo, ["report", "--session", "nope"], 4, 'no session "nope"');
  });

  it("without any session it still reports versions, config and doctor", async () => {
    const { repo } = await repos.configured();
    await repo.rwOk(["create", "Something"]);
    const path = await repo.rwOk(["report"]);
    const text = readFileSync(path, "utf8");
    expect(text).toContain("No agent session recorded yet");
    expect(text).toContain('"type":"task.created"');
    expect(text).toContain("## Configuration");
  });
});
