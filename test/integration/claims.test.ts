import { afterEach, describe, expect, it } from "vitest";
import { makeRepo, type TempRepo } from "../helpers/repo.ts";
import { eventsOnRef, expectDoctorOk, rwFails, rwJson, writeConfig } from "../helpers/rw.ts";

let repo: TempRepo;
afterEach(() => repo?.cleanup());

interface ClaimJson { id: string; title: string; lease_until: string; renewed: boolean; takeover_from?: string; commit: string }
interface ReadyJson { count: number; total: number; tasks: Array<{ id: string; priority: number; unblocks: number; expired_claim?: { assignee: string } }> }

describe("ready and claims through the CLI", () => {
  it("ready orders by priority, then what a task unblocks, then age; --limit and --explain", async () => {
    repo = makeRepo({ init: true });
    const low = await repo.rwOk(["create", "low", "-p", "3"]);
    const plain = await repo.rwOk(["create", "plain"]);
    const root = await repo.rwOk(["create", "root"]);
    const child = await repo.rwOk(["create", "child", "--dep", root]);
    await repo.rwOk(["create", "grandchild", "--dep", child]);
    const urgent = await repo.rwOk(["create", "urgent", "-p", "0"]);
    const later = await repo.rwOk(["create", "later", "--defer", "2999-01-01"]);
    const ready = await rwJson<ReadyJson>(repo, ["ready"]);
    expect(ready.tasks.map((t) => t.id)).toEqual([urgent, root, plain, low]);
    expect(ready.tasks.find((t) => t.id === root)!.unblocks).toBe(2);
    const limited = await rwJson<ReadyJson>(repo, ["ready", "--limit", "2"]);
    // count is what was returned, total what is ready (issue 16).
    expect(limited).toMatchObject({ count: 2, total: 4 });
    expect(limited.tasks.map((t) => t.id)).toEqual([urgent, root]);
    const text = await repo.rwOk(["ready", "--limit", "2"]);
    expect(text.split("\n")).toEqual([
      expect.stringMatching(new RegExp(`^${urgent}\\s+P0\\s+urgent$`)) as string,
      expect.stringMatching(new RegExp(`^${root}\\s+P2\\s+root\\s+\\(unblocks 2\\)$`)) as string,
      "… and 2 more",
    ]);
    const explain = await repo.rwOk(["ready", "--explain"]);
    expect(explain).toContain(`waiting  ${later}  later\n         deferred until 2999-01-01T00:00:00.000Z`);
    expect(explain).toContain(`waiting  ${child}  child\n         waits on ${root} (open)`);
    const ej = await rwJson<{ tasks: Array<{ id: string; ready: boolean; reasons: string[] }> }>(repo, ["ready", "--explain"]);
    expect(ej.tasks.find((t) => t.id === child)).toEqual({ id: child, title: "child", ready: false, reasons: [`waits on ${root} (open)`] });
    await expectDoctorOk(repo);
  });

  it("claim: one winner; the loser gets exit 3 naming holder and lease end; --next exits 4 when nothing is ready", async () => {
    repo = makeRepo({ init: true });
    const id = await repo.rwOk(["create", "Only task"]);
    const won = await rwJson<ClaimJson>(repo, ["claim", id, "--lease", "45m"], { actor: "agent-1" });
    expect(won).toMatchObject({ id, title: "Only task", renewed: false });
    const commitTime = repo.git(["log", "-1", "--format=%aI", "rewind"]).trim();
    expect(Date.parse(won.lease_until) - Date.parse(commitTime)).toBeGreaterThanOrEqual(45 * 60_000 - 1000);
    const lost = await rwFails(repo, ["claim", id], 3, `${id} is not claimable: held by agent-1 until ${won.lease_until}`, { actor: "agent-2" });
    expect(lost.stdout).toBe("");
    const lostJson = await rwJson<{ error: { code: string; data: { assignee: string; lease_until: string } } }>(repo, ["claim", id], { actor: "agent-2", code: 3 });
    expect(lostJson.error).toMatchObject({ code: "not_claimable", data: { assignee: "agent-1", lease_until: won.lease_until } });
    await rwFails(repo, ["claim", "--next"], 4, /no task is ready/, { actor: "agent-2" });
    await rwFails(repo, ["claim", "rw-nope"], 4, /task rw-nope not found/, { actor: "agent-2" });
    await rwFails(repo, ["claim"], 2, /name a task ID or pass --next/);
    await rwFails(repo, ["claim", id, "--next"], 2, /not both/);
    await rwFails(repo, ["claim", id, "--lease", "soon"], 2, /invalid --lease "soon"/);
    const renewed = await rwJson<ClaimJson>(repo, ["claim", id], { actor: "agent-1" });
    expect(renewed.renewed).toBe(true);
    expect(await repo.rwOk(["claim", id, "--force"], { actor: "agent-2" })).toMatch(/^took over \(lease of agent-1 expired\)/);
    expect((await rwJson<{ task: { assignee: string } }>(repo, ["show", id])).task.assignee).toBe("agent-2");
    await expectDoctorOk(repo);
  });

  it("an expired lease is ready again and a claim takes it over, recorded in the event", async () => {
    repo = makeRepo({ init: true });
    const id = await repo.rwOk(["create", "Crashed worker's task"]);
    await repo.rwOk(["claim", id, "--lease", "1ms"], { actor: "crashed" });
    const ready = await rwJson<ReadyJson>(repo, ["ready"]);
    expect(ready.tasks).toEqual([expect.objectContaining({ id, expired_claim: expect.objectContaining({ assignee: "crashed" }) as unknown })]);
    expect(await repo.rwOk(["ready"])).toContain("lease of crashed expired");
    const taken = await rwJson<ClaimJson>(repo, ["claim", "--next"], { actor: "rescuer" });
    expect(taken).toMatchObject({ id, takeover_from: "crashed" });
    const claimed = eventsOnRef(repo).filter((e) => e.type === "task.claimed");
    expect(claimed.map((e) => [e.actor, e.data.takeover_from])).toEqual([["crashed", undefined], ["rescuer", "crashed"]]);
    await expectDoctorOk(repo);
  });

  it("heartbeat, release and done are for the claimant (or --force)", async () => {
    repo = makeRepo({ init: true });
    const id = await repo.rwOk(["create", "Work"]);
    await rwFails(repo, ["heartbeat", id], 3, /is open, not claimed/, { actor: "a1" });
    await repo.rwOk(["claim", id], { actor: "a1" });
    const hb = await rwJson<{ id: string; lease_until: string }>(repo, ["heartbeat", id, "--lease", "2h"], { actor: "a1" });
    expect((await rwJson<{ task: { lease_until: string } }>(repo, ["show", id])).task.lease_until).toBe(hb.lease_until);
    await rwFails(repo, ["heartbeat", id], 3, `${id} is claimed by a1, not by a2`, { actor: "a2" });
    await rwFails(repo, ["release", id], 3, /claimed by a1/, { actor: "a2" });
    await rwFails(repo, ["done", id], 3, /claimed by a1/, { actor: "a2" });
    expect(await repo.rwOk(["release", id], { actor: "a1" })).toBe(`released ${id}`);
    expect((await rwJson<{ task: { status: string; assignee?: string } }>(repo, ["show", id])).task).not.toHaveProperty("assignee");
    await repo.rwOk(["claim", id], { actor: "a2" });
    await rwFails(repo, ["done", id, "--summary", "mine"], 3, /claimed by a2, not by a1/, { actor: "a1" });
    expect(await repo.rwOk(["done", id, "--summary", "shipped"], { actor: "a2" })).toBe(`${id} is done`);
    await rwFails(repo, ["done", id], 3, /already done/, { actor: "a2" });
    const other = await repo.rwOk(["create", "Other"]);
    expect(await repo.rwOk(["done", other, "--force"], { actor: "lead" })).toBe(`${other} is done`);
    const completed = eventsOnRef(repo).filter((e) => e.type === "task.completed");
    expect(completed.map((e) => [e.task, e.actor, e.data.summary])).toEqual([[id, "a2", "shipped"], [other, "lead", undefined]]);
    await expectDoctorOk(repo);
  });

  it("rw fail retries until execution.max_retries, then the task is blocked", async () => {
    repo = makeRepo({ init: true, config: "version = 1\n[execution]\nmax_retries = 2\n" });
    const id = await repo.rwOk(["create", "Flaky"]);
    await rwFails(repo, ["fail", id, "--reason", "x"], 3, /not claimed/, { actor: "w" });
    await repo.rwOk(["claim", id], { actor: "w" });
    await rwFails(repo, ["fail", id], 2, /--reason must not be empty/, { actor: "w" });
    const first = await rwJson<{ retry_count: number; will_retry: boolean }>(repo, ["fail", id, "--reason", "tests red"], { actor: "w" });
    expect(first).toMatchObject({ retry_count: 1, will_retry: true });
    expect((await rwJson<ReadyJson>(repo, ["ready"])).tasks.map((t) => t.id)).toEqual([id]);
    expect(repo.git(["show", `rewind:tasks/${id}.md`])).toContain("\nretries: 1\n");
    await repo.rwOk(["claim", id], { actor: "w" });
    expect(await repo.rwOk(["fail", id, "--reason", "still red"], { actor: "w" })).toBe(`${id} failed 2 times: now blocked`);
    const shown = await rwJson<{ task: { status: string; blocked_reason: string; retry_count: number } }>(repo, ["show", id]);
    expect(shown.task).toMatchObject({ status: "blocked", blocked_reason: "failed 2 times: still red", retry_count: 2 });
    await rwFails(repo, ["claim", "--next"], 4, /no task is ready/, { actor: "w" });
    await repo.rwOk(["unblock", id]);
    expect((await rwJson<ReadyJson>(repo, ["ready"])).count).toBe(1);
    await expectDoctorOk(repo);
  });

  it("a bad config is refused with the file, the key and the fix", async () => {
    repo = makeRepo({ init: true, config: "[claims]\nleese = \"30m\"\n" });
    const r = await rwFails(repo, ["ready"], 1, /config\.toml: claims\.leese is not a known setting/);
    expect(r.stderr).toContain("hint: known keys in [claims]: lease");
    writeConfig(repo, "[claims\n");
    await rwFails(repo, ["ready"], 1, /config\.toml line 1: invalid TOML/);
    writeConfig(repo, "[claims]\nlease = \"forever\"\n");
    await rwFails(repo, ["claim", "--next"], 1, /config\.toml: claims\.lease is not a duration: "forever"/);
    writeConfig(repo, "version = 1\n");
    await expectDoctorOk(repo);
  });
});
