import type { CatFile, GitObject } from "./git.ts";
import { parseTree, serializeTree, type ObjectWriter, type TreeEntry } from "./objects.ts";

/** A change to one file: new content, or null to delete it. */
export type FileChanges = Map<string, Buffer | null>;

/**
 * Writes the tree that results from applying `changes` to the tree `base` (null: empty), reading
 * and rewriting only the subtrees on changed paths. Returns the new root tree's oid.
 */
export async function writeTreeWithChanges(cat: CatFile, writer: ObjectWriter, base: string | null, changes: FileChanges, oidBytes: number): Promise<string> {
  const obj = base ? (writer.cached(base) ?? (await cat.read(base))) : null;
  if (base && (!obj || (!Buffer.isBuffer(obj) && obj.type !== "tree"))) throw new Error(`tree ${base} is missing`);
  const raw = !obj ? Buffer.alloc(0) : Buffer.isBuffer(obj) ? obj : obj.data;
  if (![...changes.keys()].some((p) => p.includes("/"))) {
    // A flat directory (tasks/ holds 10,000 files): splice the raw tree instead of parsing and re-sorting it.
    const edits: Array<[string, string | null]> = [];
    for (const [name, content] of changes) edits.push([name, content === null ? null : await writer.write("blob", content)]);
    const spliced = spliceFlatTree(raw, edits, oidBytes);
    if (spliced) return writer.write("tree", spliced);
  }
  const entries = new Map<string, TreeEntry>();
  for (const e of parseTree(raw, oidBytes)) entries.set(e.name, e);
  const nested = new Map<string, FileChanges>();
  for (const [path, content] of changes) {
    const slash = path.indexOf("/");
    if (slash >= 0) {
      const dir = path.slice(0, slash);
      const sub = nested.get(dir) ?? new Map<string, Buffer | null>();
      sub.set(path.slice(slash + 1), content);
      nested.set(dir, sub);
    } else if (content === null) {
      entries.delete(path);
    } else {
      entries.set(path, { mode: "100644", name: path, oid: await writer.write("blob", content) });
    }
  }
  for (const [dir, sub] of nested) {
    const existing = entries.get(dir);
    const baseOid = existing && existing.mode === "40000" ? existing.oid : null;
    const oid = await writeTreeWithChanges(cat, writer, baseOid, sub, oidBytes);
    const obj = await isEmptyTree(oid, writer);
    if (obj) entries.delete(dir);
    else entries.set(dir, { mode: "40000", name: dir, oid });
  }
  return writer.write("tree", serializeTree([...entries.values()]));
}

/**
 * Applies blob changes (name -> oid, or null to delete) to a raw tree by copying the untouched
 * byte ranges between them. Entries compared on the way must be blobs: a subtree sorts as if its
 * name ended in "/", so with one in the way this returns undefined and the caller re-sorts.
 */
export function spliceFlatTree(raw: Buffer, edits: Array<[string, string | null]>, oidBytes: number): Buffer | undefined {
  const sorted = edits.map(([name, oid]) => ({ key: Buffer.from(name), name, oid })).sort((a, b) => Buffer.compare(a.key, b.key));
  const parts: Buffer[] = [];
  let pos = 0;
  let copied = 0;
  for (const edit of sorted) {
    let cmp = 1;
    while (pos < raw.length) {
      const space = raw.indexOf(32, pos);
      const nul = raw.indexOf(0, space);
      if (raw[pos] === 0x34) return undefined; // mode 40000: a subtree
      cmp = edit.key.compare(raw, space + 1, nul);
      if (cmp <= 0) break;
      pos = nul + 1 + oidBytes;
    }
    if (pos > copied) parts.push(raw.subarray(copied, pos));
    copied = pos;
    if (cmp === 0 && pos < raw.length) {
      copied = raw.indexOf(0, pos) + 1 + oidBytes; // drop the old entry
      pos = copied;
    }
    if (edit.oid !== null) parts.push(Buffer.from(`100644 ${edit.name}\0`), Buffer.from(edit.oid, "hex"));
  }
  if (copied < raw.length) parts.push(raw.subarray(copied));
  return Buffer.concat(parts);
}

async function isEmptyTree(oid: string, writer: ObjectWriter): Promise<boolean> {
  return oid === writer.hash("tree", Buffer.alloc(0));
}

