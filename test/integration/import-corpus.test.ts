// Every real file of ../shared/corpus (beside the project root, as its SOURCES.md asks; not copied in):
// imported with nothing refused and every item accounted for, and round-tripped through each
// export format into a fresh repository.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRepo, type TempRepo } from "../helpers/repo.ts";

const CORPUS = resolve(import.meta.dirname, "../../../shared/corpus");
if (!existsSync(CORPUS)) {
  throw new Error(`the real-file corpus is missing: expected ${CORPUS} (shared/corpus beside the project's checkout, see its SOURCES.md)`);
}
const SLOW = { timeout: 240_000 };

interface Outcome { kind: string; created: string[]; items: number; counts: Record<string, number>; notes: Array<{ kind: string; item?: string; text: string; problem?: boolean }>; initiatives: string[] }

const SOURCES = [
  { name: "beads", path: "beads/steveyegge-beads-385c0c0.issues.jsonl", from: "beads", tasks: 704 },
  { name: "taskmaster", path: "taskmaster/claude-task-master-c0c98d3.tasks.json", from: "taskmaster", tasks: 1096 },
  { name: "backlog.md", path: "backlog-md/Backlog.md-6286bf9/backlog", from: "backlog", tasks: 613 },
  { name: "prd", path: "ralph/vue-lynx-05c7244.prd.json", from: "prd", tasks: 80 },
] as const;

/** Kinds that name a source item that was not imported (as opposed to a field or link of an imported one). */
const NOT_IMPORTED = ["skipped", "duplicate", "tombstone", "draft", "archived", "document"];

async function fresh(): Promise<TempRepo> {
  const repo = makeRepo({ init: true });
  return repo;
}

/**
 * One import of each corpus file, shared by every test that reads it: importing 1,000 tasks costs
 * seconds, and the tests below only export, query or dry-run on it (the PRD's phase approval is
 * the one write, made after the round trips of that file have run).
 */
const imports = new Map<string, Promise<{ repo: TempRepo; out: Outcome }>>();
function imported(path: string): Promise<{ repo: TempRepo; out: Outcome }> {
  let once = imports.get(path);
  if (!once) {
    once = fresh().then(async (repo) => ({ repo, out: JSON.parse(await repo.rwOk(["import", join(CORPUS, path), "--json"], { actor: "importer" })) as Outcome }));
    imports.set(path, once);
  }
  return once;
}
afterAll(async () => {
  for (const once of imports.values()) (await once.catch(() => undefined))?.repo.cleanup();
});

describe.each(SOURCES)("the $name corpus file", (src) => {
  let a: TempRepo;
  let out: Outcome;
  const others: TempRepo[] = [];
  beforeAll(async () => {
    ({ repo: a, out } = await imported(src.path));
  }, 240_000);
  afterAll(() => {
    for (const r of others) r.cleanup();
  });

  it("imports with nothing refused, accounts for every item, and rw doctor passes", SLOW, async () => {
    expect(out.created).toHaveLength(src.tasks);
    expect(out.notes.filter((n) => n.problem)).toEqual([]);
    const notImported = NOT_IMPORTED.reduce((n, k) => n + (out.counts[k] ?? 0), 0);
    expect((out.counts.imported ?? 0) + notImported).toBe(out.items);
    const counted: Record<string, number> = {};
    for (const n of out.notes) counted[n.kind] = (counted[n.kind] ?? 0) + 1;
    expect(out.counts).toEqual({ imported: src.tasks, ...counted });
    await a.rwOk(["doctor"]);
  });

  it.each(["json", "beads", "prd"])("round-trips through --format %s: the second export is byte-identical to the first", SLOW, async (format) => {
    const first = join(a.dir, `export.${format}`);
    await a.rwOk(["export", "--format", format, "--out", first]);
    const b = await fresh();
    others.push(b);
    await b.rwOk(["import", first, "--from", format === "json" ? "rw" : format]);
    const second = join(b.dir, `export.${format}`);
    await b.rwOk(["export", "--format", format, "--out", second]);
    expect(readFileSync(second, "utf8")).toBe(readFileSync(first, "utf8"));
    await b.rwOk(["doctor"]);
  });
});

type Beads = Record<string, unknown> & { id: string; dependencies?: Array<{ depends_on_id: string; type: string }> };
const jsonl = (text: string): Beads[] => text.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as Beads);

