import { packageVersion } from "../../store/package-root.ts";
import { RwError } from "../../domain/errors.ts";
import { one } from "../args.ts";
import { defineRw } from "../command.ts";
import { context } from "../context.ts";

// Heavy (the SDK and zod): loaded only when serving, never for --print-config or other verbs.
const loadServer = () => import("../../mcp/server.ts");

const CLIENTS = ["claude", "cursor"] as const;

/** The snippet a user pastes into their MCP client's configuration. */
export function mcpConfigSnippet(client: string): string {
  if (client === "claude") {
    return [
      "# Claude Code: run once in your repository (options go before the server name)",
      "claude mcp add --transport stdio --env RW_ACTOR=claude rw -- rw mcp",
      "",
      "# or commit this as .mcp.json in the repository root:",
      JSON.stringify({ mcpServers: { rw: { command: "rw", args: ["mcp"], env: { RW_ACTOR: "claude" } } } }, null, 2),
      "",
    ].join("\n");
  }
  if (client === "cursor") {
    // Only JSON on stdout, so `rw mcp --print-config cursor > .cursor/mcp.json` is a valid file; where it goes is in --help.
    return `${JSON.stringify({ mcpServers: { rw: { command: "rw", args: ["mcp"], env: { RW_ACTOR: "cursor" } } } }, null, 2)}\n`;
  }
  throw new RwError("usage", `unknown client ${JSON.stringify(client)} for --print-config`, { hint: `use one of: ${CLIENTS.join(", ")}` });
}

export default defineRw({
  meta: { name: "mcp", description: "Serve rw's tools to an agent over MCP (stdio)" },
  args: {
    "print-config": { type: "string", description: `print the configuration snippet for a client (${CLIENTS.join(", ")}) and exit`, valueHint: "client" },
  },
  examples: [
    "rw mcp",
    "rw mcp --print-config claude",
    "rw mcp --print-config cursor > .cursor/mcp.json   # a new file; merge by hand into an existing one",
    "RW_MCP_TOOLS=core rw mcp   # only the agent loop's 9 tools (core | standard | all, default all)",
  ],
  async run({ args }) {
    const ctx = context();
    const client = one(args["print-config"]);
    if (client !== undefined) return ctx.stdout(mcpConfigSnippet(client));
    const version = packageVersion();
    const { serveStdio } = await loadServer();
    await serveStdio({ cwd: ctx.cwd, env: ctx.env, now: ctx.now, version }, process.stdin, process.stdout);
  },
});
