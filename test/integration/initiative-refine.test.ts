import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { anthropicSse, startLlmServer, type LlmServer } from "../helpers/llm-server.ts";
import { baseEnv, makeRepo, RW_BIN, type TempRepo } from "../helpers/repo.ts";
import { eventsOnRef, expectDoctorOk, initRepo, rwFails, rwJson } from "../helpers/rw.ts";
import { NO_TMUX, startTmux, type Tmux } from "../helpers/tmux.ts";

/** `rw initiative refine`: the architect role asks, the user answers, the concept is revised; all of it events. */
describe("rw initiative refine", { timeout: 120_000 }, () => {
  let repo: TempRepo | undefined;
  let server: LlmServer | undefined;
  let tmux: Tmux | undefined;
  afterEach(async () => {
    tmux?.kill();
    tmux = undefined;
    repo?.cleanup();
    await server?.close();
    repo = undefined;
    server = undefined;
  });

  /** A repository with some code for the architect to read, and a draft initiative. */
  async function draftRepo(config: string): Promise<{ r: TempRepo; id: string }> {
    const r = makeRepo();
    repo = r;
    mkdirSync(join(r.dir, "src"));
    writeFileSync(join(r.dir, "src", "auth.js"), "export function login(user, password) { return user === 'admin'; }\n");
    r.git(["add", "."]);
    r.git(["commit", "-q", "-m", "code"]);
    await initRepo(r, config);
    const id = await r.rwOk(["initiative", "new", "Real authentication", "--body", "Replace the fake login with real password checks.\n"]);
    return { r, id };
  }

  const architectScript = (r: TempRepo, name: string, answer: unknown, explore: unknown[] = []): string => {
    const file = join(r.dir, ".rewind", name);
    writeFileSync(file, JSON.stringify({ turns: [...explore, { tool_calls: [{ name: "submit_refinement", input: answer }] }] }));
    return name;
  };
  const toolCalls = (r: TempRepo): Array<{ tool: string; ok: boolean; result: string }> =>
    eventsOnRef(r).filter((e) => e.type === "agent.tool_called").map((e) => e.data as { tool: string; ok: boolean; result: string });
  const fakeArchitect = (script: string): string => `[roles.architect]\nprovider = "fake"\nscript = ".rewind/${script}"\n`;

  it("two rounds: questions, answers recorded as decisions, the concept revised each time; doctor clean", async () => {
    const { r, id } = await draftRepo(fakeArchitect("architect.json"));
    architectScript(r, "architect.json", {
      questions: ["Which password hash: bcrypt or argon2?", "Must existing sessions survive the change?"],
      concept: "Replace the fake login in src/auth.js with real password checks.\n\n## Integration points\n- src/auth.js `login`\n",
      findings: ["src/auth.js: login() compares the user name only"],
    }, [
      { tool_calls: [{ name: "list_files", input: { path: "." } }] },
      { tool_calls: [{ name: "read_file", input: { path: "src/auth.js" } }] },
    ]);
    const first = await r.rwOk(["initiative", "refine", id]);
    expect(first).toContain("round 1, concept revised");
    expect(first).toContain("1. Which password hash: bcrypt or argon2?");
    expect(first).toContain("src/auth.js: login() compares the user name only");
    const shown = await r.rwOk(["initiative", "show", id]);
    expect(shown).toContain("## Integration points");
    expect(shown).toContain("Open questions (architect, round 1");
    // The architect really read the code through its tools, and each call is on the log.
    expect(toolCalls(r).map((c) => [c.tool, c.ok])).toEqual([["list_files", true], ["read_file", true], ["submit_refinement", true]]);

    architectScript(r, "architect.json", { questions: [], concept: "Replace the fake login in src/auth.js with argon2 password checks; sessions are dropped.\n" });
    writeFileSync(join(r.dir, "answers.md"), "1. argon2\n2. No: everyone logs in again,\n   that is acceptable.\n");
    const second = await rwJson<{ round: number; answers_recorded: number; questions: string[]; concept_changed: boolean }>(r, ["initiative", "refine", id, "--answers", "answers.md"]);
    expect(second).toMatchObject({ round: 2, answers_recorded: 2, questions: [], concept_changed: true });

    const show = await rwJson<{ initiative: { body: string; status: string }; decisions: Array<{ text: string; why?: string }>; refinement: { round: number; questions: string[] } }>(r, ["initiative", "show", id]);
    expect(show.initiative.body).toContain("argon2");
    expect(show.initiative.status).toBe("draft");
    expect(show.refinement).toMatchObject({ round: 2, questions: [] });
    expect(show.decisions.map((d) => [d.text, d.why])).toEqual([
      ["argon2", "architect question 1: Which password hash: bcrypt or argon2?"],
      ["No: everyone logs in again,\n   that is acceptable.", "architect question 2: Must existing sessions survive the change?"],
    ]);
    // Nothing lost between rounds: every concept version is in an initiative.edited event's data.prev.
    const edits = eventsOnRef(r).filter((e) => e.type === "initiative.edited");
    expect(edits.map((e) => (e.data.prev as { body: string }).body)).toEqual([
      "Replace the fake login with real password checks.\n",
      "Replace the fake login in src/auth.js with real password checks.\n\n## Integration points\n- src/auth.js `login`\n",
    ]);
    await expectDoctorOk(r);
  });

  it("the architect cannot write files or run commands: those calls are refused and nothing changes", async () => {
    const { r, id } = await draftRepo(fakeArchitect("architect.json"));
    architectScript(r, "architect.json", { questions: ["Scope?"], concept: "Same concept, sharper.\n" }, [
      { tool_calls: [{ name: "write_file", input: { path: "src/auth.js", content: "hacked" } }, { name: "run_command", input: { command: "ls" } }] },
    ]);
    await r.rwOk(["initiative", "refine", id]);
    expect(r.git(["show", "HEAD:src/auth.js"])).toContain("export function login");
    expect(r.git(["status", "--porcelain", "src"])).toBe("");
    const refused = toolCalls(r);
    const writes = refused.filter((c) => c.tool === "write_file" || c.tool === "run_command");
    expect(writes).toHaveLength(2);
    for (const c of writes) {
      expect(c.ok).toBe(false);
      expect(c.result).toMatch(/may not use/);
    }
  });

  it("refuses answers to questions that were not asked, and refining after submit; writes nothing", async () => {
    const { r, id } = await draftRepo(fakeArchitect("architect.json"));
    architectScript(r, "architect.json", { questions: ["Scope?"], concept: "Sharper.\n" });
    await r.rwOk(["initiative", "refine", id]);
    const before = r.git(["rev-parse", "rewind"]);
    writeFileSync(join(r.dir, "answers.md"), "1. everything\n3. a typo\n");
    await rwFails(r, ["initiative", "refine", id, "--answers", "answers.md"], 2, "answer 3 names no open question");
    expect(r.git(["rev-parse", "rewind"])).toBe(before);
    await r.rwOk(["initiative", "phase", "add", id, "Passwords"]);
    await r.rwOk(["initiative", "submit", id]);
    await rwFails(r, ["initiative", "refine", id], 3, "no longer a draft");
  });

  it("--answers-only records the answers without another architect call", async () => {
    const { r, id } = await draftRepo(fakeArchitect("architect.json"));
    architectScript(r, "architect.json", { questions: ["Which database?"], concept: "Sharper.\n" });
    await r.rwOk(["initiative", "refine", id]);
    const usageBefore = eventsOnRef(r).filter((e) => e.type === "agent.usage").length;
    const out = await r.rwOk(["initiative", "refine", id, "--answers", "-", "--answers-only"], { input: "1. Postgres\n" });
    expect(out).toContain("recorded 1 answer as decisions");
    expect(eventsOnRef(r).filter((e) => e.type === "agent.usage").length).toBe(usageBefore);
    const show = await rwJson<{ decisions: Array<{ text: string }> }>(r, ["initiative", "show", id]);
    expect(show.decisions.map((d) => d.text)).toEqual(["Postgres"]);
  });

  it("with the real Anthropic SDK, two rounds: read-only tools only, the answers reach round 2 as decisions, each concept kept", async () => {
    server = await startLlmServer([
      anthropicSse({ tools: [{ id: "tu_1", name: "search", input: { pattern: "login" } }] }),
      anthropicSse({ tools: [{ id: "tu_2", name: "submit_refinement", input: { questions: ["Rate limits on login?", "Which hash?"], concept: "Real password checks, rate limited.\n" } }] }),
      anthropicSse({ tools: [{ id: "tu_3", name: "submit_refinement", input: { questions: [], concept: "Real argon2 password checks, 5 tries a minute.\n" } }] }),
    ]);
    const { r, id } = await draftRepo(`[roles.architect]\nprovider = "anthropic"\nmodel = "claude-sonnet-4-6"\nbase_url = "${server.url}"\nretries = 0\n`);
    const env = { ANTHROPIC_API_KEY: "sk-ant-test" };
    const out = await r.rwOk(["initiative", "refine", id], { env });
    expect(out).toContain("1. Rate limits on login?");
    expect(out).toContain(`when the concept is right: rw plan --from-initiative ${id} (phases and tasks), then rw initiative submit ${id}`);
    const offered = (server.requests[0]!.body.tools as Array<{ name: string }>).map((t) => t.name).sort();
    expect(offered).toEqual(["list_files", "read_file", "search", "submit_refinement"]);
    // The search result went back to the model as the tool result.
    expect(JSON.stringify(server.requests[1]!.body.messages)).toContain("src/auth.js");

    const second = await rwJson<{ round: number; answers_recorded: number; questions: string[] }>(r, ["initiative", "refine", id, "--answers", "-", "--json"], { env, input: "1. 5 tries a minute\n2. argon2\n" });
    expect(second).toMatchObject({ round: 2, answers_recorded: 2, questions: [] });
    // Round 2's request carries the revised concept and both answers, as decisions.
    const round2 = JSON.stringify(server.requests[2]!.body.messages);
    expect(round2).toContain("Real password checks, rate limited.");
    expect(round2).toContain("5 tries a minute (architect question 1: Rate limits on login?)");
    expect(round2).toContain("argon2 (architect question 2: Which hash?)");
    const show = await rwJson<{ initiative: { body: string }; decisions: Array<{ text: string }> }>(r, ["initiative", "show", id]);
    expect(show.initiative.body).toBe("Real argon2 password checks, 5 tries a minute.\n");
    expect(show.decisions.map((d) => d.text)).toEqual(["5 tries a minute", "argon2"]);
    const events = eventsOnRef(r);
    expect(events.filter((e) => e.type === "initiative.edited").map((e) => (e.data.prev as { body: string }).body)).toEqual([
      "Replace the fake login with real password checks.\n", "Real password checks, rate limited.\n",
    ]);
    expect(events.filter((e) => e.type === "initiative.refined").length).toBe(2);
    await expectDoctorOk(r);
  });

  it.skipIf(NO_TMUX !== undefined)("on a terminal without --answers, each open question is asked in turn; an empty answer skips it", async () => {
    const { r, id } = await draftRepo(fakeArchitect("architect.json"));
    architectScript(r, "architect.json", { questions: ["Which hash?", "Keep sessions?", "Rate limits?"], concept: "Sharper.\n" });
    await r.rwOk(["initiative", "refine", id]);
    architectScript(r, "architect.json", { questions: [], concept: "Sharper, with argon2.\n" });
    tmux = startTmux(`${JSON.stringify(process.execPath)} ${JSON.stringify(RW_BIN)} initiative refine ${id}`, { cwd: r.dir, env: baseEnv({ TERM: "xterm-256color" }) });
    await tmux.waitScreen(/1\. Which hash\?\n>/, "the first question");
    tmux.keys("argon2", "Enter");
    await tmux.waitScreen(/2\. Keep sessions\?\n>/, "the second question");
    tmux.keys("Enter"); // skipped
    await tmux.waitScreen(/3\. Rate limits\?\n>/, "the third question");
    tmux.keys("5 a minute", "Enter");
    const done = await tmux.waitScreen(/EXITED \d+/, "refine to finish");
    expect(done).toContain("The architect asked 3 questions (empty answer: skip).");
    expect(done).toContain("recorded 2 answers as decisions");
    expect(done).toContain("EXITED 0");
    const show = await rwJson<{ initiative: { body: string }; decisions: Array<{ text: string; why: string }> }>(r, ["initiative", "show", id]);
    expect(show.decisions.map((d) => [d.text, d.why])).toEqual([["argon2", "architect question 1: Which hash?"], ["5 a minute", "architect question 3: Rate limits?"]]);
    expect(show.initiative.body).toBe("Sharper, with argon2.\n");
  });

  it("rw plan --from-initiative drafts phases and tasks into the refined draft, from its concept and decisions", async () => {
    const { r, id } = await draftRepo(`${fakeArchitect("architect.json")}\n[roles.planner]\nprovider = "fake"\nscript = ".rewind/planner.json"\n`);
    architectScript(r, "architect.json", { questions: ["Which hash?"], concept: "Real password checks in src/auth.js.\n" });
    await r.rwOk(["initiative", "refine", id]);
    await r.rwOk(["initiative", "refine", id, "--answers", "-", "--answers-only"], { input: "1. argon2\n" });
    await r.rwOk(["initiative", "phase", "add", id, "Groundwork"]);
    writeFileSync(join(r.dir, ".rewind", "planner.json"), JSON.stringify({ turns: [{ tool_calls: [{ name: "submit_plan", input: {
      initiative: { title: "ignored", body: "ignored" }, phases: [{ title: "Hashing" }],
      tasks: [{ key: "hash", title: "Hash passwords with argon2", body: "Do it.\n\n## Acceptance criteria\n- [ ] argon2 used\n", phase: 1 }],
    } }] }] }));
    const out = await rwJson<{ written: { initiative: string; tasks: Array<{ id: string; phase: number }> } }>(r, ["plan", "--from-initiative", id]);
    expect(out.written.initiative).toBe(id);
    expect(out.written.tasks.map((t) => t.phase)).toEqual([2]);
    const show = await rwJson<{ initiative: { title: string; body: string; status: string }; phases: Array<{ n: number; title: string; tasks: unknown[] }> }>(r, ["initiative", "show", id]);
    expect(show.initiative).toMatchObject({ title: "Real authentication", body: "Real password checks in src/auth.js.\n", status: "draft" });
    expect(show.phases.map((p) => [p.n, p.title, p.tasks.length])).toEqual([[1, "Groundwork", 0], [2, "Hashing", 1]]);
    await rwFails(r, ["plan", "prd.md", "--from-initiative", id], 2, "not both");
    await r.rwOk(["initiative", "submit", id]);
    await rwFails(r, ["plan", "--from-initiative", id], 3, "not a draft");
    await expectDoctorOk(r);
  });
});
