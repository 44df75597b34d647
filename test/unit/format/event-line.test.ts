import { describe, expect, it } from "vitest";
import { makeEvent } from "../../../src/domain/decide.ts";
import { RwError } from "../../../src/domain/errors.ts";
import type { RwEvent } from "../../../src/domain/types.ts";
import { compareEvents, eventLine, parseShard, shardOf } from "../../../src/format/event-line.ts";
import { World } from "../../helpers/domain.ts";

const event = (over: Partial<RwEvent> = {}): RwEvent => ({
  v: 1, id: "01JDA3Q4Z8K2M5N7P9R1S3T5V7", ts: "2026-11-21T10:02:03.123Z", actor: "agent-2", type: "task.claimed", task: "rw-7k2f",
  data: { lease_until: "2026-11-21T10:32:03.123Z" }, ...over,
});

describe("event lines", () => {
  it("writes one JSON object per line with keys in DESIGN §3 order", () => {
    const w = new World();
    const ctx = { ...w.ctx("agent-2"), now: "2026-11-21T10:02:03.123Z", nextEventId: () => "01JDA3Q4Z8K2M5N7P9R1S3T5V7" };
    const e = makeEvent(ctx, "task.claimed", "rw-7k2f", { lease_until: "2026-11-21T10:32:03.123Z" });
    expect(eventLine(e)).toBe(
      '{"v":1,"id":"01JDA3Q4Z8K2M5N7P9R1S3T5V7","ts":"2026-11-21T10:02:03.123Z","actor":"agent-2","type":"task.claimed","task":"rw-7k2f","data":{"lease_until":"2026-11-21T10:32:03.123Z"}}\n',
    );
  });

  it("shards by UTC day", () => {
    expect(shardOf(event({ ts: "2026-11-21T23:59:59.999Z" }))).toBe("2026-11-21.jsonl");
    expect(shardOf(event({ ts: "2026-11-22T00:00:00.000Z" }))).toBe("2026-11-22.jsonl");
  });

  it("round-trips a shard, skipping blank lines", () => {
    const a = event();
    const b = event({ id: "01JDA3Q4Z8K2M5N7P9R1S3T5V8", type: "task.noted", data: { text: "a \"quoted\"\nline" } });
    expect(parseShard("2026-11-21.jsonl", `${eventLine(a)}\n${eventLine(b)}`)).toEqual([a, b]);
    expect(parseShard("2026-11-21.jsonl", "")).toEqual([]);
  });

  const bad: Array<[string, string, number, RegExp]> = [
    ["a line that is not JSON", `${eventLine(event())}{"v":1,`, 2, /is not valid JSON/],
    ["a truncated last line after a blank", `${eventLine(event())}\n{"v":`, 3, /is not valid JSON/],
    ["version 2", `${eventLine(event())}${eventLine(event())}${JSON.stringify({ ...event(), v: 2 })}\n`, 3, /is not a version 1 rw event/],
    ["no id", JSON.stringify({ v: 1, ts: "x", type: "t" }), 1, /not a version 1 rw event/],
    ["a JSON array", "[1,2]", 1, /not a version 1 rw event/],
    ["JSON null", "null", 1, /not a version 1 rw event/],
  ];
  it.each(bad)("refuses %s, naming the shard and the line", (_name, text, line, why) => {
    let err: unknown;
    try {
      parseShard("2026-11-21.jsonl", text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RwError);
    expect((err as RwError).code).toBe("corrupt");
    expect((err as RwError).message).toMatch(new RegExp(`^events/2026-11-21\\.jsonl line ${line} `));
    expect((err as RwError).message).toMatch(why);
  });

  it("log order is (ts, id)", () => {
    const x = event({ ts: "2026-11-21T10:00:00.000Z", id: "B" });
    const y = event({ ts: "2026-11-21T10:00:00.000Z", id: "A" });
    const z = event({ ts: "2026-11-21T09:00:00.000Z", id: "C" });
    expect([x, y, z].sort(compareEvents).map((e) => e.id)).toEqual(["C", "A", "B"]);
    expect(compareEvents(x, x)).toBe(0);
  });
});