describe("beads corpus through rw and back to beads", () => {
  const file = join(CORPUS, "beads/steveyegge-beads-385c0c0.issues.jsonl");
  let repo: TempRepo;
  let imp: Outcome;
  let source: Map<string, Beads>;
  let exported: Map<string, Beads>;
  beforeAll(async () => {
    ({ repo, out: imp } = await imported("beads/steveyegge-beads-385c0c0.issues.jsonl"));
    const out = join(repo.dir, "issues.jsonl");
    await repo.rwOk(["export", "--format", "beads", "--out", out]);
    source = new Map(jsonl(readFileSync(file, "utf8")).map((i) => [i.id, i]));
    exported = new Map(jsonl(readFileSync(out, "utf8")).map((i) => [i.id, i]));
  }, 240_000);

  it("keeps every field rw imported: ids, text fields, statuses (hooked, pinned), priorities, close reasons and times, labels, links", () => {
    expect([...exported.keys()].sort()).toEqual([...source.keys()].sort());
    const text = (v: unknown): string => (typeof v === "string" ? v.trim() : "");
    const time = (v: unknown): string => (typeof v === "string" ? new Date(v).toISOString() : "");
    const links = (i: Beads): string[] => (i.dependencies ?? []).map((d) => `${d.type}:${d.depends_on_id}`).sort();
    const differences: string[] = [];
    for (const [id, s] of source) {
      const e = exported.get(id)!;
      for (const f of ["title", "description", "design", "acceptance_criteria", "notes", "close_reason", "assignee"]) if (text(s[f]) !== text(e[f])) differences.push(`${id}.${f}`);
      for (const f of ["status", "priority", "issue_type"]) if (s[f] !== e[f]) differences.push(`${id}.${f}`);
      for (const f of ["created_at", "updated_at", "closed_at", "defer_until"]) if (time(s[f]) !== time(e[f])) differences.push(`${id}.${f}`);
      if (JSON.stringify(s.labels ?? []) !== JSON.stringify(e.labels ?? [])) differences.push(`${id}.labels`);
      if (JSON.stringify(links(s)) !== JSON.stringify(links(e))) differences.push(`${id}.dependencies`);
    }
    expect(differences).toEqual([]);
    expect([...exported.values()].filter((i) => i.status === "hooked")).toHaveLength(4);
    expect([...exported.values()].filter((i) => i.status === "pinned")).toHaveLength(3);
  });

  it("writes the original close time and reason, not the import's", () => {
    const closed = [...source.values()].filter((i) => i.status === "closed");
    expect(closed.length).toBeGreaterThan(400);
    for (const s of closed) expect(exported.get(s.id)).toMatchObject({ closed_at: new Date(s.closed_at as string).toISOString(), close_reason: s.close_reason });
  });

  it("reports the second parent of bd-98c4e1fa.1 and the rewritten gt:merge-request labels instead of dropping them silently", SLOW, async () => {
    const second = imp.notes.find((n) => n.kind === "link-dropped" && n.item === "bd-98c4e1fa.1");
    expect(second?.text).toContain("second parent bd-98c4e1fa ");
    expect(imp.notes.filter((n) => n.kind === "label-rewritten" && n.text === 'label "gt:merge-request" -> gt-merge-request')).toHaveLength(28);
    const text = await repo.rwOk(["import", file, "--dry-run", "--rename-on-clash"]);
    expect(text).toMatch(/^label-rewritten \(95\):$/m);
    expect(text.split("\n").filter((l) => l.includes("gt:merge-request")).length).toBeLessThanOrEqual(3);
    expect(text.trim().split("\n").pop()).toMatch(/^counts: imported 704, .*label-rewritten 95/);
  });
});

describe("the PRD corpus file", () => {
  const file = join(CORPUS, "ralph/vue-lynx-05c7244.prd.json");
  let repo: TempRepo;
  let initiative: string;
  beforeAll(async () => {
    let out: Outcome;
    ({ repo, out } = await imported("ralph/vue-lynx-05c7244.prd.json"));
    initiative = out.initiatives[0]!;
  }, 240_000);

  it("names the initiative after productName and keeps description and branchName", SLOW, async () => {
    const shown = JSON.parse(await repo.rwOk(["initiative", "show", initiative, "--json"])) as { initiative: { title: string; body: string } } & { title?: string; body?: string };
    const i = shown.initiative ?? shown;
    expect(i.title).toBe("Vant Lynx - Vue Mobile Components for Lynx");
    expect(i.body).toContain("feat/vant-lynx");
  });

  it("lists ready stories in the PRD's priority order, not alphabetically", SLOW, async () => {
    await repo.rwOk(["initiative", "approve", initiative, "--phase", "1"]);
    const ready = (JSON.parse(await repo.rwOk(["ready", "--json", "--limit", "100"])) as { tasks: Array<{ id: string }> }).tasks.map((t) => t.id);
    const prd = JSON.parse(readFileSync(file, "utf8")) as { userStories: Array<{ id: string; priority: number; passes: boolean }> };
    const open = prd.userStories.filter((s) => !s.passes).sort((x, y) => x.priority - y.priority).map((s) => s.id);
    // Stories waiting on dependencies are not ready; the ready ones keep the PRD's relative order.
    expect(ready.length).toBeGreaterThan(5);
    expect(ready).toEqual(open.filter((id) => ready.includes(id)));
  });

  it("exports without --initiative as the PRD it came from, byte for byte: header, stories, order, priorities", SLOW, async () => {
    const out = join(repo.dir, "prd.json");
    await repo.rwOk(["export", "--format", "prd", "--out", out]);
    expect(readFileSync(out, "utf8")).toBe(readFileSync(file, "utf8"));
  });
});

