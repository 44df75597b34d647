import { parse as parseToml, TomlError } from "smol-toml";
import { RwError } from "../domain/errors.ts";
import { validPrefix } from "../domain/ids.ts";
import { didYouMean, nearest } from "../domain/suggest.ts";
import { parseDuration } from "./duration.ts";

/** The core configuration every command needs. Agent sections are validated by the agent layer. */
export interface CoreConfig {
  version: 1;
  store: { ref: string };
  ids: { prefix: string | undefined };
  claims: { lease_ms: number };
  execution: ExecutionConfig;
  /** Many machines (DESIGN §9): which remote, whether claims must win there, daemon auto-sync. */
  sync: SyncConfig;
  /** The whole parsed document, for sections owned by other layers (roles, profiles, pricing, sync). */
  raw: Record<string, unknown>;
}

/** `[execution]`: how `rw run` works a task (DESIGN §8). */
export interface ExecutionConfig {
  max_retries: number;
  gates: string[];
  /** The branch finished tasks merge into; undefined = the branch checked out where `rw run` starts. */
  integration_branch: string | undefined;
  /** Where task worktrees go; undefined = the user's cache directory, keyed by repository. */
  worktree_dir: string | undefined;
  /** Files copied from the main work tree into each new task worktree (e.g. ".env"). */
  copy_files: string[];
  gate_timeout_ms: number;
  /** On Ctrl-C: give claims back at once ("release"), or leave them to expire ("keep"). */
  on_interrupt: "release" | "keep";
  /** Let the user's git hooks run in rw's own git operations (worktree add, commits, merges, the fast-forward). */
  git_hooks: boolean;
  /** Paths a task's diff may not add or change, besides `.rewind/`, `.git/`, `.githooks/` and `core.hooksPath`. */
  protected_paths: string[];
  /** Globs a task's diff may not touch (the attempt is refused). */
  forbidden_paths: string[];
  /** An attempt whose diff is larger is refused; undefined = no limit. */
  max_patch_bytes: number | undefined;
  /** Times a task is redone on a new base after merge conflicts before it is blocked (does not use max_retries). */
  max_rebases: number;
  /** "human": a task that passed gates and the verifier waits in `review` for `rw review --approve`. */
  review: "auto" | "human";
  /** "per-initiative": an initiative's tasks land on its own branch (`initiative/<id>` unless it names one), merged when it completes. */
  integration: "single" | "per-initiative";
  /** Goal-backward phase verification: "auto" for phases with verify commands, "always", or "off". */
  phase_verification: "auto" | "always" | "off";
  /** Remediation rounds in a row a phase's verification may ask for before the phase is blocked for a person. */
  max_remediations: number;
}

export interface SyncConfig {
  /** Remote name or URL; undefined means "origin". */
  remote: string | undefined;
  claims: "local" | "remote";
  auto: boolean;
  interval_ms: number;
}

export const DEFAULT_REF = "refs/heads/rewind";
/** Refused by name even before git is asked (repo.ts also refuses the checked-out branch and any non-rw ref). */
const CODE_BRANCHES = ["refs/heads/main", "refs/heads/master", "refs/heads/trunk", "refs/heads/develop"];

const EXECUTION_KEYS = [
  "max_retries", "gates", "integration_branch", "worktree_dir", "copy_files", "gate_timeout", "on_interrupt",
  "git_hooks", "protected_paths", "forbidden_paths", "max_patch_bytes", "max_rebases", "review",
  "integration", "phase_verification", "max_remediations",
];

export function defaultConfig(): CoreConfig {
  return { version: 1, store: { ref: DEFAULT_REF }, ids: { prefix: undefined }, claims: { lease_ms: 30 * 60_000 }, execution: {
    max_retries: 3, gates: [], integration_branch: undefined, worktree_dir: undefined, copy_files: [], gate_timeout_ms: 10 * 60_000, on_interrupt: "release",
    git_hooks: false, protected_paths: [], forbidden_paths: [], max_patch_bytes: undefined, max_rebases: 5, review: "auto",
    integration: "single", phase_verification: "auto", max_remediations: 2,
  }, sync: { remote: undefined, claims: "local", auto: false, interval_ms: 60_000 }, raw: {} };
}

