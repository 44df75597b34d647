import { describe, expect, it } from "vitest";
import { renderInitiative } from "../../../src/format/initiative-render.ts";
import type { Initiative } from "../../../src/domain/types.ts";

const base: Initiative = {
  id: "in-3m8d", title: "Auth rewrite", status: "approved",
  phases: [{ n: 1, title: "Token format", status: "done" }, { n: 2, title: "Login, then logout", status: "approved" }, { n: 3, title: "true", status: "planned" }],
  created_at: "2026-11-21T09:51:00.000Z", updated_at: "2026-11-21T10:02:03.123Z",
  body: "We move from sessions to tokens.\n\n- keep   spacing\n",
};

describe("initiative files", () => {
  it("render in a fixed key order, one phase per line, the concept verbatim", () => {
    expect(renderInitiative(base)).toBe(`---
id: in-3m8d
title: Auth rewrite
status: approved
phases:
  - {n: 1, title: Token format, status: done}
  - {n: 2, title: "Login, then logout", status: approved}
  - {n: 3, title: "true", status: planned}
created_at: 2026-11-21T09:51:00.000Z
updated_at: 2026-11-21T10:02:03.123Z
---
We move from sessions to tokens.

- keep   spacing
`);
  });

  it("write an empty phase list explicitly", () => {
    expect(renderInitiative({ ...base, phases: [], body: "" })).toContain("status: approved\nphases: []\ncreated_at:");
  });
});
