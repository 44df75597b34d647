import { createRequire } from "node:module";

type Matter = typeof import("gray-matter");
let matterFn: Matter | undefined;
/**
 * gray-matter (and js-yaml under it) loaded on first use: most commands never read YAML, and a
 * static import would load both on every start of every verb (scripts/build-cli.mjs refuses
 * that for the hot verbs). It is CommonJS, so `require` loads it synchronously.
 */
const matter = (text: string, options: { excerpt: boolean }): { data: unknown } =>
  (matterFn ??= createRequire(import.meta.url)("gray-matter") as Matter)(text, options);

/**
 * YAML with limits, for every YAML block rw reads from a file someone else wrote (mirror task
 * and initiative files, imported frontmatter). The parser (js-yaml 1.1 through gray-matter) is
 * kept, so a normal file parses exactly as before; what is added is a bound on what a small
 * file can make rw hold or print. An alias is a shared reference in the parsed data, so a
 * 500-byte "billion laughs" block (`&l0 [x,x,…]`, `&l1 [*l0,*l0,…]`, … `*l8`) parses in
 * microseconds, but anything that walks or prints the value (validation messages, diffs,
 * PROBLEMS.md) would visit 9^9 nodes. We count the expanded size once, memoised per shared
 * node, and refuse the block before anything else sees it.
 */

export interface YamlLimits {
  /** Largest YAML block read at all, in bytes. */
  maxBytes: number;
  /** Most `*alias` references in one block. */
  maxAliases: number;
  /** Most values (scalars, lists, maps) the block may expand to once aliases are followed. */
  maxNodes: number;
}

export const YAML_LIMITS: YamlLimits = { maxBytes: 256 * 1024, maxAliases: 100, maxNodes: 10_000 };

/** Why a YAML block was refused: a syntax error (with its 0-based line in the block) or a limit. */
export class YamlReadError extends Error {
  constructor(message: string, readonly line: number, readonly kind: "syntax" | "limit", readonly fix: string) {
    super(message);
  }
}

const ALIAS = /(?:^|[\s[{,:-])\*[^\s,[\]{}]+/g;

interface JsYamlError { mark?: { line?: number }; reason?: string; message?: string }

/**
 * Parses one YAML document (no `---` delimiters) within `limits`. Throws YamlReadError: a
 * syntax error keeps the parser's line; a limit names itself and how to fix the file.
 */
export function readYaml(text: string, limits: YamlLimits = YAML_LIMITS): unknown {
  const bytes = Buffer.byteLength(text);
  if (bytes > limits.maxBytes) {
    throw new YamlReadError(`the YAML block is ${bytes} bytes, more than the limit of ${limits.maxBytes}`, 0, "limit", "keep the frontmatter to the fields; long text belongs in the body below it");
  }
  // A cheap pre-scan: more alias-looking tokens than allowed refuse the block before parsing.
  // It may count a `*word` inside a quoted string too; only a block over the limit is refused.
  const aliases = text.match(ALIAS)?.length ?? 0;
  if (aliases > limits.maxAliases) {
    throw new YamlReadError(`the YAML block uses ${aliases} aliases (*name), more than the limit of ${limits.maxAliases}`, firstAliasLine(text), "limit", "write the values out instead of using & anchors and * aliases");
  }
  let data: unknown;
  try {
    // gray-matter caches by content and hands back shared objects when called without options;
    // an options object turns the cache off.
    data = matter(`---\n${text}\n---\n`, { excerpt: false }).data;
  } catch (err) {
    const e = err as JsYamlError;
    // Line 0 of the wrapped text is our `---`: the block's own lines start at 1.
    throw new YamlReadError(e.reason ?? e.message ?? String(err), Math.max(0, (e.mark?.line ?? 1) - 1), "syntax", "fix the YAML syntax (key: value per line; quote values containing ': ' or '#')");
  }
  const size = expandedSize(data, limits.maxNodes);
  if (size > limits.maxNodes) {
    throw new YamlReadError(`the YAML block expands to more than ${limits.maxNodes} values (nested & anchors and * aliases)`, firstAliasLine(text), "limit", "write the values out instead of using & anchors and * aliases");
  }
  return data;
}

/**
 * How many values `data` holds with every shared reference counted each time it is reached,
 * stopping as soon as the count passes `cap`. Memoised per object, so it costs one visit per
 * distinct node however deep the aliases nest.
 */
export function expandedSize(data: unknown, cap: number): number {
  const memo = new Map<object, number>();
  const onPath = new Set<object>();
  const size = (v: unknown): number => {
    if (typeof v !== "object" || v === null || v instanceof Date) return 1;
    const known = memo.get(v);
    if (known !== undefined) return known;
    if (onPath.has(v)) return cap + 1; // a cycle (js-yaml does not make them; refuse if one appears)
    onPath.add(v);
    let n = 1;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      n += size(child);
      if (n > cap) break;
    }
    onPath.delete(v);
    memo.set(v, n);
    return n;
  };
  return size(data);
}

function firstAliasLine(text: string): number {
  const lines = text.split("\n");
  const i = lines.findIndex((l) => /(?:^|[\s[{,:-])[*&][^\s,[\]{}]+/.test(l));
  return i < 0 ? 0 : i;
}

/** A value for a message: JSON, cut to `max` characters, so a refused file never makes a huge PROBLEMS.md. */
export function shown(value: unknown, max = 80): string {
  let s: string;
  try {
    s = JSON.stringify(value) ?? String(value);
  } catch {
    s = String(value);
  }
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
