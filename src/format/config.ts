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
  /** The whole parsed document, for sections owned by other layers (roles, profiles, pricing, sync). */
  raw: Record<string, unknown>;
}

export const DEFAULT_REF = "refs/heads/rewind";

export function defaultConfig(): CoreConfig {
  return { version: 1, store: { ref: DEFAULT_REF }, ids: { prefix: undefined }, claims: { lease_ms: 30 * 60_000 }, execution: { max_retries: 3, gates: [] }, raw: {} };
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
    try {
      cfg.claims.lease_ms = parseDuration(claims.lease, "claims.lease");
    } catch {
      // parseDuration's own error is a usage error about a flag; here the file is at fault.
      throw fail(file, "claims.lease", `is not a duration: ${JSON.stringify(claims.lease)}`, 'use a number and a unit, e.g. lease = "30m" (90s, 2h, 1d)');
    }
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
  return cfg;
}
