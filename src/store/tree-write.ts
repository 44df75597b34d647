import type { CatFile } from "./git.ts";
import { parseTree, serializeTree, type ObjectWriter, type TreeEntry } from "./objects.ts";

/** A change to one file: new content, or null to delete it. */
export type FileChanges = Map<string, Buffer | null>;

/**
 * Writes the tree that results from applying `changes` to the tree `base` (null: empty), reading
 * and rewriting only the subtrees on changed paths. Returns the new root tree's oid.
 */
export async function writeTreeWithChanges(cat: CatFile, writer: ObjectWriter, base: string | null, changes: FileChanges, oidBytes: number): Promise<string> {
  const entries = new Map<string, TreeEntry>();
  if (base) {
    const obj = await cat.read(base);
    if (!obj || obj.type !== "tree") throw new Error(`tree ${base} is missing`);
    for (const e of parseTree(obj.data, oidBytes)) entries.set(e.name, e);
  }
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

async function isEmptyTree(oid: string, writer: ObjectWriter): Promise<boolean> {
  return oid === writer.hash("tree", Buffer.alloc(0));
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
