import { closeSync, fstatSync, openSync, readSync } from "node:fs";

/*
 * An index base open for reading, read only as far as a command needs (issue 17). At 100,000
 * tasks the base is ~50 MB, 40% of it the tasks' bodies and notes (the tails) that `rw list`,
 * `rw ready` and most of a claim never look at: the header and the entries are read at once,
 * a task's tail when it is decoded, all the tails when a scan or a new base needs them. The
 * descriptor stays open until then, so a base replaced by another writer (a rename) is still
 * read whole from the file this command started with; it is closed once everything is read, or
 * when nothing can read the file any more.
 */

/** Closes a base's descriptor when nothing that could read it is left (a long-lived process reads many bases). */
const closer = new FinalizationRegistry<number>((fd) => {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
});

export class BaseFile {
  /** The whole file's bytes: valid where read (the header first; `fill` reads more). */
  readonly buf: Buffer;
  private fd: number | undefined;
  private whole = false;

  private constructor(fd: number, readonly size: number, readonly ino: number) {
    this.fd = fd;
    this.buf = Buffer.allocUnsafe(size); // pages not touched are never faulted in
    closer.register(this, fd, this);
  }

  /** Opens `path` and reads its first line (the header); undefined when the file is missing. */
  static open(path: string): { file: BaseFile; headerEnd: number } | undefined {
    let fd: number;
    try {
      fd = openSync(path, "r");
    } catch {
      return undefined;
    }
    const { size, ino } = fstatSync(fd);
    const file = new BaseFile(fd, size, ino);
    let end = 0;
    for (let step = 1 << 20; end < size; step *= 2) {
      const to = Math.min(size, end + step);
      file.fill(end, to);
      const nl = file.buf.subarray(end, to).indexOf(10);
      if (nl >= 0) return { file, headerEnd: end + nl };
      end = to;
    }
    return { file, headerEnd: -1 };
  }

  /** Reads bytes [start, end) into `buf` (again, if they were read before: the same bytes). */
  fill(start: number, end: number): void {
    if (this.whole || end <= start) return;
    if (this.fd === undefined) throw new Error("index base closed before it was read");
    for (let at = start; at < end; ) {
      const n = readSync(this.fd, this.buf, at, end - at, at);
      if (n <= 0) throw new Error("index base ended early");
      at += n;
    }
  }

  /** Reads everything not read yet from `from` on, and lets the descriptor go. */
  fillAll(from: number): Buffer {
    if (!this.whole) {
      this.fill(from, this.size);
      this.whole = true;
      this.close();
    }
    return this.buf;
  }

  close(): void {
    if (this.fd === undefined) return;
    closer.unregister(this);
    closeSync(this.fd);
    this.fd = undefined;
  }
}
