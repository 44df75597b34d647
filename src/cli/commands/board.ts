import { spawn } from "node:child_process";
import { RwError } from "../../domain/errors.ts";
import { actorArg, int, jsonArg, one, resolveActor } from "../args.ts";
import { defineRw } from "../command.ts";
import { context, type Context } from "../context.ts";
import { withStore } from "../read.ts";

// The server (and remark, for task bodies) load only when the board runs.
const serverModule = () => import("../../board/server.ts");
const presyncModule = () => import("../presync.ts");
const tuiModule = () => import("../../tui/board-tui.ts");

const LOOPBACK = ["127.0.0.1", "localhost", "::1"];

/** Opens the URL in the person's browser; a machine without one just keeps the printed URL. */
function openBrowser(ctx: Context, url: string): void {
  const cmd = process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
  try {
    const child = spawn(cmd, [url], { detached: true, stdio: "ignore" });
    child.on("error", () => ctx.stderr(`rw board: could not start ${cmd}; open the URL above yourself\n`));
    child.unref();
  } catch {
    ctx.stderr(`rw board: could not start ${cmd}; open the URL above yourself\n`);
  }
}

export default defineRw({
  meta: { name: "board", description: "A live web board of this repository's tasks (or a terminal one with --tui)" },
  args: {
    port: { type: "string", description: "port to listen on (default: any free port)", valueHint: "N" },
    host: { type: "string", description: "address to listen on (default 127.0.0.1; anything else is reachable by others: warned)", valueHint: "H" },
    open: { type: "boolean", description: "open the board in the default browser" },
    tui: { type: "boolean", description: "show the dashboard in this terminal instead (tasks in progress, ready queue, progress, live transcripts)" },
    ...actorArg,
    ...jsonArg,
  },
  examples: ["rw board", "rw board --open", "rw board --port 7420 --actor alice", "rw board --tui", "rw board --json   # {\"v\":1,\"url\":…} on one line, for scripts"],
  async run({ args }) {
    const ctx = context();
    if (args.tui) {
      if (!ctx.isTTY || !process.stdin.isTTY || ctx.env.TERM === "dumb") throw new RwError("usage", "rw board --tui needs a terminal (TERM is dumb, or stdin/stdout is not a terminal)", { hint: "run `rw board` for the web board, or `rw list` / `rw ready` for text" });
      return withStore(ctx, async (store) => {
        await store.snapshot();
        const { boardDashboard } = await tuiModule();
        await boardDashboard({ io: { stdin: process.stdin, stdout: process.stdout }, store, color: ctx.color, now: () => ctx.now().getTime(), repo: store.repo.mainWorktree ?? store.repo.commonDir });
      });
    }
    const port = int(args.port, "--port") ?? 0;
    if (port < 0 || port > 65535) throw new RwError("usage", "--port must be between 0 and 65535");
    const host = one(args.host) ?? "127.0.0.1";
    if (!LOOPBACK.includes(host)) {
      ctx.stderr(`rw board: warning: listening on ${host}: anyone who can reach this address and learns the token can change your tasks as you\n`);
    }
    await withStore(ctx, async (store) => {
      const [actor] = await Promise.all([resolveActor(store, args.actor), store.prefetch()]);
      await store.snapshot(); // not initialised: say so now, not in the page
      const { startBoard } = await serverModule();
      const { syncBeforeCommand } = await presyncModule();
      const board = await startBoard({
        store, actor, host, port, now: ctx.now, env: ctx.env,
        log: (line) => ctx.stderr(`${ctx.now().toISOString().slice(11, 19)} ${line}\n`),
        beforeWrite: () => syncBeforeCommand(store, async () => actor),
      });
      if (args.json) ctx.stdout(`${JSON.stringify({ v: 1, url: board.url, port: board.port, actor: actor.name })}\n`);
      else ctx.stdout(`rw board: ${board.url}\n  acting as ${actor.name}; Ctrl-C to stop\n`);
      if (args.open) openBrowser(ctx, board.url);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.removeListener("SIGINT", stop);
          process.removeListener("SIGTERM", stop);
          resolve();
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
      await board.close();
      if (!args.json) ctx.stdout("rw board: stopped\n");
    });
  },
});
