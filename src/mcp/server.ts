import type { Readable, Writable } from "node:stream";
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { namedActor } from "../cli/args.ts";
import { getTask } from "../domain/decide.ts";
import { readyTasks } from "../domain/ready.ts";
import { STATUSES, isClosed } from "../domain/types.ts";
import { taskPath } from "../store/layout.ts";
import { Store, type Actor, type StoreContext } from "../store/store.ts";
import { errorAnswer, readyText } from "./text.ts";
import { TOOLS, type ToolApi } from "./tools.ts";

export interface McpOptions extends StoreContext {
  version: string;
}

/** Tool argument, else $RW_ACTOR, else "mcp": the name that authors the state commit (checked as the CLI's --actor is). */
function mcpActor(arg: string | undefined, env: Record<string, string | undefined>): Actor {
  return namedActor((arg ?? env.RW_ACTOR ?? "mcp").trim() || "mcp");
}

/**
 * The MCP surface of rw: tools that run the same deciders through the same
 * `Store.transact` as the CLI, and resources for STATE.md and single tasks.
 */
export function createMcpServer(store: Store, opts: McpOptions): McpServer {
  const server = new McpServer(
    { name: "rw", version: opts.version },
    { instructions: "rw task backlog. Loop: ready -> claim -> work -> note -> done (or fail with a reason). Pass actor to name yourself." },
  );
  const api: ToolApi = { store, actor: (arg) => mcpActor(arg, opts.env), now: () => opts.now().toISOString() };
  for (const [name, tool] of Object.entries(TOOLS)) {
    server.registerTool(name, { description: tool.description, inputSchema: tool.shape, annotations: { readOnlyHint: tool.readOnly } }, async (args: Record<string, unknown>) => {
      try {
        return { content: [{ type: "text" as const, text: await tool.run(args, api) }] };
      } catch (err) {
        return { content: [{ type: "text" as const, text: errorAnswer(err) }], isError: true };
      }
    });
  }
  server.registerResource("state", "rw://state", { description: "STATE.md: where the project stands", mimeType: "text/markdown" }, async (uri) => ({
    contents: [{ uri: uri.href, mimeType: "text/markdown", text: await stateText(store, api.now()) }],
  }));
  const template = new ResourceTemplate("rw://task/{id}", {
    list: async () => {
      const snap = await store.snapshot();
      const open = Object.values(snap.state.tasks).filter((t) => !isClosed(t.status)).slice(0, 500);
      return { resources: open.map((t) => ({ uri: `rw://task/${t.id}`, name: t.id, description: t.title, mimeType: "text/markdown" })) };
    },
  });
  server.registerResource("task", template, { description: "one task file (frontmatter and body)", mimeType: "text/markdown" }, async (uri, vars) => {
    const id = String(Array.isArray(vars.id) ? vars.id[0] : vars.id);
    const snap = await store.snapshot();
    getTask(snap.state, id);
    const text = (await store.readPath(taskPath(id), snap.tip)) ?? "";
    return { contents: [{ uri: uri.href, mimeType: "text/markdown", text }] };
  });
  return server;
}

/** STATE.md from the ref; a short summary in its place when no view has been generated yet. */
async function stateText(store: Store, now: string): Promise<string> {
  const snap = await store.snapshot();
  const file = await store.readPath("STATE.md", snap.tip);
  if (file !== null) return file;
  const counts = STATUSES.map((s) => `${s} ${Object.values(snap.state.tasks).filter((t) => t.status === s).length}`).join(", ");
  return `# State\n\n${counts}\n\n## Ready next\n${readyText(readyTasks(snap.state, now), 10)}\n`;
}

/** Serves MCP on the given streams until the client goes away. */
export async function serveStdio(opts: McpOptions, stdin: Readable, stdout: Writable): Promise<void> {
  const store = await Store.open(opts);
  const server = createMcpServer(store, opts);
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = () => resolve();
    stdin.once("end", () => resolve());
    stdin.once("close", () => resolve());
  });
  await server.connect(new StdioServerTransport(stdin, stdout));
  try {
    await closed;
  } finally {
    await server.close().catch(() => undefined);
    store.close();
  }
}
