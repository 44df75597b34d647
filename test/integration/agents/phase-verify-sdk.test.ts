import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { anthropicSse, openaiSse, startLlmServer, type Answer, type LlmServer, type Recorded } from "../../helpers/llm-server.ts";
import { runRepos } from "../../helpers/run.ts";
import type { TempRepo } from "../../helpers/repo.ts";
import { eventsOnRef, expectDoctorOk, rwJson } from "../../helpers/rw.ts";

/**
 * Issue 19 with the real SDK clients: `rw run` (the built binary) drives the worker and verifier
 * roles on @anthropic-ai/sdk / openai pointed at a local server that speaks their wire formats.
 * The scripted "verifier model" really reads the branch through read_file and judges the wiring
 * from what it got back, so the remediation is what closes the gap. Domain notes reach both
 * roles' prompts (asserted on the requests the server received), and the completed initiative
 * proposes a domain-notes update.
 */
const repos = runRepos();
let server: LlmServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const GLOSSARY = "# Glossary\n\n- **Answer**: the number the API returns; it is always 42.\n";
const WIRED = "const api = require('./api');\nconsole.log(api.answer());\n";

type Wire = "anthropic" | "openai";
const toolNames = (wire: Wire, r: Recorded): string[] =>
  ((r.body.tools ?? []) as Array<{ name?: string; function?: { name: string } }>).map((t) => (wire === "anthropic" ? t.name! : t.function!.name));
const turn = (r: Recorded): number => (r.body.messages as Array<{ role: string }>).filter((m) => m.role === "assistant").length;
/** What the tools answered so far in this conversation (Anthropic tool_result blocks, OpenAI role "tool" messages). */
function toolResults(wire: Wire, r: Recorded): string {
  const msgs = r.body.messages as Array<{ role: string; content: unknown }>;
  if (wire === "openai") return msgs.filter((m) => m.role === "tool").map((m) => String(m.content)).join("\n");
  return msgs.flatMap((m) => (Array.isArray(m.content) ? (m.content as Array<{ type: string; content?: unknown }>).filter((b) => b.type === "tool_result") : [])).map((b) => JSON.stringify(b.content)).join("\n");
}
const sse = (wire: Wire, n: number, name: string, input: unknown): Answer =>
  wire === "anthropic" ? anthropicSse({ tools: [{ id: `tu_${n}`, name, input }] }) : openaiSse({ tools: [{ id: `call_${n}`, name, input }] });

/**
 * One scripted model for every role, told apart by the tools the request offers: the worker
 * writes a file then finishes; the task verifier passes every criterion; the phase verifier
 * reads cli.js and says whether it calls the API (`wired` decides from what read_file returned).
 */
function script(wire: Wire, workerWrites: (prompt: string) => { path: string; content: string }, wired: (cliJs: string) => boolean) {
  return (r: Recorded, n: number): Answer => {
    const tools = toolNames(wire, r);
    if (tools.includes("submit_phase_verdict")) {
      if (turn(r) === 0) return sse(wire, n, "read_file", { path: "cli.js" });
      const ok = wired(toolResults(wire, r));
      return sse(wire, n, "submit_phase_verdict", { goals: [{
        kind: "wiring", goal: "cli.js prints api.answer()", met: ok,
        evidence: ok ? "cli.js:1 requires ./api and line 2 prints answer()" : "cli.js never requires ./api: the API is unreachable from the entry point",
        ...(ok ? {} : { fix: "require ./api in cli.js and print answer()" }),
      }], ...(ok ? { proposed_verify: ["node cli.js"] } : {}) });
    }
    if (tools.includes("verdict")) return sse(wire, n, "verdict", { verdicts: [0, 1, 2, 3].map((index) => ({ index, met: true, evidence: "in the diff" })) });
    if (turn(r) === 0) return sse(wire, n, "write_file", workerWrites(JSON.stringify(r.body)));
    return sse(wire, n, "finish", { summary: "written" });
  };
}

const roles = (wire: Wire, url: string): string => ["worker", "verifier"].map((role) => wire === "anthropic"
  ? `[roles.${role}]\nprovider = "anthropic"\nmodel = "claude-sonnet-4-6"\nbase_url = "${url}"\nretries = 0\n`
  : `[roles.${role}]\nprovider = "openai"\nmodel = "gpt-5-mini"\nbase_url = "${url}/v1"\napi_key_env = "TEST_OPENAI_KEY"\nretries = 0\n`).join("");
const ENV = { ANTHROPIC_API_KEY: "sk-ant-test", TEST_OPENAI_KEY: "sk-proj-test-0123456789abcdefghij" };

