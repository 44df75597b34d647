import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { agentFixtures } from "../../helpers/agent-repo.ts";
import { anthropicSse } from "../../helpers/llm-server.ts";
import { seedTasks } from "../../helpers/race.ts";
import type { TempRepo } from "../../helpers/repo.ts";
import { configure, runRepos } from "../../helpers/run.ts";
import { eventsOnRef } from "../../helpers/rw.ts";

/**
 * `rw run` with a misconfigured provider, from the built binary: the real @anthropic-ai/sdk
 * against test/helpers/llm-server.ts (which answers GET /v1/models like the real API for the
 * preflight check). Nothing may be claimed, blocked, retried or left behind.
 */
const fixtures = runRepos();
const llm = agentFixtures();
const KEY = { RW_TEST_ANTHROPIC_KEY: "sk-ant-test-preflight-0000000000" };

interface ShownTask { status: string; retry_count: number; assignee?: string }

/** Five open tasks in one commit (what a refused run must leave alone; creating them is not under test). */
function fiveTasks(repo: TempRepo): Promise<string[]> {
  return seedTasks(repo.dir, 5, (i) => `Task ${i + 1}`);
}

const anthropicWorker = (baseUrl: string): string =>
  `[roles.worker]\nprovider = "anthropic"\nmodel = "claude-sonnet-4-6"\nbase_url = ${JSON.stringify(baseUrl)}\napi_key_env = "RW_TEST_ANTHROPIC_KEY"\nretries = 0\n`;

/** What a refused run must leave: every task open with no retries, no claim event, no worktree, no rw/<id> branch. */
async function expectNothingBurned(repo: TempRepo, wtDir: string, ids: string[], opts: { claimed?: boolean } = {}): Promise<void> {
  for (const id of ids) {
    const t = (JSON.parse(await repo.rwOk(["show", id, "--json"])) as { task: ShownTask }).task;
    expect(t, id).toMatchObject({ status: "open", retry_count: 0 });
    expect(t.assignee).toBeUndefined();
  }
  const types = eventsOnRef(repo).map((e) => e.type);
  for (const t of ["task.failed", "task.blocked"]) expect(types).not.toContain(t);
  if (!opts.claimed) for (const t of ["task.claimed", "session.started"]) expect(types).not.toContain(t);
  const left = existsSync(wtDir) ? readdirSync(wtDir).filter((f) => ids.includes(f)) : [];
  expect(left, "task worktrees left behind").toEqual([]);
  expect(repo.git(["branch", "--list", "rw/*"]).trim(), "rw/<id> branches left behind").toBe("");
  await repo.rwOk(["doctor"]);
}

