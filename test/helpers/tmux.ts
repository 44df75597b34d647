import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "./repo.ts";

/** tmux runs the terminal UIs under test; `.ci/run` installs it, and without it those tests are skipped with this message. */
export const NO_TMUX = spawnSync("tmux", ["-V"]).status === 0 ? undefined : "no tmux on PATH (apt-get install -y tmux): TUI tests skipped";

/** One tmux server per test (its own socket), so tests never see each other's sessions. */
export interface Tmux {
  /** Types keys (tmux key names: "j", "Enter", "C-c"). */
  keys(...keys: string[]): void;
  /** The visible screen, as plain text. */
  screen(): string;
  /** Polls the screen until `test` matches; the error shows the last screen. */
  waitScreen(test: RegExp | ((s: string) => boolean), what: string, timeoutMs?: number): Promise<string>;
  kill(): void;
}

export function startTmux(command: string, opts: { cwd: string; env: NodeJS.ProcessEnv; width?: number; height?: number }): Tmux {
  const dir = mkdtempSync(join(tmpdir(), "rw-tmux-"));
  const socket = join(dir, "sock");
  const tmux = (args: string[]): string => execFileSync("tmux", ["-S", socket, ...args], { cwd: opts.cwd, env: opts.env, encoding: "utf8" });
  // The command's own exit code is printed when it ends, and the pane stays for inspection.
  tmux(["new-session", "-d", "-s", "t", "-x", String(opts.width ?? 150), "-y", String(opts.height ?? 42), `${command}; echo "EXITED $?"; sleep 3600`]);
  const t: Tmux = {
    keys: (...keys) => void tmux(["send-keys", "-t", "t", ...keys]),
    screen: () => tmux(["capture-pane", "-p", "-t", "t"]),
    waitScreen: async (test, what, timeoutMs = 45_000) => {
      let last = "";
      try {
        return await waitFor(() => {
          last = t.screen();
          return (typeof test === "function" ? test(last) : test.test(last)) ? last : undefined;
        }, { timeoutMs, intervalMs: 100, what });
      } catch (err) {
        throw new Error(`${(err as Error).message}\n--- screen ---\n${last}`);
      }
    },
    kill: () => {
      spawnSync("tmux", ["-S", socket, "kill-server"]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return t;
}
