import { checkAgents, type CheckLine } from "../agents/check.ts";
import type { AgentConfig } from "../agents/config.ts";
import type { Role } from "../agents/types.ts";
import { findCriteria } from "../format/criteria.ts";
import { RwError } from "../domain/errors.ts";
import type { State } from "../domain/types.ts";
import { git } from "../store/git.ts";
import type { Store } from "../store/store.ts";
import { integrationBranch, listWorktrees, repoCwd } from "./worktrees.ts";

/** One thing that stops `rw run` before it claims anything, with what fixes it. */
export interface PreflightProblem { what: string; problem: string; fix: string }

export interface Preflight {
  ok: boolean;
  integration: string | undefined;
  /** `rw config check`'s lines for the roles a run uses (worker, verifier). */
  checks: CheckLine[];
  problems: PreflightProblem[];
}

/** What a run may take: the same `--task`/`--initiative` scope the run loop applies. */
export interface RunScope { task?: string; initiative?: string }

/**
 * Whether this run can reach the verifier: it judges only open acceptance criteria, so a backlog
 * whose runnable tasks have none never calls it, and a missing verifier key is not a reason to
 * refuse. A task with criteria that appears mid-run and finds the verifier unusable stops the run
 * as a configuration error (released, not counted as a failure), so nothing is burned either way.
 */
export async function verifierNeeded(state: State, scope: RunScope): Promise<boolean> {
  for (const t of Object.values(state.tasks)) {
    if (t.status === "done" || t.status === "cancelled") continue;
    if ((scope.task !== undefined && t.id !== scope.task) || (scope.initiative !== undefined && t.initiative !== scope.initiative)) continue;
    if (!/\[ \]/.test(t.body)) continue; // cheap filter before parsing Markdown
    if ((await findCriteria(t.body)).some((c) => !c.checked)) return true;
  }
  return false;
}

function fixFor(l: CheckLine, cfg: AgentConfig): string {
  const where = `roles.${l.role}${l.which === "fallback" ? ".fallback" : ""}`;
  const s = l.which === "fallback" ? cfg.roles[l.role].fallback : cfg.roles[l.role];
  const keyVar = s?.api_key_env ?? "the key variable";
  if (/no API key/.test(l.detail)) return `export ${keyVar}=… (or set ${where}.api_key_env to the variable that holds it)`;
  if (/refused/.test(l.detail)) return `check the key in ${keyVar}: the provider refused it`;
  if (/not found on PATH|not executable/.test(l.detail)) return `install ${s?.binary ?? "the CLI"} or set ${where}.binary to its path`;
  if (/cannot reach|answered/.test(l.detail)) return `check ${where}.base_url${s?.base_url ? ` (${s.base_url})` : ""} and the network; \`rw config check\` retries it`;
  return `fix ${where} in .rewind/config.toml; \`rw config check\` shows the details`;
}

/** A fake provider's per-task script (`{id}`, `{slug}`: agent-executor.ts) has no single file to load before a task is known. */
function withoutTaskScripts(cfg: AgentConfig): AgentConfig {
  const roles = { ...cfg.roles };
  for (const [role, rc] of Object.entries(roles) as Array<[keyof typeof roles, (typeof roles)[keyof typeof roles]]>) {
    if (rc.provider === "fake" && rc.script && /\{(id|slug)\}/.test(rc.script)) roles[role] = { ...rc, script: undefined };
  }
  return { ...cfg, roles };
}

/**
 * What must hold before `rw run` claims anything: every provider the worker (and, when a task in
 * scope has open criteria, the verifier) uses answers (the same checks as `rw config check`), and the integration branch exists with no
 * uncommitted changes in its checkout. Nothing is claimed, created or recorded here.
 */
export async function preflight(store: Store, cfg: AgentConfig, env: Record<string, string | undefined>, root: string, scope: RunScope = {}): Promise<Preflight> {
  const problems: PreflightProblem[] = [];
  const roles: Role[] = ["worker", ...((await verifierNeeded((await store.snapshot()).state, scope)) ? (["verifier"] as const) : [])];
  const checks = await checkAgents(withoutTaskScripts(cfg), env, root, roles);
  for (const l of checks.filter((c) => !c.ok)) {
    problems.push({ what: `${l.role}${l.which === "fallback" ? " (fallback)" : ""}: ${l.provider} ${l.model}`, problem: l.detail, fix: fixFor(l, cfg) });
  }
  let integration: string | undefined;
  try {
    integration = await integrationBranch(store.repo, store.config.execution);
    const ref = `refs/heads/${integration}`;
    const checkout = [...(await listWorktrees(repoCwd(store.repo)))].find(([, b]) => b === ref)?.[0];
    if (checkout !== undefined) {
      // -z: "XY path" records, NUL-separated, unquoted (a rename adds its old path as its own record).
      const records = (await git(["status", "--porcelain", "-z", "--untracked-files=no"], { cwd: checkout })).stdout.split("\0").filter(Boolean);
      if (records.length > 0) {
        const files = records.filter((r) => /^[ MTADRCU?!]{2} /.test(r)).map((r) => r.slice(3));
        problems.push({
          what: `integration branch ${integration}`, problem: `its checkout at ${checkout} has uncommitted changes (${files.slice(0, 5).join(", ")}${files.length > 5 ? ", …" : ""})`,
          fix: `commit or stash them (git -C ${checkout} status): finished tasks fast-forward that checkout`,
        });
      }
    }
  } catch (err) {
    if (!(err instanceof RwError)) throw err;
    problems.push({ what: "integration branch", problem: err.message, fix: err.hint ?? "set execution.integration_branch" });
  }
  return { ok: problems.length === 0, integration, checks, problems };
}

/** The refusal `rw run` exits 1 with: one line per problem, each with its fix. */
export function preflightError(p: Preflight): RwError {
  const lines = p.problems.map((x) => `  - ${x.what}: ${x.problem}\n    fix: ${x.fix}`);
  return new RwError("config", `rw run cannot start (${p.problems.length} problem${p.problems.length === 1 ? "" : "s"}; nothing was claimed):\n${lines.join("\n")}`, {
    hint: "fix these, then run `rw run` again (`rw run --dry-run` repeats the checks)",
    data: { problems: p.problems },
  });
}
