import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { TaskSort } from "../../src/domain/task-query.ts";
import { Store } from "../../src/store/store.ts";
import { listJsonText } from "../../src/views/list-json.ts";
import { makeRepo, type TempRepo } from "../helpers/repo.ts";

let repo: TempRepo;
afterEach(() => repo?.cleanup());

const VARIANTS: string[][] = [
  ["list", "--json"],
  ["list", "--all", "--json"],
  ["list", "--status", "open", "--status", "blocked", "--json"],
  ["list", "--all", "--sort", "age", "--json"],
  ["list", "--sort", "updated", "--limit", "7", "--json"],
  ["list", "--all", "--sort", "updated", "--json"],
];

/** Standard output exactly as printed (rwOk trims it). */
async function printed(r: TempRepo, args: string[]): Promise<string> {
  const res = await r.rw(args);
  expect(res.code, `rw ${args.join(" ")}: ${res.stderr}`).toBe(0);
  return res.stdout;
}

const dropIndex = (r: TempRepo): void => rmSync(join(r.dir, ".git", "rewind"), { recursive: true, force: true });

/** Each variant's output as a command that replays the ref prints it (no index: every task decoded, filtered and sorted). */
async function replayed(r: TempRepo): Promise<string[]> {
  const out: string[] = [];
  for (const args of VARIANTS) {
    dropIndex(r);
    out.push(await printed(r, args));
  }
  return out;
}

const fromIndex = async (r: TempRepo): Promise<string[]> => Promise.all(VARIANTS.map((args) => printed(r, args)));

/**
 * `rw list --json` copies each task's bytes from the index (views/list-json.ts) instead of
 * decoding, filtering and sorting every task: it must print what the full path prints, byte for
 * byte, for the index file's tasks and for those changed since (the journal), in every order.
 */
describe("rw list --json from the index", () => {
  it("prints the bytes a full replay prints, before and after writes the index has not folded in", async () => {
    repo = makeRepo();
    await repo.rwOk(["init"]);
    const ids: string[] = [];
    for (let i = 0; i < 24; i++) {
      const labels = i % 3 === 0 ? ["--label", "api", "--label", "ui"] : [];
      ids.push(await repo.rwOk(["create", `Task ${i} — ünïcode "quoted" \\ ${"é".repeat(i % 4)}`, "-p", String(i % 5), "--body", `Body ${i}\n\n- [ ] one\n`, ...labels]));
    }
    await repo.rwOk(["note", ids[2]!, "a note"]);
    await repo.rwOk(["claim", ids[0]!], { actor: "agent-1" });
    await repo.rwOk(["done", ids[0]!], { actor: "agent-1" });
    await repo.rwOk(["cancel", ids[5]!, "--reason", "not needed"]);
    await repo.rwOk(["block", ids[7]!, "--reason", "waiting on a vendor"]);
    const first = await replayed(repo);
    expect(await fromIndex(repo)).toEqual(first);

    // Writes after the base: the journal changes tasks the base has (status, priority, a claim) and adds new ones.
    await repo.rwOk(["claim", ids[3]!], { actor: "agent-2" });
    await repo.rwOk(["edit", ids[9]!, "--priority", "0"]);
    await repo.rwOk(["claim", ids[4]!], { actor: "agent-1" });
    await repo.rwOk(["done", ids[4]!], { actor: "agent-1" });
    await repo.rwOk(["create", "Added after the base", "-p", "1"]);
    await repo.rwOk(["create", "Another one", "-p", "4"]);
    await repo.rwOk(["reopen", ids[0]!]);
    const carried = await fromIndex(repo);
    const full = await replayed(repo);
    expect(carried).toEqual(full);
    const all = JSON.parse(full[1]!) as { count: number; tasks: Array<{ id: string; body?: string; notes?: unknown }> };
    expect(all.count).toBe(26);
    expect(all.tasks.every((t) => t.body === undefined && t.notes === undefined)).toBe(true);

    // The same answer from the index in-process (so the copying path is what the commands above ran).
    await repo.rwOk(["note", ids[1]!, "one more, so the index has a journal again"]);
    const cli = await fromIndex(repo);
    const store = await Store.open({ cwd: repo.dir, env: {}, now: () => new Date() });
    try {
      const snap = await store.snapshot();
      const index = snap.derived?.().index?.bind(snap.state);
      expect(index).toBeDefined();
      const direct = (sort: TaskSort, all: boolean, limit?: number): string | undefined => listJsonText(index!, { all }, sort, limit, {})?.bytes.toString();
      expect(direct("priority", false)).toBe(cli[0]);
      expect(direct("priority", true)).toBe(cli[1]);
      expect(direct("age", true)).toBe(cli[3]);
      expect(direct("updated", false, 7)).toBe(cli[4]);
      expect(listJsonText(index!, { labels: ["api"] }, "priority", undefined, {})).toBeUndefined();
    } finally {
      store.close();
    }
    expect(cli).toEqual(await replayed(repo));

    // A secret-named variable's value is redacted from the copied bytes as from the decoded ones.
    await repo.rwOk(["create", "Rotate deploy-key-1234567 soon"]);
    const env = { DEPLOY_SECRET: "deploy-key-1234567" };
    await repo.rwOk(["list"]);
    const copied = await repo.rw(["list", "--json"], { env });
    expect(copied.stdout).toContain("Rotate [REDACTED] soon");
    expect(copied.stdout).not.toContain("deploy-key-1234567");
    dropIndex(repo);
    expect((await repo.rw(["list", "--json"], { env })).stdout).toBe(copied.stdout);
  });
});
