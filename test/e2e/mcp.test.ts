import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterEach, describe, expect, it } from "vitest";
import { RW_BIN, baseEnv, makeRepo, type TempRepo } from "../helpers/repo.ts";

let repo: TempRepo | undefined;
const clients: Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close().catch(() => undefined);
  repo?.cleanup();
});

/** The SDK's own client, talking to the built `rw mcp` in a real child process. */
async function connect(dir: string, actor?: string): Promise<Client> {
  const env = Object.fromEntries(Object.entries(baseEnv()).filter((e): e is [string, string] => e[1] !== undefined));
  if (actor) env.RW_ACTOR = actor;
  const transport = new StdioClientTransport({ command: process.execPath, args: [RW_BIN, "mcp"], cwd: dir, env, stderr: "pipe" });
  const client = new Client({ name: "rw-test", version: "1.0.0" });
  await client.connect(transport);
  clients.push(client);
  return client;
}

type ToolResult = { content: Array<{ type: string; text?: string }>; isError?: boolean };
async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<{ text: string; isError: boolean }> {
  const r = (await client.callTool({ name, arguments: args })) as ToolResult;
  return { text: r.content.map((c) => c.text ?? "").join(""), isError: r.isError === true };
}

describe("rw mcp over stdio", () => {
  it("offers the tools and resources, and a ready answer for 10 tasks stays well under 1,000 tokens", async () => {
    repo = makeRepo({ init: true });
    for (let i = 0; i < 12; i++) await repo.rwOk(["create", `Implement the moderately long feature number ${i} of the billing service rewrite`, "-p", String(i % 4)]);
    const client = await connect(repo.dir);
    const tools = (await client.listTools()).tools.map((t) => t.name).sort();
    expect(tools).toEqual([
      "block", "blocked", "cancel", "claim", "create", "decide", "decisions", "dep", "done", "fail", "heartbeat", "history", "initiative_list",
      "initiative_show", "list", "log", "note", "plan", "ready", "release", "reopen", "search", "show", "unblock", "update",
    ]);
    const ready = await call(client, "ready", { limit: 10 });
    expect(ready.isError).toBe(false);
    const lines = ready.text.split("\n");
    expect(lines[0]).toBe("12 ready, best 10:");
    expect(lines).toHaveLength(11);
    expect(lines[1]).toMatch(/ P0 Implement the moderately long feature number 0/);
    expect(ready.text.length / 4).toBeLessThan(500);
    const resources = await client.listResources();
    expect(resources.resources.some((r) => r.uri === "rw://state")).toBe(true);
    const templates = await client.listResourceTemplates();
    expect(templates.resourceTemplates.map((t) => t.uriTemplate)).toContain("rw://task/{id}");
  });

  it("runs the agent loop through the same write path as the CLI", async () => {
    repo = makeRepo({ init: true });
    const client = await connect(repo.dir, "agent-7");
    const id = (await call(client, "create", { title: "Add login endpoint", priority: 1, labels: ["api"], body: "## Acceptance criteria\n- [ ] returns 200" })).text;
    expect(id).toMatch(/-[0-9a-z]{4}$/);
    const dep = (await call(client, "create", { title: "Document login", deps: [id] })).text;
    expect((await call(client, "ready")).text).toBe(`1 ready:\n${id} P1 Add login endpoint (unblocks 1)`);
    expect((await call(client, "claim", {})).text).toMatch(new RegExp(`^claimed ${id}: Add login endpoint \\(lease until `));
    expect((await call(client, "note", { id, text: "using JWT" })).text).toBe(`noted on ${id}`);
    expect((await call(client, "update", { id, add_labels: ["auth"], priority: 0 })).text).toBe(`${id}: updated`);
    expect((await call(client, "done", { id, summary: "shipped" })).text).toBe(`${id} is done`);
    const shown = JSON.parse(await repo.rwOk(["show", id, "--json"])) as { task: { status: string; assignee: string; labels: string[]; priority: number; notes: Array<{ text: string }> } };
    expect(shown.task).toMatchObject({ status: "done", assignee: "agent-7", labels: ["api", "auth"], priority: 0 });
    expect(shown.task.notes.map((n) => n.text)).toEqual(["using JWT"]);
    expect(repo.git(["log", "-1", "--format=%an", "rewind"]).trim()).toBe("agent-7");
    const history = (await call(client, "history", { id })).text;
    expect(history).toContain("agent-7 task.claimed");
    expect(history).toContain("agent-7 task.noted");
    expect(history).toMatch(/task\.completed [0-9a-f]{8} summary: shipped/);
    expect((await call(client, "list", {})).text).toBe(`${dep} P2 open Document login`);
    const other = await call(client, "claim", { id: dep, actor: "agent-8" });
    expect(other.text).toContain(`claimed ${dep}`);
    expect((await call(client, "release", { id: dep, actor: "agent-8" })).text).toBe(`released ${dep}`);
    expect((await call(client, "decide", { text: "Use JWT, not sessions", why: "stateless servers", task: id })).text).toMatch(/^recorded decision [0-9A-Z]{26}$/);
    const decisions = JSON.parse(await repo.rwOk(["decisions", "--json"])) as { decisions: Array<{ text: string; actor: string; task?: string }> };
    expect(decisions.decisions).toMatchObject([{ text: "Use JWT, not sessions", actor: "agent-7", task: id }]);
    await repo.rwOk(["doctor"]);
  });

  it("answers errors as tool errors with the CLI's message and hint", async () => {
    repo = makeRepo({ init: true });
    const id = await repo.rwOk(["create", "Contended"]);
    await repo.rwOk(["claim", id], { actor: "agent-1" });
    const client = await connect(repo.dir);
    const viaMcp = await call(client, "claim", { id, actor: "agent-2" });
    const viaCli = await repo.rw(["claim", id], { actor: "agent-2" });
    expect(viaMcp.isError).toBe(true);
    expect(viaMcp.text).toContain("held by agent-1");
    expect(viaMcp.text).toBe(viaCli.stderr);
    const missing = await call(client, "show", { id: "rw-nope" });
    expect(missing.isError).toBe(true);
    // The same message as the CLI, with the hint in MCP's terms (an agent can only call tools).
    expect((await repo.rw(["show", "rw-nope"])).stderr).toBe("rw: task rw-nope not found\n  hint: run `rw list --all` to see every task ID\n");
    expect(missing.text).toBe("rw: task rw-nope not found\n  hint: call list with all: true to see every task ID\n");
    const bad = await call(client, "fail", { id, reason: "  " , actor: "agent-1" });
    expect(bad).toEqual({ isError: true, text: "rw: --reason must not be empty\n" });
  });

  it("lets exactly one of two MCP clients win a race for the same task", async () => {
    repo = makeRepo({ init: true });
    const id = await repo.rwOk(["create", "Only one"]);
    const [a, b] = await Promise.all([connect(repo.dir, "agent-a"), connect(repo.dir, "agent-b")]);
    const results = await Promise.all([call(a, "claim", { id }), call(b, "claim", { id })]);
    expect(results.filter((r) => !r.isError)).toHaveLength(1);
    expect(results.filter((r) => r.isError && r.text.includes("not claimable"))).toHaveLength(1);
  });

  it("links tasks to initiatives and phases like rw create does", async () => {
    repo = makeRepo({ init: true });
    const initiative = await repo.rwOk(["initiative", "new", "Billing", "--phase", "API"]);
    const client = await connect(repo.dir);
    const id = (await call(client, "create", { title: "Invoice endpoint", initiative, phase: 1 })).text;
    const shown = JSON.parse(await repo.rwOk(["show", id, "--json"])) as { task: { initiative: string; phase: number } };
    expect(shown.task).toMatchObject({ initiative, phase: 1 });
    const bad = await call(client, "update", { id, phase: 7 });
    expect(bad.isError).toBe(true);
    expect(bad.text).toBe((await repo.rw(["edit", id, "--phase", "7"])).stderr);
  });

  it("serves rw://state and rw://task/{id}", async () => {
    repo = makeRepo({ init: true });
    const id = await repo.rwOk(["create", "Readable", "--body", "Some body"]);
    const client = await connect(repo.dir);
    const task = await client.readResource({ uri: `rw://task/${id}` });
    const text = (task.contents[0] as { text: string }).text;
    expect(text).toBe(repo.git(["show", `rewind:tasks/${id}.md`]));
    const state = await client.readResource({ uri: "rw://state" });
    expect((state.contents[0] as { text: string }).text).toContain(id);
  });

  it("prints the configuration snippet for a client", async () => {
    repo = makeRepo();
    const cursor = await repo.rwOk(["mcp", "--print-config", "cursor"]);
    // The whole output is a valid .cursor/mcp.json.
    const json = JSON.parse(cursor) as { mcpServers: { rw: { command: string; args: string[]; env: Record<string, string> } } };
    expect(json.mcpServers.rw).toEqual({ command: "rw", args: ["mcp"], env: { RW_ACTOR: "cursor" } });
    const claude = await repo.rwOk(["mcp", "--print-config", "claude"]);
    // Claude Code's documented form: options (--transport, --env) before the server name, the command after --.
    expect(claude).toContain("claude mcp add --transport stdio --env RW_ACTOR=claude rw -- rw mcp");
    expect(JSON.parse(claude.slice(claude.indexOf("{")))).toMatchObject({ mcpServers: { rw: { env: { RW_ACTOR: "claude" } } } });
    const bad = await repo.rw(["mcp", "--print-config", "vim"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("use one of: claude, cursor");
  });
});