/** A repository whose main has cli.js (not calling any API yet) and a glossary; an approved one-phase initiative on feat/api. */
async function apiInitiative(repo: TempRepo, verify: string[]): Promise<{ id: string; task: string }> {
  writeFileSync(join(repo.dir, "cli.js"), "console.log('hello');\n");
  mkdirSync(join(repo.dir, ".rewind", "domain"), { recursive: true });
  writeFileSync(join(repo.dir, ".rewind", "domain", "glossary.md"), GLOSSARY);
  repo.git(["add", "."]);
  repo.git(["commit", "-qm", "cli and glossary"]);
  const id = await repo.rwOk(["initiative", "new", "Answer API", "--phase", "API", "--branch", "feat/api", "--body", "An API that gives the Answer, printed by cli.js.\n"]);
  for (const v of verify) await repo.rwOk(["initiative", "phase", "edit", id, "1", "--verify", v]);
  await repo.rwOk(["initiative", "submit", id]);
  await repo.rwOk(["initiative", "approve", id, "--phase", "1"]);
  const task = await repo.rwOk(["create", "Write the API", "--initiative", id, "--phase", "1", "--body", "Write api.js exporting answer().\n"]);
  return { id, task };
}

interface Goal { kind: string; goal: string; met: boolean; evidence: string }
const verdicts = (repo: TempRepo) => eventsOnRef(repo).filter((e) => e.type === "phase.verified").map((e) => ({ id: e.id, ...(e.data as { verdict: string; goals: Goal[]; tasks: string[]; round: number }) }));