const fail = (file: string, key: string, problem: string, fix: string): RwError =>
  new RwError("config", `${file}: ${key} ${problem}`, { hint: fix, data: { file, key } });

type Table = Record<string, unknown>;
const isTable = (v: unknown): v is Table => typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);

function section(doc: Table, name: string, file: string, allowed: string[]): Table {
  const value = doc[name];
  if (value === undefined) return {};
  if (!isTable(value)) throw fail(file, name, "must be a table", `write it as [${name}]`);
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new RwError("config", `${file}: ${name}.${key} is not a known setting${didYouMean(key, allowed, (k) => `${name}.${k}`)}`, {
        hint: `known keys in [${name}]: ${allowed.join(", ")}`, data: { file, key: `${name}.${key}` },
      });
    }
  }
  return value;
}

/**
 * Every top-level table config.toml may have: the core ones (parsed here) and the agent layer's
 * (validated by src/agents/config.ts when an agent command runs). Anything else is a typo that
 * would otherwise be ignored in silence ([agent.worker] leaves the worker on its default).
 */
export const CORE_TABLES = ["store", "ids", "claims", "execution", "sync"] as const;
export const AGENT_TABLES = ["agents", "roles", "profiles", "pricing", "accounts", "budgets", "tools"] as const;
const TOP_KEYS = ["version", ...CORE_TABLES, ...AGENT_TABLES];
/** Sub-tables people write under the agent tables, for "did you mean [roles.worker]?". */
const SUB_TABLES = ["roles.planner", "roles.worker", "roles.verifier", "roles.worker.fallback", "budgets.roles", "profiles.quality", "profiles.balanced", "profiles.budget"];

function checkTopLevel(doc: Table, file: string): void {
  for (const key of Object.keys(doc)) {
    if (TOP_KEYS.includes(key)) continue;
    const value = doc[key];
    if (!isTable(value)) {
      throw new RwError("config", `${file}: unknown setting ${key}${didYouMean(key, TOP_KEYS)}`, {
        hint: `settings live in tables: ${TOP_KEYS.filter((k) => k !== "version").map((k) => `[${k}]`).join(" ")}`, data: { file, key },
      });
    }
    // [agent.worker] is a table "agent" holding a table "worker": name the one the user wrote.
    const sub = Object.keys(value).find((k) => isTable(value[k]));
    const written = sub === undefined ? key : `${key}.${sub}`;
    const guess = (sub !== undefined ? SUB_TABLES.find((t) => t.split(".")[1] === sub) : undefined) ?? nearest(written, [...TOP_KEYS.slice(1), ...SUB_TABLES]) ?? nearest(key, TOP_KEYS.slice(1));
    throw new RwError("config", `${file}: unknown table [${written}]${guess === undefined ? "" : `; did you mean [${guess}]?`}`, {
      hint: `the tables rw reads: ${TOP_KEYS.filter((k) => k !== "version").map((k) => `[${k}]`).join(" ")} (see the README's configuration section)`,
      data: { file, key: written },
    });
  }
}

/** A duration setting, bounded (leases and timeouts become timers), with the file at fault. */
function durationSetting(value: unknown, key: string, file: string, example: string): number {
  if (typeof value !== "string") throw fail(file, key, "must be a duration string", `e.g. ${key.split(".").pop()!} = "${example}"`);
  try {
    return parseDuration(value, key);
  } catch (err) {
    // parseDuration's own error is a usage error about a flag; here the file is at fault.
    const tooLong = err instanceof RwError && err.data.max_ms !== undefined;
    throw fail(file, key, tooLong ? err.message.slice(key.length + 1) : `is not a duration: ${JSON.stringify(value)}`, tooLong ? `use at most 24d, e.g. ${key.split(".").pop()!} = "${example}"` : `use a number and a unit, e.g. ${key.split(".").pop()!} = "${example}" (90s, 2h, 1d)`);
  }
}

/**
 * Parses `.rewind/config.toml`. Hand-validated rather than with zod: this runs on every command
 * and zod alone costs ~45 ms to import, a third of `rw ready`'s budget.
 */
