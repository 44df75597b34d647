/**
 * The terminal as the dashboard needs it: the alternate screen, raw keys, the size, redraws.
 * Streams are passed in (STYLE: nothing below cli/ touches `process`).
 */
export interface TermIO {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
}

/** A key by name ("up", "down", "enter", "ctrl-c", "home", "end", "pageup", "pagedown", "escape") or the character typed. */
export type Key = string;

const KEYS: Record<string, Key> = {
  "\u001b[A": "up", "\u001bOA": "up", k: "up",
  "\u001b[B": "down", "\u001bOB": "down", j: "down",
  "\r": "enter", "\n": "enter",
  "\u0003": "ctrl-c",
  "\u001b[H": "home", "\u001b[1~": "home", g: "home",
  "\u001b[F": "end", "\u001b[4~": "end", G: "end",
  "\u001b[5~": "pageup", "\u001b[6~": "pagedown",
  "\u001b": "escape",
};

/** Splits a chunk of input into keys (a paste or fast typing arrives as one chunk). */
export function parseKeys(chunk: string): Key[] {
  const out: Key[] = [];
  let i = 0;
  while (i < chunk.length) {
    const seq = ["\u001b[1~", "\u001b[4~", "\u001b[5~", "\u001b[6~", "\u001b[A", "\u001b[B", "\u001b[C", "\u001b[D", "\u001b[H", "\u001b[F", "\u001bOA", "\u001bOB"].find((s) => chunk.startsWith(s, i));
    if (seq) {
      out.push(KEYS[seq] ?? seq);
      i += seq.length;
      continue;
    }
    const ch = chunk[i]!;
    out.push(KEYS[ch] ?? ch);
    i++;
  }
  return out;
}

export class Screen {
  private last: string[] = [];
  private active = false;
  private readonly onData = (d: Buffer | string): void => {
    for (const k of parseKeys(typeof d === "string" ? d : d.toString("utf8"))) this.keyHandler?.(k);
  };
  private readonly onResize = (): void => {
    this.last = [];
    this.resizeHandler?.();
  };
  private keyHandler: ((k: Key) => void) | undefined;
  private resizeHandler: (() => void) | undefined;

  constructor(private readonly io: TermIO) {}

  get width(): number {
    return Math.max(40, this.io.stdout.columns || 80);
  }

  get height(): number {
    return Math.max(12, this.io.stdout.rows || 24);
  }

  start(onKey: (k: Key) => void, onResize: () => void): void {
    this.keyHandler = onKey;
    this.resizeHandler = onResize;
    this.active = true;
    // Alternate screen, cursor hidden: the scrollback is left as it was when we stop.
    this.io.stdout.write("\u001b[?1049h\u001b[?25l\u001b[H\u001b[2J");
    if (this.io.stdin.isTTY) this.io.stdin.setRawMode(true);
    this.io.stdin.on("data", this.onData);
    this.io.stdin.resume();
    this.io.stdout.on("resize", this.onResize);
  }

  /** Draws a frame, rewriting only the lines that changed since the last one. */
  draw(lines: string[]): void {
    if (!this.active) return;
    let out = "";
    const h = this.height;
    for (let i = 0; i < h; i++) {
      const line = lines[i] ?? "";
      if (this.last[i] === line) continue;
      out += `\u001b[${i + 1};1H\u001b[2K${line}`;
    }
    this.last = lines.slice(0, h);
    if (out) this.io.stdout.write(out);
  }

  stop(): void {
    if (!this.active) return;
    this.active = false;
    this.io.stdin.off("data", this.onData);
    this.io.stdout.off("resize", this.onResize);
    if (this.io.stdin.isTTY) this.io.stdin.setRawMode(false);
    this.io.stdin.pause();
    this.io.stdout.write("\u001b[?25h\u001b[?1049l");
  }
}
