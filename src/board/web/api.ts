import type { AnalyticsView, ErrorBody, ReviewView, TaskDetail } from "../protocol.ts";

/** The token the server put in the page (and the URL): sent with every request. */
export const token = document.querySelector<HTMLMetaElement>('meta[name="rw-token"]')?.content ?? new URLSearchParams(location.search).get("token") ?? "";

export class ApiError extends Error {
  constructor(message: string, readonly code: string, readonly hint?: string) {
    super(message);
  }
}

async function call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: { "x-rw-token": token, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await res.json().catch(() => ({ error: { code: "http", message: `${res.status} ${res.statusText}` } }))) as T & Partial<ErrorBody>;
  if (!res.ok || json.error) {
    const e = json.error ?? { code: "http", message: `${res.status}` };
    throw new ApiError(e.message, e.code, e.hint);
  }
  return json;
}

export interface WriteResult { ok: true; id: string; changed: number; commit: string | null; message: string; outcome?: string }

export const api = {
  task: (id: string) => call<TaskDetail>("GET", `/api/task/${encodeURIComponent(id)}`),
  analytics: () => call<AnalyticsView>("GET", "/api/analytics"),
  move: (id: string, status: string, expect?: string, reason?: string) => call<WriteResult>("POST", `/api/task/${encodeURIComponent(id)}/status`, { status, ...(expect ? { expect } : {}), ...(reason ? { reason } : {}) }),
  edit: (id: string, patch: { title?: string; body?: string; labels?: string[]; priority?: number }) => call<WriteResult>("POST", `/api/task/${encodeURIComponent(id)}/edit`, patch),
  create: (input: { title: string; body?: string; priority?: number; labels?: string[]; initiative?: string; phase?: number }) => call<WriteResult>("POST", "/api/task", input),
  note: (id: string, text: string) => call<WriteResult>("POST", `/api/task/${encodeURIComponent(id)}/note`, { text }),
  approve: (initiative: string, phase: number) => call<WriteResult>("POST", `/api/initiative/${encodeURIComponent(initiative)}/phase/${phase}/approve`, {}),
  reviewOf: (id: string) => call<ReviewView>("GET", `/api/task/${encodeURIComponent(id)}/review`),
  review: (id: string, verdict: "approve" | "reject", commit: string, feedback?: string) => call<WriteResult>("POST", `/api/task/${encodeURIComponent(id)}/review`, { verdict, commit, ...(feedback ? { feedback } : {}) }),
};

/** An event stream with the token (EventSource cannot send headers). */
export const stream = (path: string): EventSource => new EventSource(`${path}${path.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`);
