import { parse as parseToml, TomlError } from "smol-toml";
import { RwError } from "../domain/errors.ts";
import { validPrefix } from "../domain/ids.ts";
import { parseDuration } from "./duration.ts";

/** The core configuration every command needs. Agent sections are validated by the agent layer. */
export interface CoreConfig {
  version: 1;
  store: { ref: string };
  ids: { prefix: string | undefined };
  claims: { lease_ms: number };
  execution: { max_retries: number; gates: string[] };
  /** Many machines (DESIGN §9): which remote, whether claims must win there, daemon auto-sync. */
  sync: SyncConfig;
  /** The whole parsed document, for sections owned by other layers (roles, profiles, pricing, sync). */
  raw: Record<string, unknown>;
}

export interface SyncConfig {
  /** Remote name or URL; undefined means "origin". */
  remote: string | undefined;
  claims: "local" | "remote";
  auto: boolean;
  interval_ms: number;
}

export const DEFAULT_REF = "refs/heads/rewind";

export function defaultConfig(): CoreConfig {
  return { version: 1, store: { ref: DEFAULT_REF }, ids: { prefix: undefined }, claims: { lease_ms: 30 * 60_000 }, execution: { max_retries: 3, gates: [] },
    sync: { remote: undefined, claims: "local", auto: false, interval_ms: 60_000 }, raw: {} };
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
    if (!allowed.includes(key)) throw fail(file, `${name}.${key}`, "is not a known setting", `known keys in [${name}]: ${allowed.join(", ")}`);
  }
  return value;
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
  if (doc.version !== undefined && doc.version !== 1) throw fail(file, "version", `is ${JSON.stringify(doc.version)}`, "this rw reads config version 1");
  const store = section(doc, "store", file, ["ref"]);
  if (store.ref !== undefined) {
    if (typeof store.ref !== "string" || !/^refs\/[A-Za-z0-9._/-]+$/.test(store.ref) || store.ref.includes("..")) {
      throw fail(file, "store.ref", "must be a ref name under refs/", `e.g. ref = "${DEFAULT_REF}"`);
    }
    cfg.store.ref = store.ref;
  }
  const ids = section(doc, "ids", file, ["prefix"]);
  if (ids.prefix !== undefined) {
    if (typeof ids.prefix !== "string" || !validPrefix(ids.prefix)) throw fail(file, "ids.prefix", "must be 1-16 letters and digits, starting with a letter", 'e.g. prefix = "rw"');
    cfg.ids.prefix = ids.prefix;
  }
  const claims = section(doc, "claims", file, ["lease"]);
  if (claims.lease !== undefined) {
    if (typeof claims.lease !== "string") throw fail(file, "claims.lease", "must be a duration string", 'e.g. lease = "30m"');
    cfg.claims.lease_ms = parseDuration(claims.lease, "claims.lease");
  }
  const exec = doc.execution;
  if (exec !== undefined) {
    if (!isTable(exec)) throw fail(file, "execution", "must be a table", "write it as [execution]");
    if (exec.max_retries !== undefined) {
      if (typeof exec.max_retries !== "number" || !Number.isInteger(exec.max_retries) || exec.max_retries < 1) {
        throw fail(file, "execution.max_retries", "must be a whole number of at least 1", "e.g. max_retries = 3");
      }
      cfg.execution.max_retries = exec.max_retries;
    }
    if (exec.gates !== undefined) {
      if (!Array.isArray(exec.gates) || !exec.gates.every((g) => typeof g === "string")) {
        throw fail(file, "execution.gates", "must be a list of command strings", 'e.g. gates = ["npm test"]');
      }
      cfg.execution.gates = exec.gates;
    }
  }
  parseSync(doc, file, cfg.sync);
  return cfg;
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
  if (sync.interval !== undefined) {
    if (typeof sync.interval !== "string") throw fail(file, "sync.interval", "must be a duration string", 'e.g. interval = "60s"');
    out.interval_ms = parseDuration(sync.interval, "sync.interval");
  }
}
