import type { ImportNote, ImportPlan, ImportTask } from "./decide-import.ts";
import { isValidId } from "./ids.ts";
import { cleanImportedTask } from "./import-text.ts";

/* `rw import`'s checks of the source's records against each other: IDs, duplicates, clashes with this repository, cycles. */

/** Tasks with valid, unique IDs: a bad ID or a later duplicate is skipped and reported (a problem). */
export function uniqueTasks(plan: ImportPlan, notes: ImportNote[]): ImportTask[] {
  const seen = new Set<string>();
  const out: ImportTask[] = [];
  for (const t of plan.tasks) {
    if (!isValidId(t.id)) notes.push({ kind: "skipped", item: t.id, text: "not a valid rw task ID (1-64 of A-Z a-z 0-9 . _ -, starting with a letter or digit)", problem: true });
    else if (seen.has(t.id)) notes.push({ kind: "duplicate", item: t.id, text: `a second item with ID ${t.id} skipped (the first was imported)`, problem: true });
    else {
      seen.add(t.id);
      out.push(cleanImportedTask(t, notes));
    }
  }
  return out;
}

/** `--rename-on-clash`: each clashing task gets the first free `<id>-2`, `-3`…; references inside the import follow. */
export function renameClashes(tasks: ImportTask[], clash: string[], taken: (id: string) => boolean, notes: ImportNote[]): void {
  const used = new Set(tasks.map((t) => t.id));
  const renames = new Map<string, string>();
  for (const id of clash) {
    let n = 2;
    while (taken(`${id}-${n}`) || used.has(`${id}-${n}`)) n++;
    renames.set(id, `${id}-${n}`);
    used.add(`${id}-${n}`);
    notes.push({ kind: "renamed", item: id, text: `${id} exists here: imported as ${id}-${n}` });
  }
  const to = (id: string): string => renames.get(id) ?? id;
  for (const t of tasks) {
    t.id = to(t.id);
    t.deps = t.deps.map(to);
    if (t.parent !== undefined) t.parent = to(t.parent);
  }
}

/** Drops the edge that closes each dependency cycle (reported), so the imported graph is acyclic. */
export function breakCycles(deps: Map<string, string[]>, notes: ImportNote[]): void {
  const state = new Map<string, 1 | 2>();
  const visit = (id: string): void => {
    state.set(id, 1);
    const list = deps.get(id) ?? [];
    for (const d of [...list]) {
      const s = state.get(d);
      if (s === 1) {
        list.splice(list.indexOf(d), 1);
        notes.push({ kind: "link-dropped", item: id, text: `dependency on ${d} dropped (it closed a cycle)` });
      } else if (s === undefined && deps.has(d)) visit(d);
    }
    state.set(id, 2);
  };
  for (const id of deps.keys()) if (!state.has(id)) visit(id);
}
