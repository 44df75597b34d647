import { Ajv } from "ajv";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { describe, expect, it } from "vitest";
import { callTool, mcpRig } from "../helpers/mcp.ts";

// Every tool of `rw mcp` through the MCP SDK's own client over a real stdio child (issue 16),
// with argument strictness from issue 14. The SDK client itself also checks each
// structuredContent against the tool's outputSchema; Ajv in strict mode checks the schemas too.

const { mcp, makeRepo } = mcpRig();

type Validators = Map<string, (data: unknown) => boolean>;
async function strictValidators(client: Client): Promise<Validators> {
  const ajv = new Ajv({ strict: true, allErrors: true });
  const out: Validators = new Map();
  for (const t of (await client.listTools()).tools) {
    ajv.compile(t.inputSchema); // throws under strict mode on unknown keywords or loose types
    expect(t.outputSchema, `${t.name} has an outputSchema`).toBeDefined();
    const validate = ajv.compile(t.outputSchema!);
    out.set(t.name, (data) => {
      const ok = validate(data);
      if (!ok) throw new Error(`${t.name}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(data)}`);
      return ok;
    });
  }
  return out;
}

/** Calls a tool, expects success, and checks its structuredContent against the outputSchema with Ajv. */
async function ok(client: Client, v: Validators, name: string, args: Record<string, unknown> = {}) {
  const r = await callTool(client, name, args);
  expect(r.isError, `${name} ${JSON.stringify(args)}: ${r.text}`).toBe(false);
  expect(v.get(name)!(r.data)).toBe(true);
  return r;
}

