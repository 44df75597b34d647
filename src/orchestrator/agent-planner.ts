import { RwError } from "../domain/errors.ts";
import type { Actor, Store } from "../store/store.ts";
import type { Planner } from "./plan.ts";

/** The planner role from the agent layer. */
export async function createAgentPlanner(_store: Store, _env: Record<string, string | undefined>, _actor: Actor): Promise<Planner> {
  throw new RwError("config", "this build of rw has no agent layer yet", { hint: "configure [roles.planner] once src/agents is available" });
}
