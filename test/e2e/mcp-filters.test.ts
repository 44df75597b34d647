import { describe, expect, it } from "vitest";
import { callTool, mcpRig } from "../helpers/mcp.ts";
import { waitFor } from "../helpers/repo.ts";

// Issue 16: `ready` and `list` take the same filters as the CLI, assignee included, through the
// MCP SDK's own client over a real stdio child.
const { mcp, makeRepo } = mcpRig();

describe("rw mcp ready/list filters", { timeout: 240_000 }, () => {
  it("ready and list filter by assignee; ready finds a task whose holder's lease ran out", async () => {
    const repo = makeRepo();
    const r = repo;
    await r.rwOk(["init"]);
    const held = await r.rwOk(["create", "Held by agent-9"]);
    const free = await r.rwOk(["create", "Nobody holds this"]);
    await r.rwOk(["claim", held, "--lease", "1s"], { actor: "agent-9" });
    const client = await mcp.connect(r.dir, { actor: "agent-1" });
    const ready = (await client.listTools()).tools.find((t) => t.name === "ready")!;
    expect((ready.inputSchema.properties as Record<string, { description?: string }>).assignee?.description).toMatch(/lease ran out/);

    const listed = await callTool(client, "list", { assignee: "agent-9" });
    expect(listed.data).toMatchObject({ count: 1, total: 1, tasks: [{ id: held, assignee: "agent-9" }] });
    const expired = await waitFor(async () => {
      const x = await callTool(client, "ready", { assignee: ["agent-9"] });
      return (x.data as { count: number }).count === 1 ? x : undefined;
    }, { timeoutMs: 30_000, intervalMs: 200, what: "agent-9's lease to run out" });
    expect(expired.data).toMatchObject({ count: 1, total: 1, tasks: [{ id: held, expired_claim: { assignee: "agent-9" } }] });
    expect((await callTool(client, "ready", {})).data).toMatchObject({ total: 2 });
    expect((await callTool(client, "ready", { assignee: "agent-2" })).data).toMatchObject({ count: 0, total: 0 });
    expect((await callTool(client, "list", { assignee: "agent-2" })).text).toBe("no tasks match");
    void free;
  });
});
