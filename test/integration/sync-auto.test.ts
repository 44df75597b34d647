import { describe, expect, it, onTestFinished } from "vitest";
import { Store } from "../../src/store/store.ts";
import { startAutoSync } from "../../src/sync/auto.ts";
import { startDaemon } from "../helpers/daemon.ts";
import { makeBare, makeClone, seedRemote } from "../helpers/remote.ts";
import { baseEnv, track, waitFor } from "../helpers/repo.ts";

describe("sync.auto: the loop the daemon runs", () => {
  it("pulls what other machines pushed when it starts, and pushes a local commit right after a kick", async () => {
    const remote = track(makeBare());
    const seed = track(await seedRemote(remote, 1));
    const clone = track(await makeClone(remote.url, "bob"));
    const store = await Store.open({ cwd: clone.dir, env: baseEnv(), now: () => new Date() });
    onTestFinished(() => store.close());
    await seed.rwOk(["create", "From the seed", "--id", "t-2"]);
    await seed.rwOk(["sync"]);
    const lines: string[] = [];
    // An interval far longer than the test: the first round runs at start, and the push below
    // only happens in time if kick() triggers it.
    const auto = startAutoSync({ store, actor: { name: "bob", email: "bob@example.com" }, intervalMs: 600_000, log: (l) => lines.push(l) });
    onTestFinished(() => auto.stop());
    await waitFor(() => clone.git(["rev-parse", "rewind"]) === remote.git(["rev-parse", "rewind"]), { what: "the clone to pull", timeoutMs: 20_000 });
    expect(await clone.rwOk(["list"])).toContain("t-2");
    expect(lines.some((l) => /fast-forward with origin: 1 event\(s\) in/.test(l))).toBe(true);

    await clone.rwOk(["create", "From bob", "--id", "t-3"]);
    auto.kick();
    await waitFor(() => remote.git(["show", "rewind:tasks/t-3.md"]).includes("From bob"), { what: "the push", timeoutMs: 20_000 });
    await auto.stop();
    await clone.rwOk(["doctor"]);
  }, 120_000);

  it("logs a failure and keeps going when the remote cannot be reached", async () => {
    const remote = track(makeBare());
    const seed = track(await seedRemote(remote, 1));
    const store = await Store.open({ cwd: seed.dir, env: baseEnv(), now: () => new Date() });
    onTestFinished(() => store.close());
    const lines: string[] = [];
    const auto = startAutoSync({ store, actor: { name: "s", email: "s@example.com" }, remote: "file:///nonexistent/x.git", intervalMs: 100, log: (l) => lines.push(l) });
    onTestFinished(() => auto.stop());
    await waitFor(() => lines.filter((l) => l.includes("failed")).length >= 2, { what: "two failed rounds" });
    expect(lines[0]).toMatch(/sync with file:\/\/\/nonexistent\/x.git failed: could not fetch/);
  }, 30_000);

  it("`rw daemon` with sync.auto = true pulls other machines' work and pushes local commits", async () => {
    const remote = track(makeBare());
    const seed = track(await seedRemote(remote, 1));
    // The daemon pulls on its interval; a local commit is pushed as soon as the daemon sees the ref move.
    const clone = track(await makeClone(remote.url, "dana", ["auto = true", 'interval = "2s"']));
    const daemon = await startDaemon(clone);
    onTestFinished(() => daemon.stop());
    await daemon.waitLine(/auto-sync with origin every 2s/);

    await seed.rwOk(["create", "From the seed", "--id", "t-2"]);
    await seed.rwOk(["sync"]);
    await daemon.waitLine(/sync fast-forward with origin: 1 event\(s\) in/, "the daemon pulling");
    await waitFor(async () => (await clone.rwOk(["list"])).includes("t-2"), { what: "t-2 in the clone" });

    await clone.rwOk(["create", "From dana", "--id", "t-3"]);
    await waitFor(() => remote.git(["ls-tree", "--name-only", "rewind", "tasks/"]).includes("tasks/t-3.md"), { what: "the daemon pushing", timeoutMs: 20_000 });
    await daemon.stop();
    await clone.rwOk(["doctor"]);
  }, 120_000);
});
