import type { Usage } from "./executor.ts";

interface TaskRef { worker: number; actor: string; task: string; title: string; attempt: number }

/** What `rw run` reports while it works: rendered as live lines, plain lines, or a JSON stream. */
export type ProgressEvent =
  | { event: "session.started"; session: string; parallel: number; integration: string; resumed: string[] }
  | ({ event: "step"; step: string; started_ms: number; usage: Usage } & TaskRef)
  | ({ event: "task.completed"; duration_ms: number; usage: Usage; commit: string; files: string[]; summary: string } & TaskRef)
  | ({ event: "task.failed"; kind: string; error: string; will_retry: boolean; retry_count: number; usage: Usage } & TaskRef)
  | ({ event: "task.interrupted"; released: boolean } & TaskRef)
  | ({ event: "task.review"; usage: Usage; reason?: string } & TaskRef)
  | ({ event: "task.lost" } & TaskRef)
  | { event: "worker.idle"; worker: number }
  | { event: "session.ended"; session: string; completed: string[]; failed: string[]; blocked: string[]; review: string[]; usage: Usage; duration_ms: number; interrupted: boolean };
