import { readdirSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { decideClaimNext } from "../../src/domain/decide-lifecycle.ts";
import { Store } from "../../src/store/store.ts";
import { seedTasks } from "../helpers/race.ts";
import { makeRepo, type TempRepo } from "../helpers/repo.ts";

let repo: TempRepo;
afterEach(() => repo?.cleanup());

const cacheDir = (r: TempRepo): string => join(r.dir, ".git", "rewind", "cache");

async function seed(r: TempRepo): Promise<string[]> {
  await r.rwOk(["init"]);
  const ids: string[] = [];
  for (let i = 0; i < 8; i++) {
    const deps = i >= 2 && i % 2 === 0 ? ["--dep", ids[i - 2]!] : [];
    ids.push(await r.rwOk(["create", `Task ${i} — ünïcode`, "-p", String(i % 3), "--label", i % 2 ? "api" : "ui", "--body", `Body of ${i}\n\n- [ ] works\n`, ...deps]));
  }
  await r.rwOk(["note", ids[1]!, "a note with \"quotes\""]);
  await r.rwOk(["claim", ids[0]!], { actor: "agent-1" });
  await r.rwOk(["done", ids[0]!], { actor: "agent-1" });
  await r.rwOk(["claim", ids[1]!], { actor: "agent-2" });
  return ids;
}

async function answers(r: TempRepo, ids: string[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const args of [["ready", "--json"], ["list", "--all", "--json"], ["show", ids[1]!, "--json"], ["show", ids[4]!]]) {
    const text = await r.rwOk(args);
    out.push(args.includes("--json") ? JSON.parse(text) : text);
  }
  return out;
}

describe("the index is a pure cache", () => {
  it("gives the same answers when deleted, corrupt or truncated, and doctor passes", async () => {
    repo = makeRepo();
    const ids = await seed(repo);
    const before = await answers(repo, ids);
    expect(readdirSync(cacheDir(repo)).some((f) => f.endsWith(".base"))).toBe(true);

    rmSync(join(repo.dir, ".git", "rewind"), { recursive: true, force: true });
    expect(await answers(repo, ids)).toEqual(before);

    // A write leaves a journal next to the base; break each in turn.
    await repo.rwOk(["note", ids[3]!, "after the rebuild"]);
    const after = await answers(repo, ids);
    const files = readdirSync(cacheDir(repo));
    const base = join(cacheDir(repo), files.find((f) => f.endsWith(".base"))!);
    const journal = join(cacheDir(repo), files.find((f) => f.endsWith(".journal.jsonl"))!);
    writeFileSync(journal, "{not json");
    expect(await answers(repo, ids)).toEqual(after);
    writeFileSync(base, "garbage\nmore garbage");
    expect(await answers(repo, ids)).toEqual(after);
    await repo.rwOk(["note", ids[3]!, "once more"]);
    truncateSync(base, 100);
    const last = await answers(repo, ids);
    expect((last[2] as { task: { notes: unknown[] } }).task.notes).toHaveLength(1);
    expect(await repo.rwOk(["show", ids[3]!])).toContain("once more");
    const doctor = await repo.rw(["doctor"]);
    expect(doctor.code, doctor.stdout + doctor.stderr).toBe(0);
    expect(doctor.stdout).toContain("index");
    // The transaction lock is a link to an owner file each process removes as it exits.
    expect(readdirSync(join(repo.dir, ".git", "rewind")).filter((f) => f.startsWith("tx."))).toEqual([]);
  });

  it("keeps one long-lived store right while CLI processes race it for the same tasks", async () => {
    repo = makeRepo({ init: true });
    await seedTasks(repo.dir, 24); // one commit through the write path: the race below is what is under test
    const store = await Store.open({ cwd: repo.dir, env: {}, now: () => new Date() });
    try {
      const actor = { name: "daemon", email: "daemon@example.com" };
      const cli = (async () => {
        const got: string[] = [];
        for (let i = 0; i < 8; i++) got.push((JSON.parse(await repo.rwOk(["claim", "--next", "--json"], { actor: "cli" })) as { id: string }).id);
        return got;
      })();
      const mine: string[] = [];
      for (let i = 0; i < 16; i++) mine.push((await store.transact(decideClaimNext(), actor)).result.id);
      const theirs = await cli;
      expect(new Set([...mine, ...theirs]).size).toBe(24);
      expect((await repo.rw(["claim", "--next"], { actor: "late" })).code).toBe(4);
    } finally {
      store.close();
    }
    const doctor = await repo.rw(["doctor"]);
    expect(doctor.code, doctor.stdout + doctor.stderr).toBe(0);
    expect(repo.git(["rev-list", "--merges", "--count", "rewind"]).trim()).toBe("0");
  });

  it("folds a batch of more events than the journal holds into a new base, so later commands do not fold it again", async () => {
    repo = makeRepo({ init: true });
    await seedTasks(repo.dir, 10);
    const before = JSON.parse(await repo.rwOk(["list", "--json"])) as { tasks: unknown[] };
    const journal = (): string[] => readFileSync(join(cacheDir(repo), "refs_heads_rewind.v7.journal.jsonl"), "utf8").trim().split("\n");
    const baseTip = (): string => (JSON.parse(journal()[0]!) as { base: string }).base;
    // A short run of commits is appended to the journal...
    await repo.rwOk(["create", "One more"]);
    expect(journal().length).toBeGreaterThan(1);
    // ...a batch past its bound (32 events on a small backlog) becomes the base of an empty journal.
    await seedTasks(repo.dir, 40);
    expect(journal()).toHaveLength(1);
    expect(baseTip()).toBe(repo.git(["rev-parse", "refs/heads/rewind"]).trim());
    const after = JSON.parse(await repo.rwOk(["list", "--json"])) as { tasks: unknown[] };
    expect(after.tasks).toHaveLength(before.tasks.length + 41);
    rmSync(cacheDir(repo), { recursive: true });
    expect(JSON.parse(await repo.rwOk(["list", "--json"]))).toEqual(after);
  });

  it("reads a task's body from the base it opened, even after another writer replaced the file", async () => {
    repo = makeRepo({ init: true });
    const ids = await seed(repo);
    rmSync(cacheDir(repo), { recursive: true });
    await repo.rwOk(["list"]); // a base of this tip, with every task in it
    const base = join(cacheDir(repo), readdirSync(cacheDir(repo)).find((f) => f.endsWith(".base"))!);
    const store = await Store.open({ cwd: repo.dir, env: {}, now: () => new Date() });
    try {
      const snap = await store.snapshot(); // the header and entries read, the bodies not yet
      writeFileSync(`${base}.tmp`, "another writer's base\n");
      renameSync(`${base}.tmp`, base);
      expect(snap.state.tasks[ids[4]!]!.body).toBe("Body of 4\n\n- [ ] works\n");
      expect(snap.state.tasks[ids[1]!]!.notes.map((n) => n.text)).toEqual(['a note with "quotes"']);
    } finally {
      store.close();
    }
  });

  it("removes the index files of another version when it writes a base (they are never read again)", async () => {
    repo = makeRepo({ init: true });
    await seedTasks(repo.dir, 3);
    await repo.rwOk(["list"]);
    const old = ["refs_heads_rewind.v6.base", "refs_heads_rewind.v6.journal.jsonl", "refs_heads_rewind.v6.ready.json", "refs_heads_rewind.v5.ready.patch.json"];
    for (const f of old) writeFileSync(join(cacheDir(repo), f), "old");
    writeFileSync(join(cacheDir(repo), "refs_heads_other.v6.base"), "another ref's");
    for (const f of readdirSync(cacheDir(repo))) if (f.includes(".v7.")) rmSync(join(cacheDir(repo), f));
    await repo.rwOk(["list"]);
    const left = readdirSync(cacheDir(repo));
    expect(left.filter((f) => old.includes(f))).toEqual([]);
    expect(left).toContain("refs_heads_other.v6.base");
    expect(left.some((f) => f.endsWith(".v7.base"))).toBe(true);
  });
});
