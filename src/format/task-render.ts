import type { Task } from "../domain/types.ts";
import { flowList, scalar, timestamp } from "./yaml-scalar.ts";

/**
 * Renders a task file (DESIGN §4): frontmatter in a fixed key order with empty fields left out,
 * then the body exactly as stored. Same task, same bytes: `rw doctor` depends on it.
 */
export function renderTask(task: Task): string {
  const lines: string[] = ["---"];
  const put = (key: string, value: string | undefined): void => {
    if (value !== undefined) lines.push(`${key}: ${value}`);
  };
  put("id", task.id);
  put("title", scalar(task.title));
  put("status", task.status);
  put("priority", String(task.priority));
  put("type", scalar(task.type));
  if (task.labels.length > 0) put("labels", flowList(task.labels));
  if (task.deps.length > 0) put("deps", flowList(task.deps));
  put("parent", task.parent);
  put("initiative", task.initiative);
  if (task.phase !== undefined) put("phase", String(task.phase));
  put("assignee", task.assignee === undefined ? undefined : scalar(task.assignee));
  put("lease_until", task.lease_until === undefined ? undefined : timestamp(task.lease_until));
  put("defer_until", task.defer_until === undefined ? undefined : timestamp(task.defer_until));
  put("blocked_reason", task.blocked_reason === undefined ? undefined : JSON.stringify(task.blocked_reason));
  if (task.retry_count > 0) put("retries", String(task.retry_count));
  if (task.gates.length > 0) put("gates", flowList(task.gates, true));
  put("created_at", timestamp(task.created_at));
  put("updated_at", timestamp(task.updated_at));
  lines.push("---");
  return `${lines.join("\n")}\n${task.body}`;
}

/** The body of a file this module rendered: everything after the closing `---` line. */
export function bodyOfRendered(text: string): string {
  const end = text.indexOf("\n---\n", 3);
  return end < 0 ? "" : text.slice(end + 5);
}
