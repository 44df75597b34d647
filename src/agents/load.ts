import { getTask } from "../domain/decide.ts";
import { readAllEvents } from "../store/snapshot.ts";
import type { Store } from "../store/store.ts";
import { resolveAgentConfig, type AgentConfig } from "./config.ts";
import { readDomainNotes } from "./domain-notes.ts";
import { renderPrompt } from "./prompt.ts";
import type { ProviderName, Role } from "./types.ts";

/** The agent configuration of the repository a store is open on (validated; errors name the key). */
export function loadAgentConfig(store: Store, override: { provider?: ProviderName; role?: Role } = {}): AgentConfig {
  return resolveAgentConfig(store.config.raw, store.configFile ?? ".rewind/config.toml", override);
}

/** Where a repository's own files live (config, templates, fake scripts): the main work tree. */
export function repoRoot(store: Store): string | undefined {
  return store.repo.worktree ?? store.repo.mainWorktree;
}

/**
 * Renders a role's prompt for a task from the state at the tip: the task, its criteria and gates,
 * its initiative's file, relevant decisions and the head of STATE.md.
 */
export async function promptForTask(store: Store, role: Role, taskId: string, extra: { feedback?: string; evidence?: string } = {}): Promise<string> {
  const snap = await store.snapshot();
  const task = getTask(snap.state, taskId);
  const initiative = task.initiative ? ((await store.readPath(`initiatives/${task.initiative}.md`, snap.tip)) ?? undefined) : undefined;
  const stateMd = (await store.readPath("STATE.md", snap.tip)) ?? undefined;
  const { events } = await readAllEvents(store.source, snap.root);
  const domainNotes = await readDomainNotes(repoRoot(store));
  return renderPrompt({ task, role, configGates: store.config.execution.gates, initiative, events, stateMd, domainNotes, ...extra }, repoRoot(store));
}
