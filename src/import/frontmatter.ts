import { RwError } from "../domain/errors.ts";

export type FrontValue = string | string[];

/**
 * The YAML subset tools like Backlog.md write in frontmatter (js-yaml's dump of flat records):
 * `key: scalar`, `key: 'quoted'`, `key: [a, b]`, and `key:` followed by `  - item` lines.
 * Written here rather than pulling a YAML library into the importer; anything outside the
 * subset is refused with the file and line, never guessed at.
 */
export function parseFrontmatter(text: string, file: string): { data: Record<string, FrontValue>; body: string } {
  const src = text.replace(/^\uFEFF/, "").replace(/\r\n/g, "\n");
  if (!src.startsWith("---\n")) return { data: {}, body: src };
  const end = src.indexOf("\n---", 3);
  if (end < 0) throw new RwError("invalid_input", `${file}: frontmatter is not closed`, { hint: "add a line with --- after the frontmatter" });
  const lines = src.slice(4, end + 1).split("\n");
  const after = src.indexOf("\n", end + 4);
  const body = after < 0 ? "" : src.slice(after + 1);
  const data: Record<string, FrontValue> = {};
  let list: string[] | undefined;
  lines.forEach((line, i) => {
    if (line.trim() === "" || line.trimStart().startsWith("#")) return;
    const item = /^\s+-\s*(.*)$/.exec(line);
    if (item && list) {
      list.push(scalar(item[1]!, file, i + 2));
      return;
    }
    const kv = /^([A-Za-z_][\w-]*):(?:\s+(.*))?$/.exec(line);
    if (!kv) throw new RwError("invalid_input", `${file}:${i + 2}: cannot read frontmatter line ${JSON.stringify(line)}`, { hint: "use `key: value`, `key: [a, b]` or a `- item` list" });
    const value = (kv[2] ?? "").trim();
    if (value === "") {
      list = [];
      data[kv[1]!] = list;
    } else {
      list = undefined;
      data[kv[1]!] = value.startsWith("[") ? flow(value, file, i + 2) : scalar(value, file, i + 2);
    }
  });
  return { data, body };
}

function scalar(raw: string, file: string, line: number): string {
  const v = raw.trim();
  if (v.startsWith("'")) {
    if (!v.endsWith("'") || v.length < 2) throw bad(file, line, v);
    return v.slice(1, -1).replace(/''/g, "'");
  }
  if (v.startsWith('"')) {
    try {
      return JSON.parse(v) as string;
    } catch {
      throw bad(file, line, v);
    }
  }
  return v.replace(/\s+#.*$/, "");
}

function flow(raw: string, file: string, line: number): string[] {
  if (!raw.endsWith("]")) throw bad(file, line, raw);
  const inner = raw.slice(1, -1).trim();
  if (inner === "") return [];
  const out: string[] = [];
  for (const m of inner.matchAll(/\s*('(?:[^']|'')*'|"(?:[^"\\]|\\.)*"|[^,]+)\s*(?:,|$)/g)) out.push(scalar(m[1]!, file, line));
  return out;
}

const bad = (file: string, line: number, v: string): RwError =>
  new RwError("invalid_input", `${file}:${line}: cannot read the value ${v}`, { hint: "close the quotes or the [ ] list" });