/** The object at `path` (`a/b/c`) under the tree `tree`, walked by object ID (loose objects need no git), or null. */
export async function readAtPath(cat: CatFile, tree: string, path: string, oidBytes: number): Promise<GitObject | null> {
  let oid = tree;
  for (const name of path.split("/")) {
    const obj = await cat.read(oid);
    const entry = obj && obj.type === "tree" ? parseTree(obj.data, oidBytes).find((e) => e.name === name) : undefined;
    if (!entry) return null;
    oid = entry.oid;
  }
  return cat.read(oid);
}

/** Lists a tree recursively as path -> blob oid. */
export async function listTree(cat: CatFile, tree: string, oidBytes: number, prefix = ""): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const obj = await cat.read(tree);
  if (!obj) throw new Error(`tree ${tree} is missing`);
  for (const e of parseTree(obj.data, oidBytes)) {
    if (e.mode === "40000") {
      for (const [p, o] of await listTree(cat, e.oid, oidBytes, `${prefix}${e.name}/`)) out.set(p, o);
    } else {
      out.set(`${prefix}${e.name}`, e.oid);
    }
  }
  return out;
}

/**
 * The files of one folder of the ref (`tasks/`, `initiatives/`) by file name, also when they sit
 * in sub-folders (layout 3's fanned-out tasks/): what the mirror and a re-shaping write need.
 */
export async function folderFiles(cat: CatFile, tree: string, oidBytes: number): Promise<TreeEntry[]> {
  const obj = await cat.read(tree);
  if (!obj) throw new Error(`tree ${tree} is missing`);
  const out: TreeEntry[] = [];
  for (const e of parseTree(obj.data, oidBytes)) {
    if (e.mode === "40000") out.push(...(await folderFiles(cat, e.oid, oidBytes)));
    else out.push(e);
  }
  return out;
}

/**
 * The files of folder tree `after` whose blob is not the one `before` has at that place (new or
 * changed), by file name as folderFiles lists them: a sub-folder whose tree is the same is not
 * read, so a commit that changed one task of 10,000 costs two or three trees, not all of them.
 */
export async function folderChanges(cat: CatFile, before: string, after: string, oidBytes: number): Promise<TreeEntry[]> {
  if (before === after) return [];
  const [a, b] = await Promise.all([cat.read(before), cat.read(after)]);
  if (!b) throw new Error(`tree ${after} is missing`);
  if (!a) return folderFiles(cat, after, oidBytes);
  const old = new Map(parseTree(a.data, oidBytes).map((e) => [e.name, e]));
  const out: TreeEntry[] = [];
  for (const e of parseTree(b.data, oidBytes)) {
    const was = old.get(e.name);
    if (was?.oid === e.oid && was.mode === e.mode) continue;
    if (e.mode !== "40000") out.push(e);
    else out.push(...(was?.mode === "40000" ? await folderChanges(cat, was.oid, e.oid, oidBytes) : await folderFiles(cat, e.oid, oidBytes)));
  }
  return out;
}

/**
 * Writes a folder holding `files` (existing blobs, by name), each at `place(name)` (its
 * sub-folders; [] for the folder itself). Returns the folder's tree oid. Blobs are not re-read.
 */
export async function writeFolder(writer: ObjectWriter, files: readonly TreeEntry[], place: (name: string) => readonly string[]): Promise<string> {
  interface Dir { files: TreeEntry[]; dirs: Map<string, Dir> }
  const top: Dir = { files: [], dirs: new Map() };
  for (const f of files) {
    let dir = top;
    for (const part of place(f.name)) {
      let next = dir.dirs.get(part);
      if (!next) dir.dirs.set(part, (next = { files: [], dirs: new Map() }));
      dir = next;
    }
    dir.files.push(f);
  }
  const write = async (dir: Dir): Promise<string> => {
    const entries = [...dir.files];
    for (const [name, sub] of dir.dirs) entries.push({ mode: "40000", name, oid: await write(sub) });
    return writer.write("tree", serializeTree(entries));
  };
  return write(top);
}

/** The tree `root` with its entry `name` set to the tree `oid` (added if missing). */
export async function withSubtree(cat: CatFile, writer: ObjectWriter, root: string, name: string, oid: string, oidBytes: number): Promise<string> {
  const raw = writer.cached(root) ?? (await cat.read(root))?.data;
  if (!raw) throw new Error(`tree ${root} is missing`);
  const entries = parseTree(raw, oidBytes).filter((e) => e.name !== name);
  entries.push({ mode: "40000", name, oid });
  return writer.write("tree", serializeTree(entries));
}
