import { RwError } from "../domain/errors.ts";
import { didYouMean } from "../domain/suggest.ts";
import { TIERS, type Tier, type ToolDef } from "./kit.ts";
import { EDIT_TOOLS } from "./tools-edit.ts";
import { PLAN_TOOLS } from "./tools-plan.ts";
import { WORK_TOOLS } from "./tools-work.ts";

export type { ToolApi, ToolDef } from "./kit.ts";

/** Every tool of `rw mcp`; each calls the same deciders as the CLI verb of the same name. */
export const TOOLS: Record<string, ToolDef> = { ...WORK_TOOLS, ...EDIT_TOOLS, ...PLAN_TOOLS };

/**
 * `RW_MCP_TOOLS=core|standard|all` (default all): fewer tools for small contexts. core is the
 * agent loop (ready, claim, heartbeat, show, create, note, done, fail, release); standard adds
 * reading and editing the backlog; all adds the log, initiatives and the planner.
 */
export function toolsFor(setting: string | undefined): Record<string, ToolDef> {
  const level = (setting ?? "").trim().toLowerCase() || "all";
  if (!(TIERS as readonly string[]).includes(level)) {
    throw new RwError("config", `RW_MCP_TOOLS=${setting} is not a tool set${didYouMean(level, TIERS)}`, { hint: `use one of: ${TIERS.join(", ")}` });
  }
  const rank = TIERS.indexOf(level as Tier);
  return Object.fromEntries(Object.entries(TOOLS).filter(([, t]) => TIERS.indexOf(t.tier) <= rank));
}
