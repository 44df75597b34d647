import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readReadyView } from "../../src/store/ready-cache.ts";
import { makeRepo, type TempRepo } from "../helpers/repo.ts";
import { expectDoctorOk, rwJson } from "../helpers/rw.ts";

let repo: TempRepo;
afterAll(() => repo?.cleanup());

const cacheDir = (): string => join(repo.dir, ".git", "rewind", "cache");
const viewFile = (): string | undefined => readdirSync(cacheDir()).find((f) => f.endsWith(".ready.json"));

/**
 * `rw ready` at a tip an earlier `rw ready` ranked reads the ready view kept beside the index
 * (store/ready-cache.ts) instead of the whole state: it must print exactly what ranking the
 * whole state prints, also once a lease has run out since the view was written.
 */
describe("rw ready from the kept ready view", () => {
  it("prints what a full ranking prints, text and --json, and sees a lease expire", async () => {
    repo = makeRepo({ init: true, config: '[ids]\nprefix = "rw"\n' });
    const a = await repo.rwOk(["create", "Base work", "-p", "1"]);
    await repo.rwOk(["create", "Depends on base", "-p", "0", "--dep", a]);
    const b = await repo.rwOk(["create", "Top priority", "-p", "0", "--label", "api"]);
    await repo.rwOk(["create", "Later", "-p", "3", "--type", "bug"]);
    await repo.rwOk(["create", "Deferred", "-p", "0", "--defer", "2099-01-01"]);
    await repo.rwOk(["claim", b, "--lease", "3s"], { actor: "agent-1" });
    const claimedAt = Date.now();

    const ask = async (args: string[]): Promise<string> => {
      const r = await repo.rw(["ready", ...args]);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout;
    };
    const first = await ask(["--json"]);
    expect(viewFile(), "the first rw ready keeps a ready view").toBeDefined();
    // (Only checkable while the lease runs: a slow machine may already be past it.)
    if (Date.now() - claimedAt < 2500) expect(first).not.toContain(b);

    // The lease runs out with no new commit: the view is still for this tip, and must see it.
    await new Promise((r) => setTimeout(r, Math.max(0, claimedAt + 3500 - Date.now())));
    const fromView = { text: await ask([]), one: await ask(["--limit", "1"]), json: await ask(["--json"]) };
    expect(fromView.text).toContain(`lease of agent-1 expired`);
    expect(fromView.one).toContain("… and 2 more");
    const json = JSON.parse(fromView.json) as { total: number; tasks: Array<{ id: string; expired_claim?: { assignee: string } }> };
    expect(json.total).toBe(3);
    expect(json.tasks.find((t) => t.id === b)?.expired_claim?.assignee).toBe("agent-1");
    // A full ranking of the whole state (no index, no view: replayed from the log) agrees byte for byte.
    const fresh = async (args: string[]): Promise<string> => {
      rmSync(cacheDir(), { recursive: true, force: true });
      return ask(args);
    };
    expect(await fresh([])).toBe(fromView.text);
    expect(await fresh(["--limit", "1"])).toBe(fromView.one);
    expect(await fresh(["--json"])).toBe(fromView.json);

    // A write moves the tip: the old view is not used (the new task shows at once).
    const c = await repo.rwOk(["create", "Newest, most urgent", "-p", "0"]);
    const after = JSON.parse(await ask(["--json"])) as { total: number; tasks: Array<{ id: string }> };
    expect(after.total).toBe(4);
    expect(after.tasks.map((t) => t.id)).toContain(c);
    // Filters and --explain never read the view.
    expect(await ask(["--label", "api", "--json"])).toContain(b);

    // `rw claim --next` starts from the ready order kept in the index (carried by each write,
    // ready-memo.ts): a chain of claims ranks nothing, and takes the tasks in the order `rw ready` listed them.
    const top3 = (JSON.parse(await ask(["--json", "--limit", "3"])) as { tasks: Array<{ id: string }> }).tasks.map((t) => t.id);
    const claimed: string[] = [];
    for (let i = 0; i < 3; i++) claimed.push((await rwJson<{ id: string }>(repo, ["claim", "--next"], { actor: `agent-${i + 2}` })).id);
    expect(claimed).toEqual(top3);
    const base = readdirSync(cacheDir()).find((f) => f.endsWith(".base"))!;
    const header = readFileSync(join(cacheDir(), base), "utf8").split("\n")[0]!;
    expect((JSON.parse(header) as { ready?: unknown }).ready, "the index keeps a ready order").toBeDefined();
    for (const args of [[], ["--limit", "2"], ["--json"]]) {
      if (args.length > 0) await repo.rwOk(["create", `More work ${args.join(" ")}`, "-p", "0"]); // a write: it leaves its carried order in the index
      const kept = await ask(args);
      expect(await fresh(args), `rw ready ${args.join(" ")}: the carried order prints what a full ranking prints`).toBe(kept);
    }
    // After the index is rebuilt (it then has no ready order) a claim starts from the view and
    // patches it (the rows it changed) instead of rewriting it: --json copies the unpatched rows,
    // encodes the patched ones, and prints what a full ranking prints.
    const listed = JSON.parse(await fresh(["--json"])) as { tasks: Array<{ id: string; expired_claim?: unknown }> };
    await repo.rwOk(["edit", listed.tasks.at(-1)!.id, "--title", "Renamed while ready"]); // keeps the order: a patched row, still open
    expect(readdirSync(cacheDir()).some((f) => f.endsWith(".ready.patch.json"))).toBe(true);
    const renamed = await ask(["--json"]);
    expect(renamed).toContain("Renamed while ready");
    expect(await fresh(["--json"])).toBe(renamed);
    await fresh(["--json"]);
    await repo.rwOk(["claim", "--next"], { actor: "agent-8" });
    expect(readdirSync(cacheDir()).some((f) => f.endsWith(".ready.patch.json"))).toBe(true);
    const patched = { json: await ask(["--json"]), two: await ask(["--limit", "2"]) };
    expect(await fresh(["--json"])).toBe(patched.json);
    expect(await fresh(["--limit", "2"])).toBe(patched.two);
    // A view saved by a full listing is read back as saved.
    await ask(["--json"]);
    expect(readReadyView(join(repo.dir, ".git", "rewind"), "refs/heads/rewind", repo.git(["rev-parse", "rewind"]).trim())).toBeDefined();
    await expectDoctorOk(repo); // STATE.md written from the carried order is what the log says
  });
});