describe("rw mcp tools", { timeout: 240_000 }, () => {
  it("every tool describes each parameter and answers text plus structuredContent that matches its outputSchema", async () => {
    const repo = makeRepo({ init: true });
    const client = await mcp.connect(repo.dir, { actor: "agent-1" });
    const v = await strictValidators(client);
    for (const t of (await client.listTools()).tools) {
      expect(t.description, t.name).toBeTruthy();
      for (const [p, s] of Object.entries((t.inputSchema.properties ?? {}) as Record<string, { description?: string }>)) expect(s.description, `${t.name}.${p}`).toBeTruthy();
      expect(t.inputSchema.additionalProperties, t.name).toBe(false);
    }
    const a = (await ok(client, v, "create", { title: "Fix the login bug", type: "bug", priority: 0, labels: "api", body: "The token expires too early" })).text;
    const b = (await ok(client, v, "create", { title: "Document login", deps: [a] })).text;
    const c = (await ok(client, v, "create", { title: "Tidy CSS", priority: 3, parent: a })).text;

    const ready = await ok(client, v, "ready", { limit: 10 });
    expect(ready.data).toMatchObject({ count: 2, total: 2, tasks: [{ id: a, unblocks: 1, labels: ["api"] }, { id: c }] });
    expect((await ok(client, v, "ready", { type: "bug" })).data).toMatchObject({ count: 1, tasks: [{ id: a }] });
    expect((await ok(client, v, "ready", { priority: "2-4" })).data).toMatchObject({ count: 1, tasks: [{ id: c }] });
    const explain = await ok(client, v, "ready", { explain: true });
    expect((explain.data!.explain as Array<{ id: string }>).map((x) => x.id)).toEqual([a, c, b]);
    expect(explain.text).toContain(`${b} waiting Document login: waits on ${a} (open)`);

    // A single value where a list is expected, as models often send it.
    expect((await ok(client, v, "list", { status: "open" })).data).toMatchObject({ count: 3, total: 3 });
    expect((await ok(client, v, "list", { type: "bug" })).data).toMatchObject({ count: 1, tasks: [{ id: a }] });
    expect((await ok(client, v, "list", { parent: a.split("-")[1] })).data).toMatchObject({ count: 1, tasks: [{ id: c }] });
    expect((await ok(client, v, "list", { priority: "0-1" })).data).toMatchObject({ count: 1 });
    expect((await ok(client, v, "list", { limit: 1, sort: "age" })).data).toMatchObject({ count: 1, total: 3, tasks: [{ id: a }] });
    const toon = await ok(client, v, "list", { format: "toon" });
    expect(toon.text.split("\n")[1]).toBe("tasks[3]{id,priority,status,type,title,assignee}:");
    expect(toon.text).toContain(`  ${a},0,open,bug,Fix the login bug,""`);

    expect((await ok(client, v, "search", { text: "token EXPIRES" })).data).toMatchObject({ count: 1, tasks: [{ id: a, field: "body" }] });
    expect((await ok(client, v, "blocked")).data).toMatchObject({ count: 1, tasks: [{ id: b, waits_on: [{ id: a, status: "open" }] }] });

    // IDs: the part after the dash, in any case.
    const claimed = await ok(client, v, "claim", { id: a.split("-")[1]!.toUpperCase() });
    expect(claimed.data).toMatchObject({ id: a, renewed: false });
    expect((await ok(client, v, "heartbeat", { id: a, lease: "1h" })).text).toMatch(new RegExp(`^${a}: lease until `));
    await ok(client, v, "note", { id: a, text: "refresh tokens now" });
    await ok(client, v, "dep", { id: c, on: b });
    expect((await ok(client, v, "dep", { id: c, on: b, remove: true })).data).toEqual({ id: c, deps: [] });
    await ok(client, v, "done", { id: a, summary: "tokens refresh before expiry" });
    const shown = await ok(client, v, "show", { id: a });
    expect(shown.data).toMatchObject({ summary: "tokens refresh before expiry", blocks: [{ id: b, status: "open" }], task: { status: "done", assignee: "agent-1" } });
    expect(shown.text).toContain("summary: tokens refresh before expiry");
    expect(shown.text).toContain(`blocks: ${b} (open)`);
    const waiting = await ok(client, v, "show", { id: c });
    expect(waiting.data).toMatchObject({ ready: true, waits_on: [], blocks: [] });

    const history = await ok(client, v, "history", { id: a });
    expect(history.text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ agent-1 task\.completed/m);
    expect((await ok(client, v, "log", { task: a, type: "task.*" })).data).toMatchObject({ total: 5 });
    await ok(client, v, "decide", { text: "Refresh tokens in the client", task: a });
    expect((await ok(client, v, "decisions", { task: a })).data).toMatchObject({ count: 1, decisions: [{ text: "Refresh tokens in the client", actor: "agent-1" }] });

    expect((await ok(client, v, "block", { id: b, reason: "waiting for the style guide" })).text).toBe(`${b} is now blocked`);
    expect((await ok(client, v, "blocked")).data).toMatchObject({ tasks: [{ id: b, blocked_reason: "waiting for the style guide" }] });
    await ok(client, v, "unblock", { id: b });
    await ok(client, v, "cancel", { id: c, reason: "not needed" });
    expect((await ok(client, v, "reopen", { id: c })).data).toEqual({ id: c, status: "open" });
    await ok(client, v, "claim", { id: b });
    expect((await ok(client, v, "fail", { id: b, reason: "docs build broke" })).data).toMatchObject({ id: b, will_retry: true, status: "open" });
    await ok(client, v, "claim", {});
    await ok(client, v, "release", { id: b });
    await ok(client, v, "update", { id: b, title: "Document the login flow", add_labels: "docs" });

    const initiative = await repo.rwOk(["initiative", "new", "Billing", "--phase", "API"]);
    await ok(client, v, "create", { title: "Invoice endpoint", initiative: initiative, phase: 1 });
    expect((await ok(client, v, "initiative_list")).data).toMatchObject({ count: 1, initiatives: [{ id: initiative, status: "draft", tasks_total: 1 }] });
    expect((await ok(client, v, "initiative_show", { id: initiative })).data).toMatchObject({ phases: [{ n: 1, title: "API", status: "planned", total: 1 }] });
    expect((await ok(client, v, "ready", { initiative, explain: true })).text).toContain("phase 1 of");
    await repo.rwOk(["doctor"]);
  });

  it("refuses unknown argument names and bad values with a clear error, and changes nothing", async () => {
    const repo = makeRepo({ init: true });
    const best = await repo.rwOk(["create", "Best ready task", "-p", "0"]);
    const other = await repo.rwOk(["create", "Other task", "-p", "3"]);
    const client = await mcp.connect(repo.dir, { actor: "agent-1" });
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ["claim", { task_id: other }, "rw: unknown argument task_id; did you mean id?\n  hint: claim takes: id, lease, force, actor\n"],
      ["list", { stauts: ["open"] }, "unknown argument stauts; did you mean status?"],
      ["ready", { labels: ["x"] }, "unknown argument labels; did you mean label?"],
      ["show", { task: best }, "unknown argument task"],
      ["done", { id: best, sumary: "x" }, "unknown argument sumary; did you mean summary?"],
      ["plan", { prd: "# X", approve: true }, "unknown argument approve"],
      ["list", { status: ["opn"] }, "argument status.0"],
      ["list", { priority: "0-9" }, "priority must be 0-4 or a range like 0-1"],
      ["ready", { limit: 0 }, "argument limit"],
      ["create", {}, "argument title is required"],
      ["show", { id: "zzzz" }, "task zzzz not found\n  hint: call list with all: true to see every task ID"],
      ["show", { id: best.slice(0, best.indexOf("-") + 1) }, "is ambiguous"],
      ["fail", { id: best, reason: "x" }, "hint: claim it first (call claim with id:"],
      ["dep", { id: best, on: best }, "cannot depend on itself"],
    ];
    for (const [tool, args, message] of cases) {
      const r = await callTool(client, tool, args);
      expect(r.isError, `${tool} ${JSON.stringify(args)} -> ${r.text}`).toBe(true);
      expect(r.text).toContain(message);
    }
    const list = JSON.parse(await repo.rwOk(["list", "--json"])) as { tasks: Array<{ id: string; status: string }> };
    expect(list.tasks.map((t) => t.status)).toEqual(["open", "open"]);
    await expect(client.callTool({ name: "claim_task", arguments: {} })).rejects.toThrow(/unknown tool claim_task; did you mean claim\?/);
  });

  it("answers an unknown resource with -32002 and pages resources/list", async () => {
    const repo = makeRepo({ init: true });
    const client = await mcp.connect(repo.dir);
    const ids: string[] = [];
    for (let i = 0; i < 205; i++) ids.push((await callTool(client, "create", { title: `Task ${i}` })).text);
    const first = await client.listResources();
    expect(first.resources).toHaveLength(200);
    expect(first.nextCursor).toBeDefined();
    const second = await client.listResources({ cursor: first.nextCursor! });
    expect(second.nextCursor).toBeUndefined();
    const uris = [...first.resources, ...second.resources].map((r) => r.uri);
    expect(new Set(uris).size).toBe(206);
    expect(uris.filter((u) => u.startsWith("rw://task/")).sort()).toEqual(ids.map((id) => `rw://task/${id}`).sort());
    await expect(client.readResource({ uri: "rw://task/nope-1234" })).rejects.toMatchObject({ code: -32002 });
    await expect(client.readResource({ uri: "rw://elsewhere" })).rejects.toMatchObject({ code: -32002 });
  });

  it("RW_MCP_TOOLS=core loads only the agent loop; a wrong value names the choices", async () => {
    const repo = makeRepo({ init: true });
    const core = await mcp.connect(repo.dir, { env: { RW_MCP_TOOLS: "core" } });
    expect((await core.listTools()).tools.map((t) => t.name).sort()).toEqual(["claim", "create", "done", "fail", "heartbeat", "note", "ready", "release", "show"]);
    const standard = await mcp.connect(repo.dir, { env: { RW_MCP_TOOLS: "standard" } });
    const names = (await standard.listTools()).tools.map((t) => t.name);
    expect(names).toContain("search");
    expect(names).not.toContain("plan");
    const bad = await repo.rw(["mcp"], { env: { RW_MCP_TOOLS: "cor" }, input: "" });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("RW_MCP_TOOLS=cor is not a tool set; did you mean core?");
  });

  it("a claim race between two MCP clients and the CLI has exactly one winner, every round", async () => {
    const repo = makeRepo({ init: true });
    const [a, b] = await Promise.all([mcp.connect(repo.dir, { actor: "mcp-a" }), mcp.connect(repo.dir, { actor: "mcp-b" })]);
    for (let round = 0; round < 4; round++) {
      const id = await repo.rwOk(["create", `Contended ${round}`]);
      const [ra, rb, cli] = await Promise.all([callTool(a, "claim", { id }), callTool(b, "claim", { id }), repo.rw(["claim", id], { actor: "cli-c" })]);
      const winners = [!ra.isError && "mcp-a", !rb.isError && "mcp-b", cli.code === 0 && "cli-c"].filter(Boolean);
      expect(winners, `round ${round}: ${ra.text} | ${rb.text} | ${cli.stderr}`).toHaveLength(1);
      const shown = JSON.parse(await repo.rwOk(["show", id, "--json"])) as { task: { assignee: string } };
      expect(shown.task.assignee).toBe(winners[0]);
    }
  });
});