export function parseConfig(text: string, file = ".rewind/config.toml"): CoreConfig {
  let doc: Table;
  try {
    doc = parseToml(text);
  } catch (err) {
    const line = err instanceof TomlError ? ` line ${err.line}` : "";
    throw new RwError("config", `${file}${line}: invalid TOML: ${(err as Error).message.split("\n")[0] ?? ""}`, { hint: "fix the syntax, or delete the file and run `rw init` to write the defaults" });
  }
  const cfg = defaultConfig();
  cfg.raw = doc;
  checkTopLevel(doc, file);
  if (doc.version !== undefined && doc.version !== 1) throw fail(file, "version", `is ${JSON.stringify(doc.version)}`, "this rw reads config version 1");
  const store = section(doc, "store", file, ["ref"]);
  if (store.ref !== undefined) {
    if (typeof store.ref !== "string" || !/^refs\/heads\/[A-Za-z0-9._-][A-Za-z0-9._/-]*$/.test(store.ref) || store.ref.includes("..") || /\/\/|\/$|\.lock$|\.$/.test(store.ref)) {
      throw fail(file, "store.ref", `must be a branch ref under refs/heads/, got ${JSON.stringify(store.ref)}`, `e.g. ref = "${DEFAULT_REF}" (a branch of its own, never a code branch)`);
    }
    if (CODE_BRANCHES.includes(store.ref)) {
      throw fail(file, "store.ref", `is ${store.ref}, a code branch: rw would commit tasks/ and events/ onto it`, `use a branch of its own, e.g. ref = "${DEFAULT_REF}"`);
    }
    cfg.store.ref = store.ref;
  }
  const ids = section(doc, "ids", file, ["prefix"]);
  if (ids.prefix !== undefined) {
    if (typeof ids.prefix !== "string" || !validPrefix(ids.prefix)) throw fail(file, "ids.prefix", "must be 1-16 letters and digits, starting with a letter", 'e.g. prefix = "rw"');
    cfg.ids.prefix = ids.prefix;
  }
  const claims = section(doc, "claims", file, ["lease"]);
  if (claims.lease !== undefined) cfg.claims.lease_ms = durationSetting(claims.lease, "claims.lease", file, "30m");
  parseExecution(section(doc, "execution", file, EXECUTION_KEYS), cfg.execution, file);
  parseSync(doc, file, cfg.sync);
  return cfg;
}

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((g) => typeof g === "string");

function parseExecution(exec: Table, out: ExecutionConfig, file: string): void {
  if (exec.max_retries !== undefined) {
    if (typeof exec.max_retries !== "number" || !Number.isInteger(exec.max_retries) || exec.max_retries < 1 || exec.max_retries > 100) {
      throw fail(file, "execution.max_retries", "must be a whole number from 1 to 100", "e.g. max_retries = 3");
    }
    out.max_retries = exec.max_retries;
  }
  if (exec.gates !== undefined) {
    if (!isStringList(exec.gates)) throw fail(file, "execution.gates", "must be a list of command strings", 'e.g. gates = ["npm test"]');
    out.gates = exec.gates;
  }
  if (exec.integration_branch !== undefined) {
    const b = exec.integration_branch;
    if (typeof b !== "string" || !/^[A-Za-z0-9._/-]+$/.test(b) || b.includes("..") || b.startsWith("-") || b.startsWith("refs/")) {
      throw fail(file, "execution.integration_branch", "must be a branch name", 'e.g. integration_branch = "main"');
    }
    out.integration_branch = b;
  }
  if (exec.worktree_dir !== undefined) {
    if (typeof exec.worktree_dir !== "string" || exec.worktree_dir.trim() === "") throw fail(file, "execution.worktree_dir", "must be a directory path", 'e.g. worktree_dir = "~/.cache/rw/worktrees"');
    out.worktree_dir = exec.worktree_dir;
  }
  if (exec.copy_files !== undefined) {
    if (!isStringList(exec.copy_files) || exec.copy_files.some((f) => f.startsWith("/") || f.split(/[\\/]/).includes(".."))) {
      throw fail(file, "execution.copy_files", "must be a list of paths relative to the work tree", 'e.g. copy_files = [".env"]');
    }
    out.copy_files = exec.copy_files;
  }
  if (exec.gate_timeout !== undefined) out.gate_timeout_ms = durationSetting(exec.gate_timeout, "execution.gate_timeout", file, "10m");
  if (exec.on_interrupt !== undefined) {
    if (exec.on_interrupt !== "release" && exec.on_interrupt !== "keep") throw fail(file, "execution.on_interrupt", 'must be "release" or "keep"', 'e.g. on_interrupt = "release"');
    out.on_interrupt = exec.on_interrupt;
  }
  parseExecutionGuards(exec, out, file);
}

