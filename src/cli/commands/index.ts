import type { CommandDef } from "citty";

type Loader = () => Promise<CommandDef<any>>; // eslint-disable-line @typescript-eslint/no-explicit-any

const lazy = (load: () => Promise<{ default: CommandDef<any> }>): Loader => () => load().then((m) => m.default); // eslint-disable-line @typescript-eslint/no-explicit-any

/** Every verb, loaded only when used, so `rw ready` never loads the daemon, SDKs or remark. */
export const commands: Record<string, Loader> = {
  init: lazy(() => import("./init.ts")),
  create: lazy(() => import("./create.ts")),
  show: lazy(() => import("./show.ts")),
  list: lazy(() => import("./list.ts")),
  edit: lazy(() => import("./edit.ts")),
  dep: lazy(() => import("./dep.ts")),
  note: lazy(() => import("./note.ts")),
  cancel: lazy(() => import("./cancel.ts")),
  reopen: lazy(() => import("./reopen.ts")),
  block: lazy(() => import("./block.ts")),
  unblock: lazy(() => import("./unblock.ts")),
  ready: lazy(() => import("./ready.ts")),
  claim: lazy(() => import("./claim.ts")),
  heartbeat: lazy(() => import("./heartbeat.ts")),
  release: lazy(() => import("./release.ts")),
  done: lazy(() => import("./done.ts")),
  fail: lazy(() => import("./fail.ts")),
  history: lazy(() => import("./history.ts")),
  initiative: lazy(() => import("./initiative.ts")),
  decide: lazy(() => import("./decide.ts")),
  decisions: lazy(() => import("./decisions.ts")),
  doctor: lazy(() => import("./doctor.ts")),
  plan: lazy(() => import("./plan.ts")),
  daemon: lazy(() => import("./daemon.ts")),
  board: lazy(() => import("./board.ts")),
  sync: lazy(() => import("./sync.ts")),
  run: lazy(() => import("./run.ts")),
  review: lazy(() => import("./review.ts")),
  logs: lazy(() => import("./logs.ts")),
  mcp: lazy(() => import("./mcp.ts")),
  import: lazy(() => import("./import.ts")),
  export: lazy(() => import("./export.ts")),
  log: lazy(() => import("./log.ts")),
  analytics: lazy(() => import("./analytics.ts")),
  demo: lazy(() => import("./demo.ts")),
  agent: lazy(() => import("./agent.ts")),
  config: lazy(() => import("./config.ts")),
  budget: lazy(() => import("./budget.ts")),
  search: lazy(() => import("./search.ts")),
  blocked: lazy(() => import("./blocked.ts")),
};
