import { beforeEach, describe, expect, it } from "vitest";
import {
  decideBlock, decideCancel, decideClaim, decideClaimNext, decideDone, decideExpireLeases, decideFail, decideHeartbeat,
  decideRelease, decideReopen, decideUnblock,
} from "../../../src/domain/decide-lifecycle.ts";
import type { Decider } from "../../../src/domain/decide.ts";
import { decideCreate, decideDepAdd } from "../../../src/domain/decide-task.ts";
import type { ErrorCode } from "../../../src/domain/errors.ts";
import { MIN, World, at, shape } from "../../helpers/domain.ts";

let w: World;
beforeEach(() => {
  w = new World();
  w.run(decideCreate({ title: "Open", id: "t-open" }));
  w.run(decideCreate({ title: "Held", id: "t-held" }));
  w.run(decideCreate({ title: "Done", id: "t-done" }));
  w.run(decideCreate({ title: "Waits", id: "t-wait", deps: ["t-open"] }));
  w.run(decideCreate({ title: "Later", id: "t-later", defer_until: "2030-01-01" }));
  w.run(decideCreate({ title: "Blocked", id: "t-blk" }));
  w.run(decideCreate({ title: "Cancelled", id: "t-can" }));
  w.run(decideClaim("t-held"), "alice");
  w.run(decideClaim("t-done"), "alice");
  w.run(decideDone("t-done"), "alice");
  w.run(decideBlock("t-blk", "waiting for API keys"));
  w.run(decideCancel("t-can"));
});

describe("decideClaim", () => {
  it("claims an open, ready task with the configured lease", () => {
    const d = w.run(decideClaim("t-open"), "bob");
    const start = d.events[0]!.ts;
    expect(d.result).toEqual({ id: "t-open", title: "Open", lease_until: at(30 * MIN, start), renewed: false });
    expect(d.summary).toBe("claim t-open: Open");
    expect(shape(d.events)).toEqual([{ type: "task.claimed", task: "t-open", actor: "bob", data: { lease_until: at(30 * MIN, start) } }]);
    expect(w.task("t-open")).toMatchObject({ status: "in_progress", assignee: "bob", lease_until: at(30 * MIN, start) });
  });

  it("takes a lease length per claim", () => {
    const d = w.run(decideClaim("t-open", { leaseMs: 5 * MIN }), "bob");
    expect(d.result.lease_until).toBe(at(5 * MIN, d.events[0]!.ts));
  });

  it("re-claiming by the holder renews the lease", () => {
    w.tick(10 * MIN);
    const d = w.run(decideClaim("t-held"), "alice");
    expect(d.result.renewed).toBe(true);
    expect(d.events[0]!.data).toEqual({ lease_until: at(30 * MIN, d.events[0]!.ts), renewed: true });
  });

  it("refuses another actor while the lease lives, naming the holder and the lease end", () => {
    const lease = w.task("t-held").lease_until!;
    const err = w.refuse(decideClaim("t-held"), "not_claimable", new RegExp(`held by alice until ${lease}`), "bob");
    expect(err.data).toMatchObject({ id: "t-held", assignee: "alice", lease_until: lease });
    expect(err.exitCode).toBe(3);
  });

  it("lets anyone take over once the lease has run out, and records the takeover", () => {
    const lease = w.task("t-held").lease_until!;
    w.clock = Date.parse(lease); // a lease that ends now is over
    const d = w.run(decideClaim("t-held"), "bob");
    expect(d.result.takeover_from).toBe("alice");
    expect(d.events[0]!.data).toMatchObject({ takeover_from: "alice", expired_lease: lease });
    expect(w.task("t-held").assignee).toBe("bob");
  });

  it("--force takes a live claim over", () => {
    const d = w.run(decideClaim("t-held", { force: true }), "bob");
    expect(d.result.takeover_from).toBe("alice");
  });

  it("--force claims a task that is not ready", () => {
    expect(w.run(decideClaim("t-wait", { force: true }), "bob").result.id).toBe("t-wait");
  });

  const refused: Array<[string, string, ErrorCode, RegExp]> = [
    ["a done task", "t-done", "not_claimable", /t-done is not claimable: status is done/],
    ["a cancelled task", "t-can", "not_claimable", /status is cancelled/],
    ["a blocked task (with its reason)", "t-blk", "not_claimable", /blocked: waiting for API keys/],
    ["a task waiting on a dependency", "t-wait", "not_claimable", /waits on t-open \(open\)/],
    ["a deferred task", "t-later", "not_claimable", /deferred until 2030-01-01T00:00:00.000Z/],
    ["an unknown task", "t-nope", "not_found", /task t-nope not found/],
    ["an invalid ID", "../t-open", "invalid_id", /invalid task ID/],
  ];
  it.each(refused)("refuses %s", (_name, id, code, message) => {
    w.refuse(decideClaim(id), code, message, "bob");
  });
});

