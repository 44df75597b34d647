import { LISTED_WITHOUT, taskJson } from "../domain/task-json.ts";
import type { TaskFilter, TaskSort } from "../domain/task-query.ts";
import { isClosed, type Status } from "../domain/types.ts";
import type { ViewIndex } from "./view-index.ts";

/** Whether `f` asks for nothing but statuses (or --all): what the view index answers without decoding a task. */
export function filtersOnlyStatus(f: TaskFilter): boolean {
  return !f.labels?.length && !f.assignees?.length && !f.types?.length && f.initiative === undefined && f.phase === undefined && f.parent === undefined && f.priority === undefined;
}

/**
 * `rw list --json`'s answer, compact, as UTF-8 bytes, from the view index (issue 17): the index file's tasks in
 * the order asked for, each copied as the bytes the file keeps (its list JSON), and the few
 * changed since encoded as the list encodes them, so 100,000 tasks are neither decoded nor
 * sorted. The same bytes as JSON.stringify of `{ v: 1, count, total, tasks, ...extra }` with
 * each task through taskJson (test/integration/list-json.test.ts). Undefined when the filter
 * needs the tasks themselves.
 */
export function listJsonText(index: ViewIndex, f: TaskFilter, sort: TaskSort, limit: number | undefined, extra: Record<string, unknown>): Buffer | undefined {
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
  let tail = "";
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) tail += `,${JSON.stringify(key)}:${JSON.stringify(value)}`;
  const head = Buffer.from(`{"v":1,"count":${picked.length},"total":${total},"tasks":[`);
  const end = Buffer.from(`]${tail}}\n`);
  // One buffer, each task's bytes copied straight from the file's.
  const { bytes, start, length } = index.base;
  const file = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  let size = head.length + Math.max(0, picked.length - 1) + end.length;
  for (const p of picked) size += p < 0 ? changed[-p - 1]!.length : length[p]!;
  const out = Buffer.allocUnsafe(size);
  let at = head.copy(out, 0);
  for (let i = 0; i < picked.length; i++) {
    if (i > 0) out[at++] = 0x2c; // ","
    const p = picked[i]!;
    // set() of a view: Buffer#copy costs twice as much per call on node 20.
    const part = p < 0 ? changed[-p - 1]! : file.subarray(start[p], start[p]! + length[p]!);
    out.set(part, at);
    at += part.length;
  }
  end.copy(out, at);
  return out;
}
