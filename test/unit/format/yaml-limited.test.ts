import matter from "gray-matter";
import { describe, expect, it } from "vitest";
import { expandedSize, readYaml, shown, YAML_LIMITS, YamlReadError } from "../../../src/format/yaml-limited.ts";

const plain = (text: string): unknown => matter(`---\n${text}\n---\n`, { excerpt: false }).data;

describe("readYaml: limits without changing normal results", () => {
  it.each([
    "title: Add login\nstatus: open\npriority: 1\nlabels: [a, b]\ncreated_at: 2026-01-02T03:04:05Z",
    "title: 'quoted: yes'\ndeps:\n  - a-1\n  - b-2\ngates: [\"npm test\"]",
    "base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\nlist: [*b, *b]",
    "title: fix *glob* patterns in *.md",
    "",
  ])("parses %j exactly like gray-matter", (text) => {
    expect(readYaml(text)).toEqual(plain(text));
  });

  const bomb = (depth: number): string => {
    const lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i <= depth; i++) lines.push(`l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(", ")}]`);
    return lines.join("\n");
  };

  it.each([
    { name: "depth-8 bomb", text: bomb(8), message: /aliases/ },
    { name: "depth-4 bomb (under the alias count, over the node count)", text: bomb(4), message: /expands to more than 10000 values/ },
    { name: "oversized block", text: `title: ${"x".repeat(YAML_LIMITS.maxBytes)}`, message: /bytes, more than the limit/ },
    { name: "syntax error", text: "title: [unclosed", message: /./ },
  ])("refuses $name with a YamlReadError", ({ text, message }) => {
    let err: unknown;
    try {
      readYaml(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(YamlReadError);
    expect((err as YamlReadError).message).toMatch(message);
    expect((err as YamlReadError).fix.length).toBeGreaterThan(0);
  });

  it("counts shared nodes each time they are reached, and stops past the cap", () => {
    const leaf = [1, 2, 3];
    expect(expandedSize({ a: leaf, b: leaf }, 100)).toBe(1 + 4 + 4);
    let deep: unknown = leaf;
    for (let i = 0; i < 40; i++) deep = [deep, deep];
    expect(expandedSize(deep, 1000)).toBeGreaterThan(1000);
  });

  it("shown() cuts long values for messages", () => {
    expect(shown("a".repeat(500)).length).toBe(80);
    expect(shown({ a: 1 })).toBe('{"a":1}');
  });
});