describe("the Backlog.md corpus folder", () => {
  let repo: TempRepo;
  let tasks: Record<string, { title: string; type: string; parent?: string; deps: string[]; body: string; status: string }>;
  beforeAll(async () => {
    ({ repo } = await imported("backlog-md/Backlog.md-6286bf9/backlog"));
    const all = JSON.parse(await repo.rwOk(["export"])) as { tasks: Array<{ id: string } & (typeof tasks)[string]> };
    tasks = Object.fromEntries(all.tasks.map((t) => [t.id, t]));
  }, 240_000);

  it("reads folded block scalars (title: >-) as the title they fold to", () => {
    expect(tasks["BACK-601"]!.title).toBe("Readiness follow-ups: draft dependencies, board filter carry, cross-branch graph");
  });

  it("resolves task-N and bare-number references with config.yml's task_prefix", () => {
    const viaLegacy = Object.values(tasks).filter((t) => t.parent !== undefined);
    expect(viaLegacy.length).toBeGreaterThan(100);
    expect(viaLegacy.every((t) => /^BACK-/.test(t.parent!))).toBe(true);
    // back-345.10 says `parent_task_id: '345'`; back-100.1 says `parent_task_id: task-100`.
    expect(tasks["BACK-345.10"]!.parent).toBe("BACK-345");
    expect(tasks["BACK-100.1"]!.parent).toBe("BACK-100");
  });

  it("keeps type and references instead of dropping them", () => {
    expect(tasks["BACK-601"]).toMatchObject({ type: "enhancement" });
    expect(tasks["BACK-601"]!.body).toContain("## References\n\n- https://github.com/MrLesk/Backlog.md/pull/873");
    expect(Object.values(tasks).filter((t) => t.type === "bug").length).toBe(39);
  });
});

describe("the Task Master corpus file", () => {
  const file = join(CORPUS, "taskmaster/claude-task-master-c0c98d3.tasks.json");
  it("renumbers task 42's subtasks (all numbered 42) and says so, and keeps subtask acceptance criteria", SLOW, async () => {
    const { repo, out } = await imported("taskmaster/claude-task-master-c0c98d3.tasks.json");
    for (let n = 1; n <= 8; n++) expect(out.created).toContain(`42.${n}`);
    expect(out.notes.filter((x) => x.kind === "renamed" && x.item === "42.42")).toHaveLength(8);
    const all = JSON.parse(await repo.rwOk(["export"])) as { tasks: Array<{ id: string; body: string }> };
    const t = all.tasks.find((x) => x.id === "4.1")!;
    expect(t.body).toContain("## Acceptance criteria\n\n- [x] Template structure matches the specification in the PRD");
    const strict = await repo.rw(["import", file, "--strict", "--rename-on-clash", "--dry-run"]);
    expect(strict.code).toBe(0);
  });

  it("writes nothing with --strict when an item is malformed, and names it", SLOW, async () => {
    const repo = await fresh();
    try {
      const bad = join(repo.dir, "tasks.json");
      writeFileSync(bad, JSON.stringify({ master: { tasks: [{ id: 1, title: "ok", status: "pending" }, { title: "no id" }] } }));
      const r = await repo.rw(["import", bad, "--strict"]);
      expect(r.code).toBe(2); // invalid input, nothing written (the exit-code table)
      expect(r.stderr).toContain("1 malformed item: master task 2 (an entry without an id)");
      const ok = JSON.parse(await repo.rwOk(["import", bad, "--json"])) as Outcome;
      expect(ok.created).toEqual(["1"]);
      expect(ok.counts).toMatchObject({ imported: 1, skipped: 1 });
    } finally {
      repo.cleanup();
    }
  });
});
