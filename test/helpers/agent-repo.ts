import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach } from "vitest";
import { loadAgentConfig } from "../../src/agents/load.ts";
import { runAgentSession, type AgentSessionOptions, type AgentSessionResult } from "../../src/agents/session.ts";
import type { RwEvent } from "../../src/domain/types.ts";
import { readAllEvents } from "../../src/store/snapshot.ts";
import { Store } from "../../src/store/store.ts";
import { startLlmServer, type LlmServer } from "./llm-server.ts";
import { makeRepo, type TempRepo } from "./repo.ts";

export interface AgentRepo {
  repo: TempRepo;
  task: string;
  /** Runs one session in-process against the repository's real store (a fresh Store each time). */
  run(opts?: Partial<AgentSessionOptions>): Promise<AgentSessionResult>;
  events(): Promise<RwEvent[]>;
  cleanup(): void;
}

/** A temp repository with rw initialised, one task, and `config` appended to .rewind/config.toml. */
export async function agentRepo(config: string, env: Record<string, string> = {}): Promise<AgentRepo> {
  const repo = makeRepo({ init: true });
  const task = await repo.rwOk(["create", "Add a greeting", "--body", "Write hello.txt.\n\n## Acceptance criteria\n- [ ] hello.txt says hello\n"]);
  appendFileSync(join(repo.dir, ".rewind", "config.toml"), `\n${config}\n`);
  const open = (): Promise<Store> => Store.open({ cwd: repo.dir, env, now: () => new Date() });
  return {
    repo,
    task,
    async run(opts = {}) {
      const store = await open();
      try {
        const config = loadAgentConfig(store);
        return await runAgentSession({
          role: "worker", task, prompt: "Write hello.txt containing hello, then finish.", worktree: repo.dir, config, store,
          actor: { name: "agent-1", email: "agent-1@example.com" }, env, root: repo.dir, session: "as-test", ...opts,
        });
      } finally {
        store.close();
      }
    },
    async events() {
      const store = await open();
      try {
        const snap = await store.snapshot();
        return (await readAllEvents(store.source, snap.root)).events;
      } finally {
        store.close();
      }
    },
    cleanup: () => repo.cleanup(),
  };
}

/**
 * Agent repositories and local LLM servers for a test file (call it at the top level): each one
 * made in a test is removed or closed after that test.
 */
export function agentFixtures(): { repo: typeof agentRepo; server: typeof startLlmServer } {
  const repos: AgentRepo[] = [];
  const servers: LlmServer[] = [];
  afterEach(async () => {
    for (const r of repos.splice(0)) r.cleanup();
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  return {
    async repo(config, env) {
      const r = await agentRepo(config, env);
      repos.push(r);
      return r;
    },
    async server(answers, opts) {
      const s = await startLlmServer(answers, opts);
      servers.push(s);
      return s;
    },
  };
}
