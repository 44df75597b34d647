import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterEach } from "vitest";
import { makeRepo, RW_BIN, baseEnv, type TempRepo } from "./repo.ts";

export type ToolResult = { content: Array<{ type: string; text?: string }>; isError?: boolean; structuredContent?: Record<string, unknown> };

/** The SDK's own client, talking to the built `rw mcp` in a real child process; closed with `closeAll`. */
export class McpClients {
  private clients: Client[] = [];

  async connect(dir: string, opts: { actor?: string; env?: Record<string, string> } = {}): Promise<Client> {
    const env = Object.fromEntries(Object.entries(baseEnv(opts.env ?? {})).filter((e): e is [string, string] => e[1] !== undefined));
    if (opts.actor) env.RW_ACTOR = opts.actor;
    const transport = new StdioClientTransport({ command: process.execPath, args: [RW_BIN, "mcp"], cwd: dir, env, stderr: "pipe" });
    const client = new Client({ name: "rw-test", version: "1.0.0" });
    await client.connect(transport);
    this.clients.push(client);
    return client;
  }

  async closeAll(): Promise<void> {
    for (const c of this.clients.splice(0)) await c.close().catch(() => undefined);
  }
}

export async function callTool(client: Client, name: string, args: Record<string, unknown> = {}): Promise<{ text: string; isError: boolean; data: Record<string, unknown> | undefined }> {
  const r = (await client.callTool({ name, arguments: args })) as ToolResult;
  return { text: r.content.map((c) => c.text ?? "").join(""), isError: r.isError === true, data: r.structuredContent };
}

/**
 * One MCP test file's frame: `mcp.connect` children and the repositories `makeRepo` made are
 * closed and removed after each test (the afterEach is registered here).
 */
export function mcpRig(): { mcp: McpClients; makeRepo: (opts?: Parameters<typeof makeRepo>[0]) => TempRepo } {
  const mcp = new McpClients();
  const repos: TempRepo[] = [];
  afterEach(async () => {
    await mcp.closeAll();
    for (const r of repos.splice(0)) r.cleanup();
  });
  return {
    mcp,
    makeRepo: (opts) => {
      const r = makeRepo(opts);
      repos.push(r);
      return r;
    },
  };
}