describe("decideClaimNext", () => {
  it("claims the best ready task and skips live claims", () => {
    w.run(decideCreate({ title: "Urgent", id: "t-urgent", priority: 0 }));
    const d = w.run(decideClaimNext(), "bob");
    expect(d.result.id).toBe("t-urgent");
    expect(w.run(decideClaimNext(), "carol").result.id).toBe("t-open");
  });

  it("says nothing is ready with not_found (exit 4)", () => {
    w.run(decideClaim("t-open"), "bob");
    const err = w.refuse(decideClaimNext(), "not_found", /no task is ready/, "carol");
    expect(err.exitCode).toBe(4);
  });

  it("takes over a task whose lease expired", () => {
    w.run(decideClaim("t-open"), "bob");
    w.tick(31 * MIN);
    const d = w.run(decideClaimNext(), "carol");
    expect(d.result.takeover_from).toBeDefined();
  });
});

describe("decideHeartbeat / decideRelease / decideDone / decideFail", () => {
  it("heartbeat renews the holder's lease from now", () => {
    w.tick(20 * MIN);
    const d = w.run(decideHeartbeat("t-held", { leaseMs: 60 * MIN }), "alice");
    expect(d.result.lease_until).toBe(at(60 * MIN, d.events[0]!.ts));
    expect(w.task("t-held").lease_until).toBe(d.result.lease_until);
  });

  it("release gives the task back: open, no assignee, no lease", () => {
    const d = w.run(decideRelease("t-held", { reason: "stuck" }), "alice");
    expect(shape(d.events)).toEqual([{ type: "task.released", task: "t-held", actor: "alice", data: { reason: "stuck" } }]);
    expect(w.task("t-held")).toMatchObject({ status: "open" });
    expect(w.task("t-held").assignee).toBeUndefined();
    expect(w.task("t-held").lease_until).toBeUndefined();
  });

  it("release --force by someone else records whose claim it was", () => {
    const d = w.run(decideRelease("t-held", { force: true }), "bob");
    expect(d.events[0]!.data).toEqual({ assignee: "alice" });
  });

  it("done by the holder completes the task with the summary", () => {
    const d = w.run(decideDone("t-held", { summary: "POST /login" }), "alice");
    expect(shape(d.events)).toEqual([{ type: "task.completed", task: "t-held", actor: "alice", data: { summary: "POST /login" } }]);
    expect(w.task("t-held")).toMatchObject({ status: "done", assignee: "alice" });
  });

  it("done --force completes a task nobody holds", () => {
    w.run(decideDone("t-open", { force: true }), "bob");
    expect(w.task("t-open").status).toBe("done");
  });

  it("fail goes back to open with a retry count, then blocked after max_retries", () => {
    w.config = { ...w.config, maxRetries: 2 };
    const first = w.run(decideFail("t-held", { reason: "tests failed" }), "alice");
    expect(first.result).toEqual({ id: "t-held", retry_count: 1, will_retry: true });
    expect(shape(first.events)[0]!.data).toEqual({ error: "tests failed", retry_count: 1, will_retry: true });
    expect(w.task("t-held")).toMatchObject({ status: "open", retry_count: 1 });
    w.run(decideClaim("t-held"), "alice");
    const second = w.run(decideFail("t-held", { reason: "still failing" }), "alice");
    expect(second.result).toEqual({ id: "t-held", retry_count: 2, will_retry: false });
    expect(w.task("t-held")).toMatchObject({ status: "blocked", retry_count: 2, blocked_reason: "failed 2 times: still failing" });
  });

  const refused: Array<[string, () => Decider<unknown>, string, ErrorCode, RegExp]> = [
    ["heartbeat by another actor", () => decideHeartbeat("t-held"), "bob", "not_claimable", /claimed by alice, not by bob/],
    ["heartbeat of an open task", () => decideHeartbeat("t-open"), "alice", "not_claimable", /t-open is open, not claimed/],
    ["heartbeat of an unknown task", () => decideHeartbeat("t-nope"), "alice", "not_found", /not found/],
    ["release by another actor", () => decideRelease("t-held"), "bob", "not_claimable", /claimed by alice/],
    ["release of an open task", () => decideRelease("t-open"), "alice", "not_claimable", /not claimed/],
    ["done by another actor", () => decideDone("t-held"), "bob", "not_claimable", /claimed by alice, not by bob/],
    ["done of an unclaimed task", () => decideDone("t-open"), "alice", "not_claimable", /claim it first|not claimed/],
    ["done of a done task", () => decideDone("t-done", { force: true }), "alice", "not_claimable", /already done/],
    ["fail by another actor", () => decideFail("t-held", { reason: "x" }), "bob", "not_claimable", /claimed by alice/],
    ["fail without a reason", () => decideFail("t-held", { reason: " " }), "alice", "usage", /--reason must not be empty/],
    ["fail of an unclaimed task", () => decideFail("t-open", { reason: "x" }), "alice", "not_claimable", /not claimed/],
  ];
  it.each(refused)("refuses %s", (_name, make, actor, code, message) => {
    w.refuse(make(), code, message, actor);
  });
});

