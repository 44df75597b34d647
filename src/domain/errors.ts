/**
 * Typed errors. Commands throw these; only the CLI entry point (and the MCP server) turn them
 * into messages and exit codes, so every surface says the same thing.
 */
export type ErrorCode =
  | "usage"
  | "not_found"
  | "not_claimable"
  | "wrong_state"
  | "conflict"
  | "invalid_id"
  | "invalid_input"
  | "cycle"
  | "not_a_repo"
  | "not_initialized"
  | "config"
  | "exists"
  | "git"
  | "corrupt";

/**
 * The one exit-code table (DESIGN §10; README "Exit codes"): 0 ok; 2 the request itself is wrong
 * (unknown option or argument, a bad value, an invalid ID, a dependency cycle); 3 the state
 * refuses it (not claimable, claimed by someone else, a lifecycle step that does not apply now,
 * a lost race, something already running); 4 a named thing does not exist; 1 everything else
 * (config, git, a corrupt or missing state, imported IDs that already exist here). Every surface maps through this table.
 */
export const EXIT: Readonly<Record<ErrorCode, number>> = {
  usage: 2,
  not_found: 4,
  not_claimable: 3,
  wrong_state: 3,
  conflict: 3,
  invalid_id: 2,
  invalid_input: 2,
  cycle: 2,
  not_a_repo: 1,
  not_initialized: 1,
  config: 1,
  // An import whose IDs are taken: neither a malformed request nor a race, and `--rename-on-clash` fixes it.
  exists: 1,
  git: 1,
  corrupt: 1,
};

export class RwError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly data: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, opts: { hint?: string; data?: Record<string, unknown> } = {}) {
    super(message);
    this.name = "RwError";
    this.code = code;
    this.hint = opts.hint;
    this.data = opts.data ?? {};
  }

  get exitCode(): number {
    return EXIT[this.code];
  }
}

export const notFound = (id: string, what = "task"): RwError =>
  new RwError("not_found", `${what} ${id} not found`, {
    hint: what === "task" ? "run `rw list --all` to see every task ID" : undefined,
    data: { id },
  });

export const invalidInput = (message: string, hint?: string): RwError =>
  new RwError("invalid_input", message, hint === undefined ? {} : { hint });