describe("rw run's preflight refuses a misconfigured run before claiming anything", { timeout: 180_000 }, () => {
  it("no API key: exit 1, one problem with its fix; --dry-run prints the same check", async () => {
    const server = await llm.server([anthropicSse({ text: "unused" })]);
    const { repo, wtDir } = await fixtures.configured();
    configure(repo, wtDir, `max_retries = 3\n${anthropicWorker(server.url)}`);
    const ids = await fiveTasks(repo);
    const run = await repo.rw(["run", "--parallel", "2"]);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stderr).toContain("rw run cannot start (1 problem; nothing was claimed)");
    expect(run.stderr).toMatch(/worker: anthropic claude-sonnet-4-6: no API key: RW_TEST_ANTHROPIC_KEY is not set\n\s+fix: export RW_TEST_ANTHROPIC_KEY=/);
    expect(server.requests).toHaveLength(0);
    await expectNothingBurned(repo, wtDir, ids);

    const dry = await repo.rw(["run", "--dry-run"]);
    expect(dry.code).toBe(1);
    expect(dry.stdout).toMatch(/FAIL\s+worker: anthropic claude-sonnet-4-6 — no API key/);
    expect(dry.stdout).toContain("fix: export RW_TEST_ANTHROPIC_KEY=");
    const json = JSON.parse((await repo.rw(["run", "--dry-run", "--json"])).stdout) as { preflight: { ok: boolean; problems: Array<{ problem: string; fix: string }> } };
    expect(json.preflight.ok).toBe(false);
    expect(json.preflight.problems).toHaveLength(1);
    expect(json.preflight.problems[0]!.fix).toContain("RW_TEST_ANTHROPIC_KEY");
  });

  it("a missing CLI binary: exit 1 with 'install … or set roles.worker.binary'", async () => {
    const { repo, wtDir } = await fixtures.configured();
    configure(repo, wtDir, `[roles.worker]\nprovider = "claude-code"\nbinary = "claude-not-installed-here"\n`);
    const ids = await fiveTasks(repo);
    const run = await repo.rw(["run"]);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stderr).toContain("claude-not-installed-here not found on PATH");
    expect(run.stderr).toContain("fix: install claude-not-installed-here or set roles.worker.binary to its path");
    await expectNothingBurned(repo, wtDir, ids);
    const dry = await repo.rw(["run", "--dry-run"]);
    expect(dry.code).toBe(1);
    expect(dry.stdout).toContain("claude-not-installed-here not found on PATH");
  });

  it("an unreachable base_url: exit 1 with 'cannot reach' and the setting to check", async () => {
    const server = await llm.server([anthropicSse({ text: "unused" })]);
    const url = server.url;
    await server.close(); // nothing listens on that port any more
    const { repo, wtDir } = await fixtures.configured();
    configure(repo, wtDir, anthropicWorker(url));
    const ids = await fiveTasks(repo);
    const run = await repo.rw(["run", "--parallel", "3"], { env: KEY });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`cannot reach ${url.replace(/[.]/g, "\\.")}/v1/models: ECONNREFUSED`));
    expect(run.stderr).toContain(`fix: check roles.worker.base_url (${url})`);
    await expectNothingBurned(repo, wtDir, ids);
  });

  it("a refused key and a dirty integration checkout: one message per problem", async () => {
    const server = await llm.server([anthropicSse({ text: "unused" })], { models: { status: 401, body: { type: "error", error: { type: "authentication_error", message: "invalid x-api-key" } } } });
    const { repo, wtDir } = await fixtures.configured();
    configure(repo, wtDir, anthropicWorker(server.url));
    const ids = await fiveTasks(repo);
    writeFileSync(join(repo.dir, "notes.txt"), "v1\n");
    repo.git(["add", "notes.txt"]);
    repo.git(["commit", "-qm", "notes"]);
    writeFileSync(join(repo.dir, "notes.txt"), "v2, not committed\n"); // the user's own edit on main's checkout
    const run = await repo.rw(["run"], { env: KEY });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stderr).toContain("(2 problems; nothing was claimed)");
    expect(run.stderr).toMatch(/the API key was refused \(401/);
    expect(run.stderr).toContain("fix: check the key in RW_TEST_ANTHROPIC_KEY");
    expect(run.stderr).toMatch(/integration branch main: its checkout at .* has uncommitted changes \(notes\.txt\)/);
    expect(server.requests).toHaveLength(0);
    expect(readFileSync(join(repo.dir, "notes.txt"), "utf8")).toBe("v2, not committed\n");
    await expectNothingBurned(repo, wtDir, ids);
  });

  it("a 401 mid-run (preflight passed): the run stops, the claim is released, no retry is used, nothing is left", async () => {
    const unauthorized = { status: 401, body: { type: "error", error: { type: "authentication_error", message: "invalid x-api-key" } } };
    const server = await llm.server([unauthorized]);
    const { repo, wtDir } = await fixtures.configured();
    configure(repo, wtDir, `max_retries = 3\n${anthropicWorker(server.url)}`);
    const ids = await fiveTasks(repo);
    const run = await repo.rw(["run", "--parallel", "2"], { env: KEY });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(server.modelLists.length).toBeGreaterThanOrEqual(1); // the preflight asked, and the key was accepted there
    expect(server.requests.length).toBeGreaterThanOrEqual(1); // then the Messages call was refused
    expect(run.stderr).toMatch(/rw run stopped: .*401/);
    expect(run.stderr).toMatch(/was released and its retry count is unchanged/);
    await expectNothingBurned(repo, wtDir, ids, { claimed: true });
    const released = eventsOnRef(repo).filter((e) => e.type === "task.released");
    expect(released.length).toBeGreaterThanOrEqual(1);
    expect(eventsOnRef(repo).filter((e) => e.type === "task.claimed")).toHaveLength(released.length);
  });

  it("the verifier is checked only when a task in scope has open acceptance criteria; the planner never", async () => {
    const { repo, wtDir } = await fixtures.configured();
    const verifier = `[roles.verifier]\nprovider = "anthropic"\nmodel = "claude-sonnet-4-6"\nbase_url = "http://127.0.0.1:9"\napi_key_env = "RW_TEST_ANTHROPIC_KEY"\n`;
    // A run never plans: the planner's endpoint gets no request from the preflight.
    const plannerServer = await llm.server([anthropicSse({ text: "unused" })]);
    const planner = `[roles.planner]\nprovider = "anthropic"\nmodel = "claude-sonnet-4-6"\nbase_url = ${JSON.stringify(plannerServer.url)}\napi_key_env = "RW_TEST_PLANNER_KEY"\n`;
    const plannerKey = { RW_TEST_PLANNER_KEY: "sk-ant-test-planner-00000000000000" };
    configure(repo, wtDir, `[roles.worker]\nprovider = "fake"\n${verifier}${planner}`);
    const plain = await repo.rwOk(["create", "No criteria here"]);
    const checked = await repo.rwOk(["create", "With criteria", "--body", "Do it.\n\n## Acceptance criteria\n- [ ] it is done\n"]);
    // Everything in scope: one task has an open criterion, so the verifier (no key) refuses the run.
    const run = await repo.rw(["run"]);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stderr).toContain("verifier: anthropic claude-sonnet-4-6: no API key: RW_TEST_ANTHROPIC_KEY is not set");
    await expectNothingBurned(repo, wtDir, [plain, checked]);
    expect((await repo.rw(["run", "--task", checked])).code).toBe(1);
    // Only the task without criteria: the verifier is never called, so it is not checked.
    const dry = await repo.rwOk(["run", "--dry-run", "--task", plain], { env: plannerKey });
    expect(dry).not.toContain("verifier");
    expect(dry).toMatch(/ok\s+worker: fake/);
    const ok = await repo.rw(["run", "--task", plain], { env: plannerKey });
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(JSON.parse(await repo.rwOk(["show", plain, "--json"]))).toMatchObject({ task: { status: "done" } });
    expect(join(wtDir, plain)).not.toSatisfy(existsSync);
    expect(plannerServer.modelLists, "model lists asked of the planner's endpoint").toHaveLength(0);
  });
});
