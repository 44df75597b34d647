import { describe, expect, it } from "vitest";
import { lazyRecord, plainRecord, rawEntry, sortedPositions } from "../../../src/domain/lazy-record.ts";
import { packStrings, unpackStrings } from "../../../src/format/packed.ts";
import { lookup, recordMap, recordValues } from "../../../src/domain/types.ts";

// The index's tasks (state-cache.ts) behave as the plain prototype-free record they replace.
const KEYS = ["b-2", "constructor", "a-1", "__proto__", "toString"];

function fresh(): { lazy: Record<string, { id: string; n: number }>; plain: Record<string, { id: string; n: number }>; loads: number[] } {
  const loads: number[] = [];
  const lazy = lazyRecord(KEYS, (i) => (loads.push(i), { id: KEYS[i]!, n: i }), (i) => `raw${i}`);
  const plain = recordMap<{ id: string; n: number }>();
  KEYS.forEach((k, i) => (plain[k] = { id: k, n: i }));
  return { lazy, plain, loads };
}

describe("lazyRecord", () => {
  it("lists keys in order, answers own-key questions and prototype names, without decoding", () => {
    const { lazy, plain, loads } = fresh();
    const forIn: string[] = [];
    for (const k in lazy) forIn.push(k);
    expect(forIn).toEqual(KEYS);
    expect(Object.keys(lazy)).toEqual(Object.keys(plain));
    expect(Object.hasOwn(lazy, "constructor")).toBe(true);
    expect(Object.hasOwn(lazy, "hasOwnProperty")).toBe(false);
    expect("toString" in lazy).toBe(true);
    expect(lookup(lazy, "valueOf")).toBeUndefined();
    expect(loads).toEqual([]);
    expect(lazy["__proto__"]).toEqual({ id: "__proto__", n: 3 });
    expect(loads).toEqual([3]);
    expect(lazy["__proto__"]).toBe(lazy["__proto__"]); // decoded once
    expect(loads).toEqual([3]);
  });

  it("reads, writes and deletes like a plain record, in the same key order", () => {
    const { lazy, plain } = fresh();
    for (const r of [lazy, plain]) {
      r["a-1"] = { id: "a-1", n: 10 };
      r["c-3"] = { id: "c-3", n: 11 };
      delete r["b-2"];
      delete r["nope"];
    }
    expect(Object.keys(lazy)).toEqual(Object.keys(plain));
    expect(recordValues(lazy)).toEqual(recordValues(plain));
    expect(Object.values(lazy)).toEqual(Object.values(plain));
    expect(JSON.stringify(lazy)).toBe(JSON.stringify(plain));
    expect({ ...lazy }).toEqual({ ...plain });
    expect(plainRecord(lazy)).toEqual(plain);
    expect(Object.getPrototypeOf(plainRecord(lazy))).toBeNull();
    expect(lazy["b-2"]).toBeUndefined();
    expect(Object.hasOwn(lazy, "b-2")).toBe(false);
  });

  it("forks like a shallow copy: later writes to one are not seen in the other", () => {
    const { lazy } = fresh();
    const before = lazy["a-1"];
    const copy = recordMap(lazy);
    copy["a-1"] = { id: "a-1", n: 99 };
    copy["z-9"] = { id: "z-9", n: 100 };
    delete copy["constructor"];
    expect(lazy["a-1"]).toBe(before);
    expect(Object.keys(lazy)).toEqual(KEYS);
    expect(Object.keys(copy)).toEqual(["b-2", "a-1", "__proto__", "toString", "z-9"]);
    expect(copy["b-2"]).toBe(lazy["b-2"]); // values are shared, as a shallow copy shares them
  });

  it("gives the raw slice only of a value that was never decoded nor replaced", () => {
    const { lazy } = fresh();
    expect(String(rawEntry(lazy, "b-2"))).toBe("raw0");
    void lazy["b-2"];
    expect(rawEntry(lazy, "b-2")).toBeUndefined(); // decoded: it may have been changed in place
    lazy["a-1"] = { id: "a-1", n: 5 };
    expect(rawEntry(lazy, "a-1")).toBeUndefined();
    expect(rawEntry(recordMap({ x: 1 }), "x")).toBeUndefined();
  });
});

describe("lazyRecord scans", () => {
  it("decodes a mostly undecoded record in one go, keeping the values already decoded", () => {
    const one: number[] = [];
    let all = 0;
    const lazy = lazyRecord(KEYS, (i) => (one.push(i), { id: KEYS[i]!, n: i }), undefined, () => (all++, KEYS.map((id, n) => ({ id, n: n + 100 }))));
    const early = lazy["a-1"]!;
    early.n = -1; // changed in place, as a fold does
    const values = recordValues(lazy);
    expect(all).toBe(1);
    expect(values[2]).toBe(early);
    expect(values.map((v) => v.n)).toEqual([100, 101, -1, 103, 104]);
    expect(recordValues(lazy)).toEqual(values);
    expect(all).toBe(1); // once
    expect(one).toEqual([2]);
  });
});

describe("lazyRecord lookups by the keys' sorted positions", () => {
  it("finds every key and no other by binary search, then by a Map once many lookups were made", () => {
    const keys = Array.from({ length: 3000 }, (_v, i) => `t-${((i * 7919) % 3000).toString(36)}`).concat(["constructor", "__proto__", "Z", "é"]);
    const lazy = lazyRecord(keys, (i) => ({ id: keys[i]! }), undefined, undefined, sortedPositions(keys));
    for (let round = 0; round < 3; round++) {
      for (const k of keys) expect(lazy[k]?.id).toBe(k);
      for (const k of ["t-", "t-zzz", "hasOwnProperty", "", "constructo"]) expect(Object.hasOwn(lazy, k)).toBe(false);
    }
  });

  it("ignores sorted positions that do not fit the keys (a damaged index answers as a plain record)", () => {
    const keys = ["b", "a", "c"];
    for (const bad of [Uint32Array.of(0, 1, 2), Uint32Array.of(1, 0), Uint32Array.of(1, 0, 7), Uint32Array.of(1, 1, 2)]) {
      const lazy = lazyRecord(keys, (i) => keys[i]!, undefined, undefined, bad);
      expect(keys.map((k) => lazy[k])).toEqual(keys);
      expect(lazy["d"]).toBeUndefined();
    }
  });

  it("packs a list of IDs as one string, and keeps a list with a newline in it as it is", () => {
    for (const list of [[], [""], ["a"], ["a", "", "b-2"], ["x\ny", "z"]]) {
      const packed = JSON.parse(JSON.stringify(packStrings(list))) as unknown;
      expect(unpackStrings(packed)).toEqual(list);
    }
    expect(typeof packStrings(["a", "b"])).toBe("string");
    expect(unpackStrings("no leading newline")).toBeUndefined();
  });
});
