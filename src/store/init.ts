import { mkdir, readFile, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { derivePrefix, validPrefix } from "../domain/ids.ts";
import { emptyState, recordValues } from "../domain/types.ts";
import { renderAll } from "./layout.ts";
import { serializeCommit } from "./objects.ts";
import { compareAndSwap } from "./ref-store.ts";
import type { Actor, Store } from "./store.ts";
import { readTemplate } from "./templates.ts";
import { writeTreeWithChanges } from "./tree-write.ts";

/** Creates the orphan state ref with its README and empty views, unless it exists. Safe to race: CAS from "no ref". */
export async function ensureStateRef(store: Store, actor: Actor): Promise<{ created: boolean; tip: string }> {
  const existing = await store.cat.read(store.ref);
  if (existing) return { created: false, tip: existing.oid };
  // Everything the empty log renders (README and the views), so `rw doctor` passes right after init.
  const files = new Map([...renderAll(emptyState(), [])].map(([path, text]) => [path, Buffer.from(text)] as const));
  const tree = await writeTreeWithChanges(store.cat, store.writer, null, files, store.oidBytes);
  const sig = { name: actor.name, email: actor.email, when: store.ctx.now() };
  const message = `init rw state\n\nRewind-Actor: ${actor.name}\n`;
  const commit = await store.writer.write("commit", serializeCommit({ tree, parents: [], author: sig, committer: sig, message }));
  if (await compareAndSwap(store.repo.gitDir, store.ref, commit, null, store.zeroOid, "rw: init")) return { created: true, tip: commit };
  const winner = await store.cat.read(store.ref);
  return { created: false, tip: winner?.oid ?? commit };
}

/** Writes `.rewind/config.toml` and `.rewind/.gitignore` in the main work tree, keeping any that exist. */
export async function ensureWorkspace(store: Store, opts: { prefix?: string | undefined } = {}): Promise<{ written: string[]; kept: string[] }> {
  const root = store.repo.mainWorktree;
  const written: string[] = [];
  const kept: string[] = [];
  if (!root) return { written, kept };
  const dir = join(root, ".rewind");
  await mkdir(dir, { recursive: true });
  // A clone that picked up existing state keeps that state's prefix, not its own folder name.
  const prefix = store.config.ids.prefix ?? opts.prefix ?? derivePrefix(basename(root));
  const files: Array<[string, () => Promise<string>]> = [
    ["config.toml", async () => (await readTemplate("config.toml")).replaceAll("{{prefix}}", prefix)],
    [".gitignore", () => readTemplate("rewind.gitignore")],
  ];
  for (const [name, content] of files) {
    const path = join(dir, name);
    const rel = join(".rewind", name);
    if (await readFile(path).then(() => true, () => false)) {
      kept.push(rel);
      continue;
    }
    await writeFile(path, await content(), { flag: "wx" }).then(
      () => written.push(rel),
      () => kept.push(rel),
    );
  }
  return { written, kept };
}

/**
 * The ID prefix the state's tasks use (the most common one; ties: the oldest task's), or
 * undefined for an empty log. A clone's `rw init` writes it into config.toml so new IDs look
 * like the ones the team already has.
 */
export async function statePrefix(store: Store): Promise<string | undefined> {
  const snap = await store.trySnapshot();
  if (!snap) return undefined;
  const counts = new Map<string, { n: number; first: string }>();
  for (const t of recordValues(snap.state.tasks)) {
    const cut = t.id.lastIndexOf("-");
    if (cut <= 0) continue;
    const prefix = t.id.slice(0, cut);
    if (!validPrefix(prefix)) continue;
    const c = counts.get(prefix);
    if (!c) counts.set(prefix, { n: 1, first: t.created_at });
    else {
      c.n++;
      if (t.created_at < c.first) c.first = t.created_at;
    }
  }
  return [...counts].sort((a, b) => b[1].n - a[1].n || a[1].first.localeCompare(b[1].first))[0]?.[0];
}
