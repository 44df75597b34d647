import { afterEach, describe, expect, it } from "vitest";
import { makeEvent, type Decider } from "../../src/domain/decide.ts";
import { Store } from "../../src/store/store.ts";
import { makeRepo, type TempRepo } from "../helpers/repo.ts";

let repo: TempRepo;
afterEach(() => repo?.cleanup());

/** What the orchestrator will write: a session around a claimed task (events only; no CLI for it). */
const session = (id: string, task: string, phase: "started" | "ended", data: Record<string, unknown> = {}): Decider<null> => (_state, ctx) => ({
  events: [makeEvent(ctx, `session.${phase}`, task, { session: id, ...data })],
  summary: `session ${phase} ${id}`,
  result: null,
});

describe("STATE.md on the ref shows sessions, decisions and the current position", () => {
  it("renders session.* events written through Store.transact; doctor agrees", async () => {
    repo = makeRepo({ init: true });
    const id = await repo.rwOk(["initiative", "new", "Auth rewrite", "--phase", "Tokens", "--phase", "Login"]);
    await repo.rwOk(["initiative", "submit", id]);
    await repo.rwOk(["initiative", "approve", id, "--phase", "1"]);
    const task = await repo.rwOk(["create", "Sign tokens", "--initiative", id, "--phase", "1"]);
    await repo.rwOk(["decide", "Use JWT, not sessions", "--initiative", id, "--why", "stateless"], { actor: "bob" });

    const store = await Store.open({ cwd: repo.dir, env: {}, now: () => new Date() });
    try {
      const agent = { name: "agent-1", email: "agent-1@rw.invalid" };
      await store.transact(session("s-1", task, "started", { role: "worker" }), agent);
      await store.transact(session("s-1", task, "ended", { outcome: "failed", tokens: { input: 900, output: 100 }, cost: 0.02, duration_ms: 65_000 }), agent);
      await store.transact(session("s-2", task, "started"), { name: "agent-2", email: "agent-2@rw.invalid" });
    } finally {
      store.close();
    }

    const state = repo.git(["show", "rewind:STATE.md"]);
    expect(state).toContain(`- **[${id}](initiatives/${id}.md) Auth rewrite** (approved) \`[----------] 0/1\``);
    expect(state).toContain("  - Phase 1: Tokens — approved `[----------] 0/1`");
    expect(state).toContain("  - Phase 2: Login — awaiting approval `[----------] 0/0`");
    expect(state).toContain(`| bob | Use JWT, not sessions | stateless | ${id} |`);
    const rows = state.split("\n").filter((l) => l.includes(`[${task}](tasks/${task}.md)`) && /running|failed/.test(l));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^\| agent-2 \| .* \| running \|/);
    expect(rows[1]).toMatch(/^\| agent-1 \| .* \| failed \| 1000 \| \$0\.02 \| 1m 5s \|$/);
    expect(JSON.parse(await repo.rwOk(["doctor", "--json"]))).toMatchObject({ ok: true });
  });
});