describe("goal-backward phase verification with the real SDK clients", { timeout: 180_000 }, () => {
  it("Anthropic: the verifier reads the branch, finds the API unwired; the remediation wires it, the phase completes, merges, and proposes a domain-notes update", async () => {
    const { repo } = await repos.configured('phase_verification = "always"');
    server = await startLlmServer(script("anthropic",
      (prompt) => (prompt.includes("Remediates phase verification") ? { path: "cli.js", content: WIRED } : { path: "api.js", content: "exports.answer = () => 42;\n" }),
      (cli) => cli.includes("require('./api')")));
    writeFileSync(join(repo.dir, ".rewind", "config.toml"), `${repo.git(["show", "HEAD:.rewind/config.toml"])}${roles("anthropic", server.url)}`);
    repo.git(["commit", "-qam", "agents"]);
    const { id, task } = await apiInitiative(repo, []);

    const run = await repo.rw(["run", "--initiative", id], { env: ENV });
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.stdout).toMatch(/phase 1 verification 1 gap: remediation/);

    const [gaps, passed] = verdicts(repo);
    expect(verdicts(repo).map((v) => v.verdict)).toEqual(["gaps", "passed"]);
    // Evidence per goal: rw's own artifact check (api.js exists, no stubs) and the verifier's wiring judgement.
    expect(gaps!.goals.map((g) => [g.kind, g.met])).toEqual([["artifact", true], ["wiring", false]]);
    expect(gaps!.goals[0]!.evidence).toBe("api.js");
    expect(gaps!.goals[1]!.evidence).toContain("never requires ./api");
    const wiring = passed!.goals.find((g) => g.kind === "wiring")!;
    expect([wiring.met, wiring.evidence]).toEqual([true, "cli.js:1 requires ./api and line 2 prints answer()"]);
    const [fix] = gaps!.tasks;
    const shown = await rwJson<{ task: { phase: number; initiative: string; labels: string[]; body: string; status: string } }>(repo, ["show", fix!]);
    expect(shown.task).toMatchObject({ phase: 1, initiative: id, labels: ["remediation"], status: "done" });
    expect(shown.task.body).toContain(`Remediates phase verification \`${gaps!.id}\` (round 1)`);
    expect(shown.task.body).toContain("require ./api in cli.js");
    const types = eventsOnRef(repo).map((e) => e.type).filter((t) => /^phase\.(completed|reopened|verified)$/.test(t));
    expect(types).toEqual(["phase.completed", "phase.verified", "phase.reopened", "phase.completed", "phase.verified"]);
    expect(repo.git(["show", "main:cli.js"])).toBe(WIRED);
    expect(repo.git(["show", "main:api.js"])).toBe("exports.answer = () => 42;\n");
    expect(eventsOnRef(repo).find((e) => e.type === "initiative.merged")?.data).toMatchObject({ branch: "feat/api", into: "main" });
    expect((await rwJson<{ initiative: { status: string } }>(repo, ["initiative", "show", id])).initiative.status).toBe("completed");

    // What the SDK sent: the phase verifier gets only read-only tools and the answer tool; its prompt and the worker's hold the glossary.
    const phaseCalls = server.requests.filter((r) => toolNames("anthropic", r).includes("submit_phase_verdict"));
    expect(phaseCalls.length).toBe(4); // read_file then the verdict, twice
    expect(toolNames("anthropic", phaseCalls[0]!).sort()).toEqual(["list_files", "read_file", "search", "submit_phase_verdict"]);
    expect(JSON.stringify(phaseCalls[0]!.body)).toContain("it is always 42");
    expect(JSON.stringify(phaseCalls[0]!.body)).toContain("What rw already checked");
    const workerCalls = server.requests.filter((r) => toolNames("anthropic", r).includes("write_file"));
    expect(workerCalls.length).toBe(4); // two tasks, two turns each
    for (const w of workerCalls) expect(JSON.stringify(w.body)).toContain("it is always 42");
    expect(eventsOnRef(repo).filter((e) => e.type === "agent.usage" && e.data.role === "verifier").length).toBeGreaterThanOrEqual(4);

    // The completed initiative proposes a domain-notes update: a task for a person, not linked to the initiative.
    const list = await rwJson<{ tasks: Array<{ id: string; title: string; status: string; labels: string[]; initiative?: string }> }>(repo, ["list", "--all", "--json"]);
    const notes = list.tasks.filter((t) => t.labels.includes("domain-notes"));
    expect(notes.map((t) => [t.title, t.status, t.initiative])).toEqual([["Update domain notes for Answer API", "blocked", undefined]]);
    expect((await rwJson<{ task: { body: string } }>(repo, ["show", notes[0]!.id])).task.body).toContain("`.rewind/domain/glossary.md`");
    expect(list.tasks.map((t) => t.id)).toContain(task);
    await expectDoctorOk(repo);

    // The verifier proposed a verify command: recorded, shown, never run until a person adopts it; then a check by hand runs it.
    expect(passed!.goals.some((g) => g.kind === "truth")).toBe(false);
    expect(await repo.rwOk(["initiative", "show", id])).toContain(`proposed verify (adopt: rw initiative phase edit ${id} 1 --adopt-proposed): node cli.js`);
    await repo.rwOk(["initiative", "phase", "edit", id, "1", "--adopt-proposed"]);
    const manual = await rwJson<{ phases: Array<{ verdict: string; verification: { verdict: string } }> }>(repo, ["initiative", "verify", id, "--phase", "1", "--json"], { env: ENV });
    expect(manual.phases[0]).toMatchObject({ verdict: "passed", verification: { verdict: "passed" } });
    const last = eventsOnRef(repo).filter((e) => e.type === "phase.verified").at(-1)!.data as { trigger: string; goals: Goal[] };
    expect(last.trigger).toBe("manual");
    expect(last.goals.find((g) => g.kind === "truth")).toMatchObject({ goal: "`node cli.js` succeeds", met: true });
    expect(last.goals.find((g) => g.kind === "truth")!.evidence).toMatch(/^exit 0 in [\d.]+s: 42$/);
    await expectDoctorOk(repo);
  });

  it("OpenAI: a gap the remediation does not close, past max_remediations = 1, blocks the phase for a person with the findings; main is untouched", async () => {
    const { repo } = await repos.configured("max_remediations = 1");
    server = await startLlmServer(script("openai", () => ({ path: "api.js", content: "exports.answer = () => 42;\n" }), () => false));
    writeFileSync(join(repo.dir, ".rewind", "config.toml"), `${repo.git(["show", "HEAD:.rewind/config.toml"])}${roles("openai", server.url)}`);
    repo.git(["commit", "-qam", "agents"]);
    // A verify command that holds: the truth is met, the wiring gap is the verifier's finding.
    const { id } = await apiInitiative(repo, ["node cli.js"]);
    const mainBefore = repo.git(["rev-parse", "main"]).trim();

    const run = await repo.rw(["run", "--initiative", id], { env: ENV });
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.stdout).toMatch(/phase 1 verification blocked for a person/);
    const v = verdicts(repo);
    expect(v.map((x) => x.verdict)).toEqual(["gaps", "blocked"]);
    expect(v[1]!.goals.map((g) => [g.kind, g.met])).toEqual([["truth", true], ["artifact", true], ["wiring", false]]);
    expect(v[1]!.goals[0]!.goal).toBe("`node cli.js` succeeds");
    const person = v[1]!.tasks[0]!;
    const shown = await rwJson<{ task: { status: string; labels: string[]; body: string; phase: number } }>(repo, ["show", person]);
    expect(shown.task).toMatchObject({ status: "blocked", labels: ["remediation", "needs-person"], phase: 1 });
    expect(shown.task.body).toContain("still has gaps after 1 remediation round");
    expect(shown.task.body).toContain("never requires ./api");
    const init = await rwJson<{ initiative: { status: string }; phases: Array<{ status: string; verification: { verdict: string } }> }>(repo, ["initiative", "show", id]);
    expect(init.initiative.status).toBe("in_progress");
    expect(init.phases[0]).toMatchObject({ status: "approved", verification: { verdict: "blocked" } });
    expect(repo.git(["rev-parse", "main"]).trim()).toBe(mainBefore);
    // The OpenAI wire: the answer tool is a function the phase verifier was offered with the read-only tools.
    const phaseCalls = server.requests.filter((r) => toolNames("openai", r).includes("submit_phase_verdict"));
    expect(phaseCalls.length).toBe(4);
    expect(phaseCalls.every((r) => r.url === "/v1/chat/completions")).toBe(true);
    expect(JSON.stringify(phaseCalls[2]!.body)).toContain("it is always 42");
    await expectDoctorOk(repo);
  });
});