/** The `rw run` guard rails: hooks, protected and forbidden paths, patch size, rebases, review. */
function parseExecutionGuards(exec: Table, out: ExecutionConfig, file: string): void {
  if (exec.git_hooks !== undefined) {
    if (typeof exec.git_hooks !== "boolean") throw fail(file, "execution.git_hooks", "must be true or false", "e.g. git_hooks = false");
    out.git_hooks = exec.git_hooks;
  }
  for (const key of ["protected_paths", "forbidden_paths"] as const) {
    const v = exec[key];
    if (v === undefined) continue;
    if (!isStringList(v) || v.some((p) => p.trim() === "")) throw fail(file, `execution.${key}`, "must be a list of paths or globs", `e.g. ${key} = ["secrets/**"]`);
    out[key] = v;
  }
  if (exec.max_patch_bytes !== undefined) {
    const n = exec.max_patch_bytes;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 1) throw fail(file, "execution.max_patch_bytes", "must be a whole number of bytes", "e.g. max_patch_bytes = 200000");
    out.max_patch_bytes = n;
  }
  if (exec.max_rebases !== undefined) {
    const n = exec.max_rebases;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0) throw fail(file, "execution.max_rebases", "must be a whole number (0 or more)", "e.g. max_rebases = 5");
    out.max_rebases = n;
  }
  if (exec.review !== undefined) {
    if (exec.review !== "auto" && exec.review !== "human") throw fail(file, "execution.review", `is ${JSON.stringify(exec.review)}`, 'use "auto" (merge when gates and the verifier pass) or "human" (wait for `rw review --approve`)');
    out.review = exec.review;
  }
  parseInitiativeSettings(exec, out, file);
}

/** Initiatives under `rw run` (issue 19): their own integration branches, phase verification and its bound. */
function parseInitiativeSettings(exec: Table, out: ExecutionConfig, file: string): void {
  if (exec.integration !== undefined) {
    if (exec.integration !== "single" && exec.integration !== "per-initiative") {
      throw fail(file, "execution.integration", `is ${JSON.stringify(exec.integration)}`, 'use "single" (every task lands on the integration branch) or "per-initiative" (an initiative\'s tasks land on its own branch)');
    }
    out.integration = exec.integration;
  }
  if (exec.phase_verification !== undefined) {
    const v = exec.phase_verification;
    if (v !== "auto" && v !== "always" && v !== "off") throw fail(file, "execution.phase_verification", `is ${JSON.stringify(v)}`, 'use "auto" (phases with verify commands), "always" or "off"');
    out.phase_verification = v;
  }
  if (exec.max_remediations !== undefined) {
    const n = exec.max_remediations;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > 20) throw fail(file, "execution.max_remediations", "must be a whole number from 0 to 20", "e.g. max_remediations = 2");
    out.max_remediations = n;
  }
}

function parseSync(doc: Table, file: string, out: SyncConfig): void {
  const sync = section(doc, "sync", file, ["remote", "claims", "auto", "interval"]);
  if (sync.remote !== undefined) {
    if (typeof sync.remote !== "string" || sync.remote.trim() === "" || /[\s]/.test(sync.remote)) {
      throw fail(file, "sync.remote", "must be a git remote name or URL", 'e.g. remote = "origin"');
    }
    out.remote = sync.remote;
  }
  if (sync.claims !== undefined) {
    if (sync.claims !== "local" && sync.claims !== "remote") throw fail(file, "sync.claims", `is ${JSON.stringify(sync.claims)}`, 'use "local" (claims win on this machine) or "remote" (claims win only once pushed)');
    out.claims = sync.claims;
  }
  if (sync.auto !== undefined) {
    if (typeof sync.auto !== "boolean") throw fail(file, "sync.auto", "must be true or false", "e.g. auto = true");
    out.auto = sync.auto;
  }
  if (sync.interval !== undefined) out.interval_ms = durationSetting(sync.interval, "sync.interval", file, "60s");
}
