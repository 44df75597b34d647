import type { Readable, Writable } from "node:stream";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import {
  CallToolRequestSchema, ErrorCode, ListResourcesRequestSchema, ListResourceTemplatesRequestSchema, ListToolsRequestSchema, McpError, ReadResourceRequestSchema,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { readyTasks } from "../domain/ready.ts";
import { didYouMean } from "../domain/suggest.ts";
import { namedActor } from "../domain/text.ts";
import { STATUSES, isClosed } from "../domain/types.ts";
import { Store, type Actor, type StoreContext } from "../store/store.ts";
import { checkArgs } from "./args.ts";
import type { ToolApi, ToolDef } from "./kit.ts";
import { errorAnswer, readyText } from "./text.ts";
import { toolsFor } from "./tools.ts";

export interface McpOptions extends StoreContext {
  version: string;
}

/** MCP's "resource not found" (spec: -32002), not an internal error. */
const RESOURCE_NOT_FOUND = -32002;
/** Resources per `resources/list` page; the cursor is the last URI of the previous page. */
export const RESOURCE_PAGE = 200;

/** Tool argument, else $RW_ACTOR, else "mcp": the name that authors the state commit (checked as the CLI's --actor is). */
function mcpActor(arg: string | undefined, env: Record<string, string | undefined>): Actor {
  return namedActor((arg ?? env.RW_ACTOR ?? "mcp").trim() || "mcp");
}

const INSTRUCTIONS = [
  "rw task backlog shared by agents and humans.",
  "Loop: ready -> claim (atomic; one winner) -> work, calling heartbeat before lease_until (claiming again also renews) -> note findings -> done with a summary (or fail with a reason, or release).",
  "IDs may be shortened to a unique prefix. Pass actor to name yourself.",
].join(" ");

/** The JSON Schema of a tool's arguments or answer (draft-07, no `$schema`: clients embed it). */
function jsonSchema(shape: z.ZodRawShape, strict: boolean): Tool["inputSchema"] {
  const { $schema: _drop, ...schema } = z.toJSONSchema(strict ? z.strictObject(shape) : z.object(shape), { target: "draft-7", io: "input" }) as Record<string, unknown>;
  return schema as Tool["inputSchema"];
}

/** What `tools/list` says of a tool: its arguments, its answer's shape and how it behaves. */
export function describeTool(name: string, t: ToolDef): Tool {
  return {
    name,
    description: t.description,
    inputSchema: jsonSchema(t.input, true),
    outputSchema: jsonSchema(t.output, true),
    annotations: { readOnlyHint: t.readOnly, destructiveHint: t.destructive === true, idempotentHint: t.readOnly, openWorldHint: name === "plan" },
  };
}

/**
 * The MCP surface of rw: tools that run the same deciders through the same `Store.transact` as
 * the CLI, each answering terse text plus `structuredContent` that matches its `outputSchema`,
 * and resources for STATE.md and single tasks. Built on the SDK's low-level Server so that
 * argument checking (unknown names are errors, issue 14) and resource errors are rw's own.
 */
export function createMcpServer(store: Store, opts: McpOptions): Server {
  const tools = toolsFor(opts.env.RW_MCP_TOOLS);
  const server = new Server({ name: "rw", version: opts.version }, { capabilities: { tools: {}, resources: {} }, instructions: INSTRUCTIONS });
  const api: ToolApi = { store, actor: (arg) => mcpActor(arg, opts.env), now: () => opts.now().toISOString(), env: opts.env, cwd: opts.cwd };
  const listed = Object.entries(tools).map(([name, t]) => describeTool(name, t));

  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listed }));
  server.setRequestHandler(CallToolRequestSchema, async (req) => {
    const name = req.params.name;
    const t = Object.hasOwn(tools, name) ? tools[name] : undefined;
    if (!t) throw new McpError(ErrorCode.InvalidParams, `unknown tool ${name}${didYouMean(name, Object.keys(tools))}`);
    try {
      const args = checkArgs(name, t.input, req.params.arguments);
      const answer = await t.run(args, api);
      return { content: [{ type: "text" as const, text: answer.text }], structuredContent: answer.data };
    } catch (err) {
      return { content: [{ type: "text" as const, text: errorAnswer(err) }], isError: true };
    }
  });

  server.setRequestHandler(ListResourcesRequestSchema, async (req) => {
    const snap = await store.snapshot();
    const cursor = req.params?.cursor;
    const open = Object.values(snap.state.tasks).filter((t) => !isClosed(t.status)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const all = [
      { uri: "rw://state", name: "STATE.md", description: "where the project stands", mimeType: "text/markdown" },
      ...open.map((t) => ({ uri: `rw://task/${t.id}`, name: t.id, description: t.title, mimeType: "text/markdown" })),
    ];
    let start = 0;
    if (cursor !== undefined) {
      // The page after the cursor's URI; a task closed or removed since is simply skipped over.
      if (!cursor.startsWith("rw://task/")) throw new McpError(ErrorCode.InvalidParams, `invalid cursor ${JSON.stringify(cursor)}`);
      const at = all.findIndex((r, i) => i > 0 && r.uri > cursor);
      start = at < 0 ? all.length : at;
    }
    const page = all.slice(start, start + RESOURCE_PAGE);
    const more = start + RESOURCE_PAGE < all.length;
    return { resources: page, ...(more ? { nextCursor: page[page.length - 1]!.uri } : {}) };
  });
  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({
    resourceTemplates: [{ uriTemplate: "rw://task/{id}", name: "task", description: "one task file (frontmatter and body)", mimeType: "text/markdown" }],
  }));
  server.setRequestHandler(ReadResourceRequestSchema, async (req) => {
    const uri = req.params.uri;
    if (uri === "rw://state") return { contents: [{ uri, mimeType: "text/markdown", text: await stateText(store, api.now()) }] };
    const m = /^rw:\/\/task\/([^/?#]+)$/.exec(uri);
    const snap = await store.snapshot();
    const id = m ? decodeURIComponent(m[1]!) : undefined;
    const task = id !== undefined && Object.hasOwn(snap.state.tasks, id) ? snap.state.tasks[id] : undefined;
    if (!task) throw new McpError(RESOURCE_NOT_FOUND, `resource not found: ${uri}`, { uri });
    const text = (await store.readTaskFile(task.id, snap.tip)) ?? "";
    return { contents: [{ uri, mimeType: "text/markdown", text }] };
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
  toolsFor(opts.env.RW_MCP_TOOLS); // a bad RW_MCP_TOOLS is a startup error the user sees, not a silent default
  const store = await Store.open(opts);
  const server = createMcpServer(store, opts);
  const closed = new Promise<void>((resolve) => {
    server.onclose = () => resolve();
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
