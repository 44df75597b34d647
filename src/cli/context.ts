import { fstatSync } from "node:fs";
import { redactKnown, secretValues } from "../format/secrets.ts";
import type { StoreContext } from "../store/store.ts";

/** The process, seen by commands through one object: cwd, env, clock and output (STYLE habit 3). */
export interface Context extends StoreContext {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTTY: boolean;
  color: boolean;
  /** Reads all of standard input (only when a command asks for it). */
  readStdin: () => Promise<string>;
  /** True when stdin is a shell pipe or a redirected file, i.e. someone is feeding us text. */
  stdinHasData: () => boolean;
  /**
   * Secret values output must not show (secret-named variables; openStore adds config.toml's
   * inline keys): stdout and stderr redact them and key shapes from everything they print.
   */
  secrets?: string[];
  /** A non-error outcome that still needs a non-zero exit (e.g. 130 after Ctrl-C); main.ts applies it. */
  exitCode?: number;
}

let current: Context | undefined;

export function setContext(ctx: Context): void {
  current = ctx;
}

/** citty does not pass data to sub-commands, so main.ts sets the context once here. */
export function context(): Context {
  if (!current) throw new Error("cli context not set");
  return current;
}

export function processContext(): Context {
  const isTTY = Boolean(process.stdout.isTTY);
  const secrets = secretValues(process.env);
  return {
    cwd: process.cwd(),
    env: process.env,
    now: () => new Date(),
    secrets,
    stdout: (t) => void process.stdout.write(redactKnown(t, secrets)),
    stderr: (t) => void process.stderr.write(redactKnown(t, secrets)),
    isTTY,
    color: isTTY && !process.env.NO_COLOR,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    },
    stdinHasData: () => {
      try {
        const st = fstatSync(0);
        return st.isFIFO() || st.isFile();
      } catch {
        return false;
      }
    },
  };
}
