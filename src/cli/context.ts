import { fstatSync, writeSync } from "node:fs";
import { redactKnown, redactKnownBytes, secretValues } from "../format/secrets.ts";
import type { StoreContext } from "../store/store.ts";

/** The process, seen by commands through one object: cwd, env, clock and output (STYLE habit 3). */
export interface Context extends StoreContext {
  /**
   * Text, or UTF-8 bytes (a long answer made of bytes already: not decoded to be printed);
   * `keyShapes: false` when the caller knows no part of the bytes has a key shape's start.
   */
  stdout: (text: string | Buffer, opts?: { keyShapes?: boolean }) => void;
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

/**
 * Writes to fd 1 or 2. Where it is a pipe, a socket or a file (how agents and scripts read rw),
 * straight to the descriptor: creating process.stdout for a pipe builds a net.Socket, ~30 of
 * node's modules, ~5-9 ms of CPU per command. A terminal or a device goes through node's stream,
 * and so does the rest of the output once the descriptor says EAGAIN (a non-blocking pipe whose
 * reader is behind), so nothing is reordered or lost.
 */
class Output {
  private stream: NodeJS.WriteStream | undefined;
  private readonly direct: boolean;
  /** The reader went away (`rw list | head`): the rest is dropped, as a shell tool does. */
  private closed = false;

  constructor(private readonly fd: 1 | 2) {
    let direct = false;
    try {
      const st = fstatSync(fd);
      direct = st.isFIFO() || st.isSocket() || st.isFile();
    } catch {
      // closed or unusual: node's stream decides
    }
    this.direct = direct;
  }

  private node(): NodeJS.WriteStream {
    return (this.stream ??= this.fd === 1 ? process.stdout : process.stderr);
  }

  get isTTY(): boolean {
    return !this.direct && Boolean(this.node().isTTY);
  }

  write(text: string | Buffer): void {
    if (this.closed) return;
    if (!this.direct || this.stream) {
      this.node().write(text);
      return;
    }
    const buf = typeof text === "string" ? Buffer.from(text) : text;
    for (let at = 0; at < buf.length; ) {
      try {
        at += writeSync(this.fd, buf, at);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "EPIPE") {
          this.closed = true;
          return;
        }
        if (code !== "EAGAIN") throw err;
        this.node().write(buf.subarray(at));
        return;
      }
    }
  }

  /** Calls `done` once everything written has left the process (only node's stream can hold some back). */
  flush(done: () => void): void {
    if (this.stream) this.stream.write("", done);
    else done();
  }
}

const out = { stdout: new Output(1), stderr: new Output(2) };

/** Exits once stdout and stderr are flushed (see Output). */
export function flushOutput(done: () => void): void {
  out.stdout.flush(() => out.stderr.flush(done));
}

export function processContext(): Context {
  const isTTY = out.stdout.isTTY;
  const secrets = secretValues(process.env);
  return {
    cwd: process.cwd(),
    env: process.env,
    now: () => new Date(),
    secrets,
    stdout: (t, o) => out.stdout.write(typeof t === "string" ? redactKnown(t, secrets) : redactKnownBytes(t, secrets, o?.keyShapes !== false)),
    stderr: (t) => out.stderr.write(redactKnown(t, secrets)),
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
