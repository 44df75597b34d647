import { describe, expect, it } from "vitest";
import type { Task } from "../../../src/domain/types.ts";
import { bodyOfRendered, renderTask } from "../../../src/format/task-render.ts";

const full: Task = {
  id: "rw-7k2f",
  title: "Add login endpoint",
  status: "in_progress",
  priority: 1,
  type: "feature",
  labels: ["api", "auth"],
  deps: ["rw-a1b2"],
  parent: "rw-x9q0",
  initiative: "in-3m8d",
  phase: 2,
  assignee: "agent-2",
  lease_until: "2026-11-21T10:32:03.123Z",
  defer_until: "2026-11-21T09:00:00.000Z",
  gates: ["npm test -- auth"],
  created_at: "2026-11-21T09:51:00.000Z",
  updated_at: "2026-11-21T10:02:03.123Z",
  body: "POST /login returns a signed token for valid credentials.\n\n## Acceptance criteria\n- [ ] valid credentials return 200 and a token\n- [ ] invalid credentials return 401 and no token\n",
  retry_count: 1,
  blocked_reason: "waiting on \"ops\"",
  notes: [{ ts: "2026-11-21T10:00:00.000Z", actor: "a", text: "notes are not in the file" }],
};

describe("renderTask", () => {
  it("writes the DESIGN §4 file byte for byte", () => {
    expect(renderTask(full)).toBe(`---
id: rw-7k2f
title: Add login endpoint
status: in_progress
priority: 1
type: feature
labels: [api, auth]
deps: [rw-a1b2]
parent: rw-x9q0
initiative: in-3m8d
phase: 2
assignee: agent-2
lease_until: 2026-11-21T10:32:03.123Z
defer_until: 2026-11-21T09:00:00.000Z
blocked_reason: "waiting on \\"ops\\""
retries: 1
gates: ["npm test -- auth"]
created_at: 2026-11-21T09:51:00.000Z
updated_at: 2026-11-21T10:02:03.123Z
---
POST /login returns a signed token for valid credentials.

## Acceptance criteria
- [ ] valid credentials return 200 and a token
- [ ] invalid credentials return 401 and no token
`);
  });

  it("leaves empty fields out", () => {
    const bare: Task = {
      id: "rw-0000", title: "Bare", status: "open", priority: 2, type: "task", labels: [], deps: [], gates: [],
      created_at: "2026-11-21T09:51:00.000Z", updated_at: "2026-11-21T09:51:00.000Z", body: "", retry_count: 0, notes: [],
    };
    expect(renderTask(bare)).toBe(
      "---\nid: rw-0000\ntitle: Bare\nstatus: open\npriority: 2\ntype: task\ncreated_at: 2026-11-21T09:51:00.000Z\nupdated_at: 2026-11-21T09:51:00.000Z\n---\n",
    );
  });

  it.each([
    ["yes", '"yes"'], ["null", '"null"'], ["123", '"123"'], ["2026-01-01", '"2026-01-01"'], ["a: b", '"a: b"'], ["#1 bug", '"#1 bug"'],
    ["[wip] x", '"[wip] x"'], ["- item", '"- item"'], [" padded", '" padded"'], ["it's fine", "it's fine"], ["Fix the café", "Fix the café"],
    ["*bold*", '"*bold*"'], ["'quoted'", "\"'quoted'\""], ["!tag", '"!tag"'],
  ])("quotes a title only when YAML would misread it: %j", (title, written) => {
    const text = renderTask({ ...full, title });
    expect(text.split("\n")[2]).toBe(`title: ${written}`);
  });

  it("keeps the body verbatim (no trailing newline added, CRLF and odd spacing kept)", () => {
    const body = "line one\r\n\n\n   indented ---\n---\nnot frontmatter";
    const text = renderTask({ ...full, body });
    expect(text.endsWith(`---\n${body}`)).toBe(true);
    expect(bodyOfRendered(text)).toBe(body);
  });
});
