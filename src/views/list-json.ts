import { LISTED_WITHOUT, taskJson } from "../domain/task-json.ts";
import type { TaskFilter, TaskSort } from "../domain/task-query.ts";
import { answerFrame } from "../format/json-answer.ts";
import { mayHoldKey } from "../format/secrets.ts";
import { isClosed, type Status } from "../domain/types.ts";
import type { ViewIndex } from "./view-index.ts";

/** Whether `f` asks for nothing but statuses (or --all): what the view index answers without decoding a task. */
function filtersOnlyStatus(f: TaskFilter): boolean {
  return !f.labels?.length && !f.assignees?.length && !f.types?.length && f.initiative === undefined && f.phase === undefined && f.parent === undefined && f.priority === undefined;
}

/**
 * `rw list --json`'s answer, compact, as UTF-8 bytes, from the view index (issue 17): the index file's tasks in
 * the order asked for, each copied as the bytes the file keeps (its list JSON), and the few
 * changed since encoded as the list encodes them, so 100,000 tasks are neither decoded nor
 * sorted. The same bytes as JSON.stringify of `{ v: 1, count, total, tasks, ...extra }` with
 * each task through taskJson (test/integration/list-json.test.ts). Undefined when the filter
 * needs the tasks themselves. `keyShapes`: whether a part has the start of a key shape (the
 * index keeps that per task), so the printer need not scan 17 MB to find there is none.
 */
export function listJsonText(index: ViewIndex, f: TaskFilter, sort: TaskSort, limit: number | undefined, extra: Record<string, unknown>): { bytes: Buffer; keyShapes: boolean } | undefined {
  if (!filtersOnlyStatus(f)) return undefined;
  const statuses: readonly string[] = f.statuses ?? [];
  const keep = (status: string): boolean => (statuses.length > 0 ? statuses.includes(status) : f.all === true || !isClosed(status as Status));
  const max = limit ?? Infinity;
  // What is shown: positions in the index file, or -(k + 1) for the k-th changed task's JSON.
  const picked: number[] = [];
  const changed: Buffer[] = [];
  let total = 0;
  index.walk(sort, (pos, task) => {
    if (!keep(task ? task.status : index.statusAt(pos))) return;
    total++;
    if (picked.length >= max) return;
    if (!task) return picked.push(pos);
    changed.push(Buffer.from(JSON.stringify(taskJson(task, LISTED_WITHOUT))));
    picked.push(-changed.length);
  });
  const { head, end } = answerFrame({ count: picked.length, total, tasks: [], ...extra });
  // One buffer, each task's bytes copied straight from the file's.
  const { bytes, start, length, keyish } = index.base;
  // Whether any part has a key shape's start: only then must the output be scanned for one.
  let keyShapes = mayHoldKey(head) || mayHoldKey(end) || changed.some((c) => mayHoldKey(c));
  const file = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  // Where each shown task goes, then the copies in the file's order: reading the file front to
  // back is ~2.5x faster than in the list's order (a random walk over 25 MB at 100,000 tasks).
  const dest = new Float64Array(length.length).fill(-1);
  const out0 = head.length;
  let at = out0;
  const changedAt: number[] = [];
  for (let i = 0; i < picked.length; i++) {
    if (i > 0) at++; // ","
    const p = picked[i]!;
    if (p < 0) {
      changedAt.push(at);
      at += changed[-p - 1]!.length;
    } else {
      if (keyish[p] === 1) keyShapes = true;
      dest[p] = at;
      at += length[p]!;
    }
  }
  const out = Buffer.allocUnsafe(at + end.length);
  head.copy(out, 0);
  for (let p = 0; p < dest.length; p++) if (dest[p]! >= 0) out.set(file.subarray(start[p], start[p]! + length[p]!), dest[p]);
  changed.forEach((c, k) => out.set(c, changedAt[k]));
  // The commas: before every task but the first, right after the one before it.
  at = out0;
  for (let i = 0; i < picked.length; i++) {
    if (i > 0) out[at++] = 0x2c;
    const p = picked[i]!;
    at += p < 0 ? changed[-p - 1]!.length : length[p]!;
  }
  end.copy(out, at);
  return { bytes: out, keyShapes };
}
