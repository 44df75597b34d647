import { existsSync, statSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cleanUpAfterEach, refEvents, startDaemon, type DaemonProc } from "../helpers/daemon.ts";
import { makeRepo, type TempRepo } from "../helpers/repo.ts";

let repo: TempRepo;
let daemon: DaemonProc | undefined;
cleanUpAfterEach(() => ({ daemon, repo }));

const socket = (): string => join(repo.dir, ".git", "rewind", "daemon.sock");

async function setup(n: number): Promise<string[]> {
  repo = makeRepo({ init: true });
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(await repo.rwOk(["create", `Task ${i}`, "-p", String(i % 3)]));
  return ids;
}

/** One raw request line on the daemon's socket, and its answer (as a hostile client would send it). */
function raw(line: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const s = connect(socket());
    let text = "";
    s.on("connect", () => s.write(line));
    s.on("data", (d) => (text += d.toString()));
    s.on("error", reject);
    s.on("close", () => resolve(JSON.parse(text.split("\n")[0]!) as Record<string, unknown>));
  });
}

const served = (id: string, actor: string): RegExp => new RegExp(`claimed ${id} for ${actor}$`);

/**
 * `rw claim` through a running daemon (daemon/claim-protocol.ts): the daemon makes the claim in
 * its long-lived store; what the user sees (output, exit codes, the commit) is a local claim's.
 */
describe("rw claim through the daemon", { timeout: 120_000 }, () => {
  it("serves racing claims, each task once, with the output and commit of a local claim", async () => {
    const ids = await setup(12);
    const local = JSON.parse(await repo.rwOk(["claim", ids[0]!, "--json"], { actor: "before" })) as Record<string, unknown>;
    daemon = await startDaemon(repo);
    await daemon.waitLine(/serving claims on /);
    expect(statSync(socket()).mode & 0o777).toBe(0o600);
    const status = JSON.parse(await repo.rwOk(["daemon", "status", "--json"])) as { running: boolean; claims_socket: string | null };
    expect(status).toMatchObject({ running: true, claims_socket: socket() });

    const racers = Array.from({ length: 8 }, (_v, i) => repo.rw(["claim", "--next", "--json"], { actor: `agent-${i + 1}` }));
    const results = await Promise.all(racers);
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const got = results.map((r) => JSON.parse(r.stdout) as Record<string, unknown>);
    expect(new Set(got.map((g) => g.id)).size).toBe(8);
    expect(got.every((g) => !ids.slice(0, 1).includes(g.id as string))).toBe(true);
    for (const [i, g] of got.entries()) {
      expect(Object.keys(g).sort()).toEqual(Object.keys(local).sort());
      expect((g.events as Array<{ type: string; task: string }>)[0]).toMatchObject({ type: "task.claimed", task: g.id });
      await daemon.waitLine(served(g.id as string, `agent-${i + 1}`), "the daemon made the claim");
    }
    const events = refEvents(repo).filter((e) => e.type === "task.claimed");
    for (const [i, g] of got.entries()) expect(events.find((e) => e.task === g.id)?.actor).toBe(`agent-${i + 1}`);

    // Text output and --lease, as locally.
    const free = ids.find((id) => !got.some((g) => g.id === id) && id !== ids[0])!;
    const before = Date.now();
    const text = await repo.rwOk(["claim", free, "--lease", "5m"], { actor: "agent-9" });
    expect(text).toMatch(new RegExp(`^claimed ${free}: Task \\d+ \\(lease until \\S+\\)$`));
    const until = Date.parse(/lease until (\S+)\)/.exec(text)![1]!);
    expect(until - before).toBeGreaterThan(4 * 60_000);
    expect(until - before).toBeLessThan(6 * 60_000);
    await daemon.waitLine(served(free, "agent-9"));
    await repo.rwOk(["doctor"]);
  });

  it("answers errors with the message and exit code of a local claim", async () => {
    const ids = await setup(2);
    await repo.rwOk(["claim", ids[0]!], { actor: "holder" });
    daemon = await startDaemon(repo);
    await daemon.waitLine(/serving claims on /);
    const both = async (args: string[]): Promise<void> => {
      const viaDaemon = await repo.rw(args, { actor: "agent-2" });
      const localRun = await repo.rw(args, { actor: "agent-2", env: { RW_DAEMON: "off" } });
      expect(viaDaemon.code, viaDaemon.stderr).toBe(localRun.code);
      expect(viaDaemon.stderr).toBe(localRun.stderr);
      expect(viaDaemon.code).not.toBe(0);
    };
    await both(["claim", ids[0]!]); // held by someone else: 3
    await both(["claim", "rt-zzzz"]); // unknown: 4
    await both(["claim", "../../etc/passwd"]); // not an ID: 2
    await both(["claim", ids[0]!, "--json"]);
    await repo.rwOk(["claim", "--next"], { actor: "agent-3" });
    await both(["claim", "--next"]); // nothing ready: 4
    expect(daemon.output()).not.toMatch(/claimed .* for agent-2/);
  });

  it("refuses hostile requests on its socket and keeps serving", async () => {
    const ids = await setup(2);
    daemon = await startDaemon(repo);
    await daemon.waitLine(/serving claims on /);
    for (const line of ["garbage\n", "[]\n", '{"v":1,"op":"rm -rf"}\n', `${"x".repeat(20_000)}`, JSON.stringify({ v: 1, version: "0", op: "claim", next: true, force: false, lease_ms: 1000, actor: { name: "evil\nname", email: "e@x" } }) + "\n"]) {
      const reply = await raw(line);
      expect(reply.ok, line.slice(0, 40)).toBe(false);
      expect(["invalid_input", "usage"]).toContain((reply.error as { code: string }).code);
    }
    // Another version's client is told to claim itself.
    const other = await raw(`${JSON.stringify({ v: 1, version: "0.0.0-other", op: "claim", id: ids[0], next: false, force: false, lease_ms: 60_000, actor: { name: "a", email: "a@x" } })}\n`);
    expect(other.fallback).toMatch(/daemon runs rw/);
    const r = await repo.rw(["claim", ids[1]!], { actor: "agent-1" });
    expect(r.code, r.stderr).toBe(0);
    await daemon.waitLine(served(ids[1]!, "agent-1"));
  });

  it("claims locally when the daemon was killed (its socket left behind) or RW_DAEMON=off, and a new daemon serves again", async () => {
    const ids = await setup(4);
    daemon = await startDaemon(repo);
    await daemon.waitLine(/serving claims on /);
    const off = await repo.rw(["claim", ids[0]!], { actor: "agent-1", env: { RW_DAEMON: "off" } });
    expect(off.code, off.stderr).toBe(0);
    daemon.child.kill("SIGKILL");
    await daemon.stop();
    expect(existsSync(socket())).toBe(true);
    const r = await repo.rw(["claim", ids[1]!, "--json"], { actor: "agent-2" });
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { id: string }).id).toBe(ids[1]);
    expect(daemon.output()).not.toMatch(/claimed .* for agent-/);
    daemon = await startDaemon(repo);
    await daemon.waitLine(/serving claims on /);
    await repo.rwOk(["claim", ids[2]!], { actor: "agent-3" });
    await daemon.waitLine(served(ids[2]!, "agent-3"));
    await daemon.stop();
    expect(existsSync(socket())).toBe(false);
    daemon = undefined;
  });
});