describe("cancel / reopen / block / unblock", () => {
  const allowed: Array<[string, () => Decider<{ id: string; status: string }>, string, string, Record<string, unknown>]> = [
    ["cancel an open task", () => decideCancel("t-open", "superseded"), "task.cancelled", "cancelled", { reason: "superseded" }],
    ["cancel a claimed task, forced", () => decideCancel("t-held", undefined, { force: true }), "task.cancelled", "cancelled", { forced: true, overrode: "alice" }],
    ["reopen a done task", () => decideReopen("t-done"), "task.reopened", "open", {}],
    ["reopen a cancelled task", () => decideReopen("t-can", "needed after all"), "task.reopened", "open", { reason: "needed after all" }],
    ["block an open task", () => decideBlock("t-open", "ask legal"), "task.blocked", "blocked", { reason: "ask legal" }],
    ["block a claimed task, forced", () => decideBlock("t-held", "ask legal", { force: true }), "task.blocked", "blocked", { reason: "ask legal", forced: true, overrode: "alice" }],
    ["unblock a blocked task", () => decideUnblock("t-blk"), "task.unblocked", "open", { retry_count: 0 }],
  ];
  it.each(allowed)("%s", (_name, make, type, status, data) => {
    const d = w.run(make(), "bob");
    expect(d.events.map((e) => [e.type, e.data])).toEqual([[type, data]]);
    expect(d.result.status).toBe(status);
    expect(w.task(d.result.id).status).toBe(status);
  });

  it("reopen clears the retry count and unblock clears the reason", () => {
    w.config = { ...w.config, maxRetries: 1 };
    w.run(decideFail("t-held", { reason: "boom" }), "alice");
    expect(w.task("t-held")).toMatchObject({ status: "blocked", retry_count: 1 });
    w.run(decideUnblock("t-held"));
    expect(w.task("t-held").blocked_reason).toBeUndefined();
    expect(w.task("t-held")).toMatchObject({ status: "open", retry_count: 0 }); // unblock starts the retry count over
    w.run(decideDone("t-held", { force: true }));
    w.run(decideReopen("t-held"));
    expect(w.task("t-held").retry_count).toBe(0);
  });

  const refused: Array<[string, () => Decider<unknown>, ErrorCode, RegExp, string?]> = [
    ["cancel a task alice has claimed", () => decideCancel("t-held"), "not_claimable", /t-held is claimed by alice, not by bob/, "bob"],
    ["block a task alice has claimed", () => decideBlock("t-held", "x"), "not_claimable", /claimed by alice/, "bob"],
    ["cancel a cancelled task", () => decideCancel("t-can"), "wrong_state", /cannot cancel t-can: it is already cancelled/],
    ["reopen an open task", () => decideReopen("t-open"), "wrong_state", /cannot reopen t-open: it is open, not done or cancelled/],
    ["reopen a claimed task", () => decideReopen("t-held"), "wrong_state", /in_progress/],
    ["block without a reason", () => decideBlock("t-open"), "usage", /--reason must not be empty/],
    ["block a done task", () => decideBlock("t-done", "x"), "wrong_state", /cannot block t-done: it is done/],
    ["block a blocked task", () => decideBlock("t-blk", "x"), "wrong_state", /it is blocked/],
    ["unblock an open task", () => decideUnblock("t-open"), "wrong_state", /not blocked/],
    ["cancel an unknown task", () => decideCancel("t-nope"), "not_found", /not found/],
  ];
  it.each(refused)("refuses to %s", (_name, make, code, message, actor) => {
    w.refuse(make(), code, message, actor);
  });
});

describe("decideExpireLeases", () => {
  it("expires only leases that have run out", () => {
    w.run(decideDepAdd("t-later", "t-open")); // unrelated noise
    w.run(decideClaim("t-open", { leaseMs: 60 * MIN }), "bob");
    const heldLease = w.task("t-held").lease_until!;
    w.clock = Date.parse(heldLease);
    expect(w.decide(decideExpireLeases).result.expired).toEqual(["t-held"]);
    const d = w.run(decideExpireLeases, "supervisor");
    expect(d.summary).toBe("expire 1 lease");
    expect(shape(d.events)).toEqual([{ type: "task.lease_expired", task: "t-held", actor: "supervisor", data: { assignee: "alice", lease_until: heldLease } }]);
    expect(w.task("t-held")).toMatchObject({ status: "open" });
    expect(w.task("t-held").assignee).toBeUndefined();
    expect(w.task("t-open").status).toBe("in_progress");
  });

  it("does nothing when every lease lives", () => {
    const d = w.decide(decideExpireLeases);
    expect(d.events).toEqual([]);
    expect(d.summary).toBe("expire 0 leases");
  });
});
