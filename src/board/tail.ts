import { closeSync, openSync, readSync, statSync, watch, type FSWatcher } from "node:fs";
import { basename, dirname } from "node:path";
import { StringDecoder } from "node:string_decoder";

/** How much of an existing transcript a new viewer gets first (the rest is in `rw logs`). */
const BACKLOG = 64 * 1024;
const POLL_MS = 500;

/**
 * Follows a file that another process appends to (`rw run`'s transcript): the last 64 KB first,
 * then every append, as text. The file may not exist yet; it may be truncated (a new attempt
 * never truncates, but a person may): then it starts again from the top.
 */
export function tailFile(file: string, onText: (text: string, reset: boolean) => void): () => void {
  let offset = -1;
  let decoder = new StringDecoder("utf8");
  let stopped = false;
  const read = (): void => {
    if (stopped) return;
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      return; // not written yet
    }
    let reset = false;
    if (offset < 0 || size < offset) {
      reset = offset >= 0;
      offset = Math.max(0, size - BACKLOG);
      decoder = new StringDecoder("utf8");
    }
    if (size === offset) return;
    const fd = openSync(file, "r");
    try {
      const buf = Buffer.alloc(Math.min(size - offset, 4 * 1024 * 1024));
      const n = readSync(fd, buf, 0, buf.length, offset);
      offset += n;
      const text = decoder.write(buf.subarray(0, n));
      if (text) onText(text, reset);
    } finally {
      closeSync(fd);
    }
  };
  let watcher: FSWatcher | undefined;
  try {
    // The folder, not the file: the file may appear later.
    watcher = watch(dirname(file), (_e, name) => {
      if (name === null || name === basename(file)) read();
    });
  } catch {
    // no logs folder yet: the poll finds the file when it appears
  }
  const timer = setInterval(read, POLL_MS);
  timer.unref();
  read();
  return () => {
    stopped = true;
    clearInterval(timer);
    watcher?.close();
  };
}
