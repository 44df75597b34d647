import { describe, expect, it } from "vitest";
import type { RwEvent } from "../../../src/domain/types.ts";
import { eventLine, parseShardName, SHARD_BOUND, ShardPlacer, shardName } from "../../../src/format/event-line.ts";
import { layoutOf, layoutText, renderShards } from "../../../src/store/layout.ts";
import { ObjectWriter } from "../../../src/store/objects.ts";

const event = (i: number, ts: string, size = 1000): RwEvent => ({
  v: 1, id: `01JDA3Q4Z8K2M5N7P9R${String(i).padStart(7, "0")}`, ts, actor: "a", type: "task.noted", task: "rw-7k2f", data: { text: "x".repeat(size) },
});

/** 600 events of ~1 KB on one day, then 3 on the next: the first day passes the bound twice. */
function log(): RwEvent[] {
  const out: RwEvent[] = [];
  for (let i = 0; i < 600; i++) out.push(event(i, `2026-11-21T10:${String(Math.floor(i / 60)).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}.000Z`));
  for (let i = 600; i < 603; i++) out.push(event(i, `2026-11-22T00:00:0${i - 600}.000Z`));
  return out;
}

describe("shard rolling (layout 2)", () => {
  it("names files by UTC day, then _0001, _0002, and the names sort in log order", () => {
    expect(shardName("2026-11-21", 0)).toBe("2026-11-21.jsonl");
    expect(shardName("2026-11-21", 2)).toBe("2026-11-21_0002.jsonl");
    expect(parseShardName("2026-11-21_0002.jsonl")).toEqual({ day: "2026-11-21", index: 2 });
    expect(parseShardName("2026-11-21.jsonl")).toEqual({ day: "2026-11-21", index: 0 });
    expect(parseShardName("2026-11-21_0000.jsonl")).toBeUndefined();
    expect(parseShardName("notes.jsonl")).toBeUndefined();
    const names = [...renderShards(log(), 2).keys()];
    expect(names).toEqual(["events/2026-11-21.jsonl", "events/2026-11-21_0001.jsonl", "events/2026-11-21_0002.jsonl", "events/2026-11-22.jsonl"]);
    expect([...names].sort()).toEqual(names);
  });

  it("rolls a file once it holds the bound, keeps (ts, id) order across files, and loses no line", () => {
    const events = log();
    const files = renderShards(events, 2);
    const all = [...files.values()].flat();
    expect(all).toEqual(events.map(eventLine));
    const sizes = [...files.values()].map((lines) => Buffer.byteLength(lines.join("")));
    const lastLine = Buffer.byteLength(eventLine(events[0]!));
    for (const size of sizes) expect(size).toBeLessThan(SHARD_BOUND + lastLine);
    expect(sizes[0]).toBeGreaterThanOrEqual(SHARD_BOUND);
  });

  it("appending one event at a time gives the same files as rendering the whole log", () => {
    const events = log();
    const files = new Map<string, string>();
    for (const e of events) {
      const placer = new ShardPlacer(2, (day) => {
        const names = [...files.keys()].filter((n) => n.startsWith(day)).sort();
        const last = names[names.length - 1];
        return last ? { index: parseShardName(last)!.index, bytes: Buffer.byteLength(files.get(last)!) } : undefined;
      });
      const name = placer.place(e, eventLine(e));
      files.set(name, (files.get(name) ?? "") + eventLine(e));
    }
    const rendered = new Map([...renderShards(events, 2)].map(([p, lines]) => [p.slice("events/".length), lines.join("")]));
    expect(files).toEqual(rendered);
  });

  it("layout 1 keeps one file per day, however big", () => {
    expect([...renderShards(log(), 1).keys()]).toEqual(["events/2026-11-21.jsonl", "events/2026-11-22.jsonl"]);
  });

  it("reads the layout from the LAYOUT blob's ID: none is 1, an unknown one is undefined", () => {
    const w = new ObjectWriter("/nonexistent");
    const hash = (d: Buffer): string => w.hash("blob", d);
    expect(layoutOf([{ name: "README.md", oid: "a" }], hash)).toBe(1);
    expect(layoutOf([{ name: "LAYOUT", oid: hash(Buffer.from(layoutText(2))) }], hash)).toBe(2);
    expect(layoutOf([{ name: "LAYOUT", oid: hash(Buffer.from("rw state layout 9\n")) }], hash)).toBeUndefined();
  });
});
